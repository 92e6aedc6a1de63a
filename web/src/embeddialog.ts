// The embed dialog: size, layer list and Ctrl+wheel options, a live preview
// and the <iframe> snippet to paste into another site (clause P6).

import { el, icon, iconButton, uniqueId } from './dom';
import { ICONS } from './icons';
import { t } from './i18n';
import { closeOnBackdrop } from './layerinfo';
import { copyField } from './share';
import type { Shell } from './shell';
import type { UrlSync } from './urlsync';

export const EMBED_SIZES = {
  small: [400, 300],
  medium: [640, 480],
  large: [960, 640],
} as const;

const MIN_SIZE = 200;
const MAX_SIZE = 2000;

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The HTML snippet (as text: it is shown in a textarea, never parsed here). */
export function iframeSnippet(src: string, width: number, height: number, title: string): string {
  return `<iframe src="${escapeAttr(src)}" width="${width}" height="${height}" title="${escapeAttr(title)}"></iframe>`;
}

function clampSize(value: string, fallback: number): number {
  const n = Number(value);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(MAX_SIZE, Math.max(MIN_SIZE, Math.round(n)));
}

export function embedDialog(parent: HTMLElement, shell: Shell, urls: UrlSync): HTMLButtonElement {
  const button = el('button', { type: 'button', id: 'embed-button', class: 'text-button', 'aria-haspopup': 'dialog' },
    icon(ICONS.embed), el('span', {}, t('embed')));
  const size = el('select', { id: 'embed-size' },
    el('option', { value: 'small' }, t('embed_size_small')),
    el('option', { value: 'medium' }, t('embed_size_medium')),
    el('option', { value: 'large' }, t('embed_size_large')),
    el('option', { value: 'custom' }, t('embed_size_custom')));
  size.value = 'medium';
  const width = el('input', { id: 'embed-width', type: 'number', min: MIN_SIZE, max: MAX_SIZE, step: 10, value: 640, inputmode: 'numeric' });
  const height = el('input', { id: 'embed-height', type: 'number', min: MIN_SIZE, max: MAX_SIZE, step: 10, value: 480, inputmode: 'numeric' });
  const custom = el('div', { class: 'custom-size', hidden: true },
    el('div', { class: 'field' }, el('label', { for: 'embed-width' }, t('embed_width')), width),
    el('div', { class: 'field' }, el('label', { for: 'embed-height' }, t('embed_height')), height));
  const tree = el('input', { id: 'embed-tree', type: 'checkbox' });
  const wheel = el('input', { id: 'embed-wheel', type: 'checkbox' });
  const title = `${t('title_map')} – ${shell.siteTitle}`;
  const preview = el('iframe', { id: 'embed-preview', class: 'embed-preview', title: `${t('embed_preview')}: ${title}`, width: 640, height: 480 });
  const snippet = el('textarea', { id: 'embed-snippet', readonly: true, rows: 4, spellcheck: 'false' });
  const feedback = el('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const copy = el('button', { type: 'button', class: 'text-button', id: 'embed-copy' }, icon(ICONS.copy), el('span', {}, t('copy')));
  const close = iconButton('embed-close', t('close'), ICONS.close, { class: 'icon-button dialog-close' });
  const titleId = uniqueId('embed-title');
  const dialog = el('dialog', { id: 'embed-dialog', class: 'dialog dialog-wide', 'aria-labelledby': titleId },
    el('div', { class: 'dialog-head' }, el('h2', { id: titleId }, t('embed_title')), close),
    el('div', { class: 'dialog-body embed-grid' },
      el('div', { class: 'embed-options' },
        el('div', { class: 'field' }, el('label', { for: 'embed-size' }, t('embed_size')), size),
        custom,
        el('div', { class: 'check' }, tree, el('label', { for: 'embed-tree' }, t('embed_tree'))),
        el('div', { class: 'check' }, wheel, el('label', { for: 'embed-wheel' }, t('embed_wheel'))),
        el('label', { for: 'embed-snippet' }, t('embed_snippet')),
        snippet,
        el('div', { class: 'copy-row' }, copy),
        feedback,
        el('p', { class: 'hint' }, t('embed_terms'))),
      el('div', { class: 'embed-preview-box' },
        el('p', { class: 'preview-label' }, t('embed_preview')),
        el('div', { class: 'embed-preview-wrap' }, preview))));
  parent.appendChild(dialog);
  closeOnBackdrop(dialog);

  const dimensions = (): [number, number] => {
    const choice = size.value;
    if (choice === 'small' || choice === 'medium' || choice === 'large') {
      const [w, h] = EMBED_SIZES[choice];
      return [w, h];
    }
    return [clampSize(width.value, 640), clampSize(height.value, 480)];
  };
  let lastSrc = '';
  const update = (): void => {
    custom.hidden = size.value !== 'custom';
    const [w, h] = dimensions();
    const src = urls.embedUrl({ tree: tree.checked, wheelCtrl: wheel.checked });
    snippet.value = iframeSnippet(src, w, h, title);
    preview.width = String(w);
    preview.height = String(h);
    if (src !== lastSrc) {
      lastSrc = src;
      preview.setAttribute('src', src);
    }
  };
  for (const control of [size, width, height, tree, wheel]) {
    control.addEventListener('change', update);
    control.addEventListener('input', update);
  }
  copy.addEventListener('click', () => void copyField(snippet, (m) => (feedback.textContent = m)));
  snippet.addEventListener('focus', () => snippet.select());
  close.addEventListener('click', () => dialog.close());
  button.addEventListener('click', () => {
    feedback.textContent = '';
    update();
    dialog.showModal();
  });
  dialog.addEventListener('close', () => {
    // Unload the preview: a second live map is not free.
    preview.removeAttribute('src');
    lastSrc = '';
    button.focus();
  });
  return button;
}
