// The layer information dialog (#layer-info): abstract, licence,
// source note, "Stand" and metadata link (clauses L1, L5, L6).

import { el, iconButton, replaceChildren, safeUrl } from './dom';
import { ICONS } from './icons';
import { formatDate, t } from './i18n';
import type { Catalogue } from './catalogue';

export class LayerInfoDialog {
  private readonly dialog: HTMLDialogElement;
  private readonly heading: HTMLElement;
  private readonly body: HTMLElement;
  private returnFocus: HTMLElement | null = null;

  constructor(parent: HTMLElement, private readonly catalogue: Catalogue) {
    this.heading = el('h2', { id: 'layer-info-title' }, t('layer_info'));
    this.body = el('div', { class: 'dialog-body' });
    const close = iconButton('layer-info-close', t('close'), ICONS.close, { class: 'icon-button dialog-close' });
    this.dialog = el('dialog', { id: 'layer-info', class: 'dialog', 'aria-labelledby': 'layer-info-title' },
      el('div', { class: 'dialog-head' }, this.heading, close),
      this.body);
    close.addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => this.returnFocus?.focus());
    closeOnBackdrop(this.dialog);
    parent.appendChild(this.dialog);
  }

  /** Shows any layer's facts under its title (external layers build their own). */
  show(title: string, content: HTMLElement[], from?: HTMLElement): void {
    this.returnFocus = from ?? null;
    this.heading.textContent = title;
    replaceChildren(this.body, ...content);
    if (!this.dialog.open) this.dialog.showModal();
  }

  open(id: string, from?: HTMLElement): void {
    const def = this.catalogue.layer(id);
    if (!def) return;
    const licenceUrl = safeUrl(def.licence?.url);
    const metadataUrl = safeUrl(def.metadataUrl);
    const row = (label: string, ...value: (Node | string | null)[]): HTMLElement[] => [
      el('dt', {}, label),
      el('dd', {}, ...value),
    ];
    const licence = def.licence;
    const licenceText = licence ? (licence.name && licence.name !== licence.id ? `${licence.id} (${licence.name})` : licence.id) : '';
    const list = el('dl', { class: 'facts' },
      ...row(t('licence'),
        licence
          ? licenceUrl
            ? el('a', { href: licenceUrl, target: '_blank', rel: 'noopener noreferrer', class: 'licence', 'data-licence': licence.id }, licenceText)
            : el('span', { class: 'licence', 'data-licence': licence.id }, licenceText)
          : t('none')),
      ...row(t('attribution'), def.attribution || t('none')),
      ...row(t('data_date'), def.dataDate ? el('time', { datetime: def.dataDate }, formatDate(def.dataDate)) : t('none')),
      ...row(t('metadata'),
        metadataUrl ? el('a', { href: metadataUrl, target: '_blank', rel: 'noopener noreferrer' }, t('metadata_link')) : t('none')),
    );
    this.show(def.title, def.abstract ? [el('p', { class: 'abstract' }, def.abstract), list] : [list], from);
  }
}

/** Clicking the backdrop of a modal dialog closes it. */
export function closeOnBackdrop(dialog: HTMLDialogElement): void {
  dialog.addEventListener('click', (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) dialog.close();
  });
}
