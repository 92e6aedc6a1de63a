// The layer information dialog (#layer-info): abstract, licence,
// source note, "Stand", metadata link and, for open data, the downloads
// with their sizes (clauses L1, L5, L6).

import { el, iconButton, replaceChildren, safeUrl } from './dom';
import { ICONS } from './icons';
import { formatDate, formatNumber, getLang, t } from './i18n';
import type { Catalogue } from './catalogue';
import type { LayerData } from './api';

/** Where the dialog gets the open-data files from (`Api.data`). */
export interface DataSource {
  data(lang: 'de' | 'en'): Promise<Map<string, LayerData>>;
}

/** Bytes as `12,3 MB` (decimal units). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${formatNumber(bytes)} B`;
  if (bytes < 1_000_000) return `${formatNumber(bytes / 1000, 1, 1)} kB`;
  return `${formatNumber(bytes / 1_000_000, 1, 1)} MB`;
}

export class LayerInfoDialog {
  private readonly dialog: HTMLDialogElement;
  private readonly heading: HTMLElement;
  private readonly body: HTMLElement;
  private returnFocus: HTMLElement | null = null;
  /** `/api/data`, asked once per language when a dialog first needs it. */
  private data: Promise<Map<string, LayerData>> | null = null;

  constructor(
    parent: HTMLElement,
    private readonly catalogue: Catalogue,
    private readonly source: DataSource | null = null,
  ) {
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
  show(title: string, content: (HTMLElement | null)[], from?: HTMLElement): void {
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
    const downloads = el('div', { class: 'layer-downloads' });
    this.show(def.title, [def.abstract ? el('p', { class: 'abstract' }, def.abstract) : null, list, downloads], from);
    void this.showDownloads(id, downloads);
  }

  /** Lists the layer's open-data files, if it has any. */
  private async showDownloads(id: string, target: HTMLElement): Promise<void> {
    if (!this.source) return;
    this.data ??= this.source.data(getLang());
    let files: LayerData | undefined;
    try {
      files = (await this.data).get(id);
    } catch {
      // Without the list the dialog stays as it is; ask again next time.
      this.data = null;
      return;
    }
    if (!files || files.files.length === 0) return;
    const headingId = `layer-downloads-${id}`;
    const items = files.files.map((file) =>
      el('li', {},
        el('a', { href: file.url, download: '', class: 'download', 'data-format': file.format }, file.label),
        ` (${t('download_zip')}, ${formatSize(file.size)})`));
    if (files.kmlUrl) {
      items.push(el('li', {}, el('a', { href: files.kmlUrl, class: 'download', 'data-format': 'kml-plain' }, t('download_kml_plain'))));
    }
    replaceChildren(target,
      el('h3', { id: headingId }, t('downloads')),
      el('p', { class: 'hint' }, t('downloads_hint', { licence: files.licence })),
      el('ul', { 'aria-labelledby': headingId }, ...items));
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
