// The dialog after saving (or copying) a drawing: the view link and the
// edit link, each with a copy button and a QR code made in the browser,
// the expiry date, and a warning — shown until the edit link was copied —
// that the edit link is the only way to change or delete the drawing.
// A drawing saved in "Mein NUMIS" says so instead, with a link to the list
// of one's drawings (its owner changes it there without the key, so it
// may have no edit link at all here).

import { el, iconButton, icon, replaceChildren, uniqueId } from '../dom';
import { ICONS } from '../icons';
import { accountPage } from '../account';
import { formatInstant, getLang, t } from '../i18n';
import { closeOnBackdrop } from '../layerinfo';
import { copyField } from '../share';
import { qrCode } from './qr';

export interface DrawingLinks {
  id: string;
  view: string;
  /** null: opened by its owner without the key. */
  edit: string | null;
  expiresAt: string | null;
  /** Bound to the logged-in account. */
  inAccount: boolean;
}

export class DrawingShareDialog {
  private readonly dialog: HTMLDialogElement;
  private readonly viewField: HTMLInputElement;
  private readonly editField: HTMLInputElement;
  private readonly viewQr: HTMLElement;
  private readonly editQr: HTMLElement;
  private readonly expiry: HTMLElement;
  private readonly warning: HTMLElement;
  private readonly account: HTMLElement;
  private readonly editSection: HTMLElement;
  private readonly feedback: HTMLElement;
  /** Drawings whose edit link was copied: the warning has done its job. */
  private readonly copied = new Set<string>();
  private current: DrawingLinks | null = null;
  private returnFocus: HTMLElement | null = null;

  constructor(parent: HTMLElement) {
    this.viewField = el('input', { id: 'draw-share-view', type: 'text', readonly: true, class: 'link-field' });
    this.editField = el('input', { id: 'draw-share-edit', type: 'text', readonly: true, class: 'link-field' });
    const viewCopy = el('button', { type: 'button', class: 'text-button', id: 'draw-share-view-copy' },
      icon(ICONS.copy), el('span', {}, t('copy')));
    const editCopy = el('button', { type: 'button', class: 'text-button', id: 'draw-share-edit-copy' },
      icon(ICONS.copy), el('span', {}, t('copy')));
    this.viewQr = el('div', { class: 'qr-box' });
    this.editQr = el('div', { class: 'qr-box' });
    this.expiry = el('p', { id: 'draw-share-expiry', class: 'hint' });
    this.warning = el('p', { id: 'draw-share-warning', class: 'draw-warning', role: 'alert' }, t('draw_share_warning'));
    this.account = el('div', { id: 'draw-share-account', class: 'draw-account-notice', hidden: true },
      el('p', { class: 'draw-account-title' }, icon(ICONS.person), el('strong', {}, t('draw_account_saved'))),
      el('p', {}, t('draw_account_hint'), ' ',
        el('a', { id: 'draw-share-account-link', href: accountPage('drawings', getLang()) }, t('draw_account_link'))));
    this.feedback = el('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
    this.editSection = el('section', { class: 'draw-share-link' },
      el('h3', {}, el('label', { for: 'draw-share-edit' }, t('draw_share_edit'))),
      el('p', { class: 'hint' }, t('draw_share_edit_hint')),
      el('div', { class: 'copy-row' }, this.editField, editCopy),
      this.editQr);
    const close = iconButton('draw-share-close', t('close'), ICONS.close, { class: 'icon-button dialog-close' });
    const titleId = uniqueId('draw-share-title');
    this.dialog = el('dialog', { id: 'draw-share-dialog', class: 'dialog dialog-wide draw-share draw-dialog', 'aria-labelledby': titleId },
      el('div', { class: 'dialog-head' }, el('h2', { id: titleId }, t('draw_share_title')), close),
      el('div', { class: 'dialog-body' },
        this.account,
        this.warning,
        el('div', { class: 'draw-share-grid' },
          el('section', { class: 'draw-share-link' },
            el('h3', {}, el('label', { for: 'draw-share-view' }, t('draw_share_view'))),
            el('p', { class: 'hint' }, t('draw_share_view_hint')),
            el('div', { class: 'copy-row' }, this.viewField, viewCopy),
            this.viewQr),
          this.editSection),
        this.feedback,
        this.expiry));
    parent.appendChild(this.dialog);
    closeOnBackdrop(this.dialog);
    close.addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => this.returnFocus?.focus());
    for (const field of [this.viewField, this.editField]) field.addEventListener('focus', () => field.select());
    viewCopy.addEventListener('click', () => void copyField(this.viewField, (m) => (this.feedback.textContent = m)));
    editCopy.addEventListener('click', () => {
      void copyField(this.editField, (m) => (this.feedback.textContent = m));
      if (this.current) this.copied.add(this.current.id);
      this.warning.hidden = true;
    });
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  open(links: DrawingLinks, from?: HTMLElement | null): void {
    this.current = links;
    this.returnFocus = from ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    this.viewField.value = links.view;
    this.editField.value = links.edit ?? '';
    replaceChildren(this.viewQr, qrCode(links.view, t('draw_share_view_qr'), 'draw-share-view-qr'));
    replaceChildren(this.editQr, links.edit ? qrCode(links.edit, t('draw_share_edit_qr'), 'draw-share-edit-qr') : null);
    this.editSection.hidden = links.edit === null;
    this.account.hidden = !links.inAccount;
    // Saved in the account, the edit link is no longer the only way back.
    this.warning.hidden = links.inAccount || links.edit === null || this.copied.has(links.id);
    this.feedback.textContent = '';
    if (links.expiresAt) {
      replaceChildren(this.expiry, t('draw_expires'), ' ',
        el('time', { datetime: links.expiresAt }, formatInstant(links.expiresAt)));
    } else {
      replaceChildren(this.expiry);
    }
    if (!this.dialog.open) this.dialog.showModal();
    this.viewField.focus();
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }
}

/** A modal confirmation (never window.confirm): resolves true when confirmed. */
export class ConfirmDialog {
  private readonly dialog: HTMLDialogElement;
  private readonly text: HTMLElement;
  private resolve: ((ok: boolean) => void) | null = null;

