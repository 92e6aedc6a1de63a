// The share dialog: the permalink (read-only, with a copy button) and its
// QR code from /api/qr.

import type { Api } from './api';
import { el, iconButton, icon, uniqueId } from './dom';
import { ICONS } from './icons';
import { t } from './i18n';
import { closeOnBackdrop } from './layerinfo';
import type { UrlSync } from './urlsync';

/** Copy the text of a field: the clipboard API, or select it for Ctrl+C. */
export async function copyField(field: HTMLInputElement | HTMLTextAreaElement, announce: (m: string) => void): Promise<void> {
  try {
    if (!navigator.clipboard) throw new Error('no clipboard');
    await navigator.clipboard.writeText(field.value);
    announce(t('copied'));
  } catch {
    field.focus();
    field.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    announce(copied ? t('copied') : t('copy_select'));
  }
}

export function shareDialog(parent: HTMLElement, api: Api, urls: UrlSync): HTMLButtonElement {
  const button = el('button', { type: 'button', id: 'share-button', class: 'text-button', 'aria-haspopup': 'dialog' },
    icon(ICONS.share), el('span', {}, t('share')));
  const link = el('input', { id: 'share-link', type: 'text', readonly: true, class: 'link-field' });
  const feedback = el('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const copy = el('button', { type: 'button', class: 'text-button', id: 'share-copy' }, icon(ICONS.copy), el('span', {}, t('copy')));
  const qr = el('img', { id: 'share-qr', class: 'qr', alt: t('share_qr'), width: 200, height: 200 });
  const close = iconButton('share-close', t('close'), ICONS.close, { class: 'icon-button dialog-close' });
  const titleId = uniqueId('share-title');
  const dialog = el('dialog', { id: 'share-dialog', class: 'dialog', 'aria-labelledby': titleId },
    el('div', { class: 'dialog-head' }, el('h2', { id: titleId }, t('share_title')), close),
    el('div', { class: 'dialog-body' },
      el('label', { for: 'share-link' }, t('share_link')),
      el('div', { class: 'copy-row' }, link, copy),
      feedback,
      qr));
  parent.appendChild(dialog);
  closeOnBackdrop(dialog);
  close.addEventListener('click', () => dialog.close());
  link.addEventListener('focus', () => link.select());
  copy.addEventListener('click', () => void copyField(link, (m) => (feedback.textContent = m)));
  button.addEventListener('click', () => {
    const permalink = urls.permalink();
    link.value = permalink;
    qr.setAttribute('src', api.qrUrl(permalink));
    feedback.textContent = '';
    dialog.showModal();
    link.focus();
  });
  dialog.addEventListener('close', () => button.focus());
  return button;
}
