// "Ansicht speichern": while logged in, the current map view (the
// permalink's query: extent, scale, layers, base map, marker, drawing)
// is saved under a name in "Mein NUMIS" (POST /api/me/views), which lists
// it at /konto/ansichten. A modal <dialog>: it keeps the focus inside,
// Escape closes it, and its heading names it.

import { accountKnown, accountPage, onAccountChange, refreshAccount, unsafeFetch } from './account';
import { el, icon, iconButton, uniqueId } from './dom';
import { getLang, t } from './i18n';
import { ICONS } from './icons';
import { closeOnBackdrop } from './layerinfo';
import type { UrlSync } from './urlsync';

/** As the server allows (MAX_VIEW_NAME_CHARS). */
const MAX_NAME = 100;

async function errorText(response: Response): Promise<string> {
  try {
    const body: unknown = await response.json();
    const error = body && typeof body === 'object' ? (body as Record<string, unknown>).error : null;
    if (typeof error === 'string' && error) return error.slice(0, 300);
  } catch {
    // Not JSON: the status says enough.
  }
  return `${response.status} ${response.statusText}`.trim();
}

export function saveViewButton(parent: HTMLElement, api: string, urls: UrlSync): HTMLButtonElement {
  const button = el('button', { type: 'button', id: 'save-view-button', class: 'text-button', 'aria-haspopup': 'dialog', hidden: true },
    icon(ICONS.bookmark), el('span', {}, t('view_save')));
  const name = el('input', {
    id: 'save-view-name', name: 'name', type: 'text', maxlength: MAX_NAME, required: true, autocomplete: 'off',
    'aria-describedby': 'save-view-hint',
  });
  const error = el('p', { id: 'save-view-error', class: 'form-error', role: 'alert' });
  const submit = el('button', { type: 'submit', id: 'save-view-submit', class: 'text-button primary' }, t('view_save_submit'));
  const cancel = el('button', { type: 'button', id: 'save-view-cancel', class: 'text-button' }, t('cancel'));
  const form = el('form', { id: 'save-view-form', class: 'save-view-form', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'save-view-name' }, t('view_name')), name),
    el('p', { id: 'save-view-hint', class: 'hint' }, t('view_name_hint')),
    error,
    el('div', { class: 'button-row' }, cancel, submit));
  const doneText = el('span', {});
  const doneLink = el('a', { id: 'save-view-link', href: accountPage('views', getLang()) }, t('view_saved_link'));
  const done = el('div', { id: 'save-view-done', class: 'save-view-done', hidden: true },
    el('p', { role: 'status' }, doneText),
    el('p', {}, doneLink));
  const close = iconButton('save-view-close', t('close'), ICONS.close, { class: 'icon-button dialog-close' });
  const titleId = uniqueId('save-view-title');
  const dialog = el('dialog', { id: 'save-view-dialog', class: 'dialog', 'aria-labelledby': titleId },
    el('div', { class: 'dialog-head' }, el('h2', { id: titleId }, t('view_save_title')), close),
    el('div', { class: 'dialog-body' }, form, done));
  parent.appendChild(dialog);
  closeOnBackdrop(dialog);

  const showError = (text: string): void => {
    error.textContent = text;
    name.setAttribute('aria-invalid', String(text !== ''));
    if (text) name.setAttribute('aria-errormessage', 'save-view-error');
    else name.removeAttribute('aria-errormessage');
  };

  const save = async (): Promise<void> => {
    const value = name.value.trim();
    if (!value) {
      showError(t('view_name_empty'));
      name.focus();
      return;
    }
    showError('');
    submit.disabled = true;
    try {
      const response = await unsafeFetch(`${api}/me/views`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ name: value, state: urls.query() }),
      });
      if (response.status === 401) {
        void refreshAccount();
        showError(t('view_save_logged_out'));
        return;
      }
      if (!response.ok) {
        showError(t('view_save_failed', { m: await errorText(response) }));
        return;
      }
      doneText.textContent = t('view_saved', { name: value });
      form.hidden = true;
      done.hidden = false;
      doneLink.focus();
    } catch (failure) {
      showError(t('view_save_failed', { m: failure instanceof Error ? failure.message : String(failure) }));
    } finally {
      submit.disabled = false;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  cancel.addEventListener('click', () => dialog.close());
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => button.focus());
  button.addEventListener('click', () => {
    form.hidden = false;
    done.hidden = true;
    name.value = '';
    showError('');
    dialog.showModal();
    name.focus();
  });

  // Offered only while logged in.
  const show = (loggedIn: boolean): void => {
    button.hidden = !loggedIn;
  };
  void accountKnown().then((account) => show(account !== null));
  onAccountChange((account) => show(account !== null));
  return button;
}