  /** Ids: `${prefix}-dialog`, `${prefix}-confirm`, `${prefix}-cancel`. */
  constructor(parent: HTMLElement, prefix: string, title: string, confirmLabel: string) {
    const titleId = uniqueId(`${prefix}-title`);
    this.text = el('p', { id: `${prefix}-text` });
    const confirm = el('button', { type: 'button', id: `${prefix}-confirm`, class: 'text-button danger' }, confirmLabel);
    const cancel = el('button', { type: 'button', id: `${prefix}-cancel`, class: 'text-button' }, t('cancel'));
    this.dialog = el('dialog', { id: `${prefix}-dialog`, class: 'dialog draw-dialog', role: 'alertdialog', 'aria-labelledby': titleId, 'aria-describedby': `${prefix}-text` },
      el('div', { class: 'dialog-head' }, el('h2', { id: titleId }, title)),
      el('div', { class: 'dialog-body' }, this.text, el('div', { class: 'button-row' }, cancel, confirm)));
    parent.appendChild(this.dialog);
    confirm.addEventListener('click', () => this.finish(true));
    cancel.addEventListener('click', () => this.finish(false));
    this.dialog.addEventListener('close', () => this.finish(false));
  }

  private finish(ok: boolean): void {
    const resolve = this.resolve;
    this.resolve = null;
    if (this.dialog.open) this.dialog.close();
    resolve?.(ok);
  }

  ask(text: string): Promise<boolean> {
    this.finish(false);
    this.text.textContent = text;
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.dialog.showModal();
      // The safe choice has the focus.
      this.dialog.querySelector<HTMLButtonElement>('button[id$="-cancel"]')?.focus();
    });
  }
}

/** Reporting a drawing for abuse: a reason, sent or cancelled. */
export class ReportDialog {
  private readonly dialog: HTMLDialogElement;
  private readonly reason: HTMLTextAreaElement;
  private readonly feedback: HTMLElement;
  private readonly send: HTMLButtonElement;
  private handler: ((reason: string) => Promise<string | null>) | null = null;

  constructor(parent: HTMLElement) {
    const titleId = uniqueId('draw-report-title');
    this.reason = el('textarea', { id: 'draw-report-reason', rows: 4, maxlength: 1000, required: true });
    this.feedback = el('p', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
    this.send = el('button', { type: 'button', id: 'draw-report-send', class: 'text-button danger' }, t('draw_report_send'));
    const cancel = el('button', { type: 'button', id: 'draw-report-cancel', class: 'text-button' }, t('cancel'));
    this.dialog = el('dialog', { id: 'draw-report-dialog', class: 'dialog draw-dialog', 'aria-labelledby': titleId },
      el('div', { class: 'dialog-head' }, el('h2', { id: titleId }, t('draw_report_title'))),
      el('div', { class: 'dialog-body' },
        el('p', { class: 'hint' }, t('draw_report_hint')),
        el('label', { for: 'draw-report-reason' }, t('draw_report_reason')),
        this.reason,
        this.feedback,
        el('div', { class: 'button-row' }, cancel, this.send)));
    parent.appendChild(this.dialog);
    closeOnBackdrop(this.dialog);
    cancel.addEventListener('click', () => this.dialog.close());
    this.send.addEventListener('click', () => void this.submit());
  }

  private async submit(): Promise<void> {
    const reason = this.reason.value.trim();
    if (!reason) {
      this.feedback.textContent = t('draw_report_empty');
      this.reason.focus();
      return;
    }
    if (!this.handler) return;
    this.send.disabled = true;
    const error = await this.handler(reason);
    this.send.disabled = false;
    if (error) {
      this.feedback.textContent = error;
    } else {
      this.dialog.close();
    }
  }

  /** Opens the dialog; `handler` sends the reason and answers an error text or null. */
  open(handler: (reason: string) => Promise<string | null>): void {
    this.handler = handler;
    this.reason.value = '';
    this.feedback.textContent = '';
    this.dialog.showModal();
    this.reason.focus();
  }
}
