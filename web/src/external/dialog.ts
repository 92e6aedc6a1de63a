// "Karten hinzufügen" / "Add maps": the user pastes a WMS address; numis
// reads the service's capabilities and the dialog shows its title,
// provider, access constraints and fees and its layers (title, abstract,
// legend, coordinate systems) before anything is added (clause P7). The
// ticked layers join the "Externe Karten" group. A modal <dialog>: it keeps
// the focus inside, Escape closes it, the focus returns to the opener;
// loading and errors are announced (status, alert).

import { el, iconButton, replaceChildren, uniqueId } from '../dom';
import { ICONS } from '../icons';
import { getLang, t } from '../i18n';
import { closeOnBackdrop } from '../layerinfo';
import { ExternalError, type ExternalApi, type WmsLayerInfo, type WmsService } from './api';
import { chooseCrs } from './maplayers';
import { MAX_EXTERNAL_LAYERS, type ExternalState } from './state';
import { externalUrl } from './urls';

/** Layers listed at most (a service may have thousands). */
const MAX_LISTED = 300;
/** Coordinate systems named per layer at most. */
const MAX_CRS_SHOWN = 6;

export class AddMapsDialog {
  private readonly dialog: HTMLDialogElement;
  private readonly url: HTMLInputElement;
  private readonly load: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly serviceBox: HTMLElement;
  private readonly add: HTMLButtonElement;
  private service: WmsService | null = null;
  private pending: AbortController | null = null;
  private returnFocus: HTMLElement | null = null;

  constructor(
    parent: HTMLElement,
    private readonly api: ExternalApi,
    private readonly state: ExternalState,
    private readonly say: (message: string) => void,
  ) {
    this.url = el('input', {
      id: 'external-url', name: 'url', type: 'url', inputmode: 'url', autocomplete: 'url', spellcheck: 'false',
      placeholder: 'https://…', maxlength: 2000, 'aria-describedby': 'external-url-hint',
    });
    this.load = el('button', { type: 'submit', id: 'external-load', class: 'text-button' }, t('external_load'));
    this.status = el('p', { id: 'external-status', class: 'feedback', role: 'status', 'aria-live': 'polite' });
    this.error = el('p', { id: 'external-error', class: 'form-error', role: 'alert' });
    const form = el('form', { id: 'external-form', class: 'external-form', novalidate: true },
      el('label', { for: 'external-url' }, t('external_url')),
      el('div', { class: 'copy-row' }, this.url, this.load),
      el('p', { id: 'external-url-hint', class: 'hint' }, t('external_url_hint')),
      this.status,
      this.error);
    this.serviceBox = el('section', { id: 'external-service', class: 'external-service', hidden: true });
    this.add = el('button', { type: 'button', id: 'external-add-selected', class: 'text-button primary' }, t('external_add_selected'));
    const cancel = el('button', { type: 'button', id: 'external-cancel', class: 'text-button' }, t('cancel'));
    const close = iconButton('external-close', t('close'), ICONS.close, { class: 'icon-button dialog-close' });
    const titleId = uniqueId('external-title');
    this.dialog = el('dialog', { id: 'external-dialog', class: 'dialog external-dialog', 'aria-labelledby': titleId },
      el('div', { class: 'dialog-head' }, el('h2', { id: titleId }, t('external_title')), close),
      el('div', { class: 'dialog-body' },
        form,
        this.serviceBox,
        el('div', { class: 'button-row external-actions' }, cancel, this.add)));
    parent.appendChild(this.dialog);
    closeOnBackdrop(this.dialog);

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.read();
    });
    this.add.addEventListener('click', () => this.addSelected());
    cancel.addEventListener('click', () => this.dialog.close());
    close.addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => {
      this.pending?.abort();
      this.returnFocus?.focus();
    });
  }

  open(from: HTMLElement): void {
    this.returnFocus = from;
    this.showError('');
    this.status.textContent = '';
    this.add.hidden = this.service === null;
    this.dialog.showModal();
    this.url.focus();
  }

  private showError(message: string): void {
    this.error.textContent = message;
    this.url.setAttribute('aria-invalid', String(message !== '' && this.service === null));
    if (message) this.url.setAttribute('aria-errormessage', 'external-error');
    else this.url.removeAttribute('aria-errormessage');
  }

  private async read(): Promise<void> {
    const url = externalUrl(this.url.value);
    this.service = null;
    this.serviceBox.hidden = true;
    this.add.hidden = true;
    if (!url) {
      this.status.textContent = '';
      this.showError(t('external_url_invalid'));
      this.url.focus();
      return;
    }
    this.showError('');
    this.pending?.abort();
    const controller = new AbortController();
    this.pending = controller;
    this.load.disabled = true;
    this.dialog.setAttribute('aria-busy', 'true');
    this.status.textContent = t('external_loading');
    try {
      const service = await this.api.capabilities(url, getLang(), controller.signal);
      if (controller.signal.aborted) return;
      this.service = service;
      this.renderService(service);
      this.status.textContent = service.layers.length
        ? t('external_loaded', { n: service.layers.length })
        : t('external_no_layers');
    } catch (error) {
      if (controller.signal.aborted) return;
      this.status.textContent = '';
      const message = error instanceof ExternalError ? error.message : error instanceof Error ? error.message : String(error);
      this.showError(t('external_failed', { m: message }));
    } finally {
      if (this.pending === controller) this.pending = null;
      this.load.disabled = false;
      this.dialog.removeAttribute('aria-busy');
    }
  }

  private renderService(service: WmsService): void {
    const none = (value: string): string => value || t('external_none');
    const headingId = uniqueId('external-service-title');
    const listed = service.layers.slice(0, MAX_LISTED);
    replaceChildren(this.serviceBox,
      el('h3', { id: headingId, class: 'external-service-title' }, service.title || service.url),
      service.abstract ? el('p', { class: 'abstract external-abstract' }, service.abstract) : null,
      el('dl', { class: 'facts external-facts' },
        el('dt', {}, t('external_provider')), el('dd', { id: 'external-provider' }, none(service.provider)),
        el('dt', {}, t('external_constraints')), el('dd', { id: 'external-constraints' }, none(service.accessConstraints)),
        el('dt', {}, t('external_fees')), el('dd', { id: 'external-fees' }, none(service.fees)),
        el('dt', {}, t('external_service')), el('dd', { class: 'external-url' }, `${service.url} (WMS ${service.version})`)),
      el('p', { class: 'external-terms' }, t('external_terms')),
      listed.length
        ? el('fieldset', { class: 'external-layers' },
          el('legend', {}, t('external_layers')),
          el('ul', { id: 'external-layer-list', class: 'external-layer-list' }, ...listed.map((layer) => this.renderLayer(service, layer))))
        : null,
      service.layers.length > listed.length
        ? el('p', { class: 'hint' }, t('external_more_layers', { n: listed.length, total: service.layers.length }))
        : null);
    this.serviceBox.setAttribute('aria-labelledby', headingId);
    this.serviceBox.hidden = false;
    this.add.hidden = listed.length === 0;
  }

  private renderLayer(service: WmsService, layer: WmsLayerInfo): HTMLElement {
    const id = uniqueId('external-layer');
    const crs = chooseCrs(layer);
    const added = this.state.find(service.url, layer.name)?.visible === true;
    const box = el('input', { type: 'checkbox', id, 'data-wms-layer': layer.name, disabled: crs === null, 'aria-describedby': `${id}-about` });
    box.checked = added;
    const shown = layer.crs.slice(0, MAX_CRS_SHOWN).join(', ') + (layer.crs.length > MAX_CRS_SHOWN ? ', …' : '');
    const crsText = crs === null
      ? t('external_no_crs')
      : `${t('external_crs', { list: shown })}${crs === 'EPSG:25832' ? '' : ` – ${t('external_reprojected', { crs })}`}`;
    return el('li', { class: 'external-choice' },
      el('div', { class: 'check' }, box,
        el('label', { for: id }, el('span', { class: 'external-layer-title' }, layer.title), ' ',
          el('code', { class: 'external-layer-name' }, layer.name))),
      el('div', { id: `${id}-about`, class: 'external-about' },
        layer.abstract ? el('p', { class: 'hint external-layer-abstract' }, layer.abstract) : null,
        el('p', { class: 'hint external-crs' }, crsText)),
      layer.legend
        ? el('img', { class: 'external-legend-preview', src: this.api.legendUrl(service.url, layer.name), alt: t('legend_of', { title: layer.title }), loading: 'lazy' })
        : null);
  }

  private addSelected(): void {
    const service = this.service;
    if (!service) return;
    const boxes = Array.from(this.serviceBox.querySelectorAll<HTMLInputElement>('input[data-wms-layer]:checked:not(:disabled)'));
    const chosen = boxes
      .map((box) => service.layers.find((l) => l.name === box.dataset.wmsLayer))
      .filter((l): l is WmsLayerInfo => l !== undefined);
    if (!chosen.length) {
      this.showError(t('external_none_selected'));
      return;
    }
    let added = 0;
    for (const layer of chosen) {
      if (this.state.add(service, layer)) added += 1;
    }
    if (added < chosen.length) {
      this.showError(t('external_full', { n: MAX_EXTERNAL_LAYERS }));
      if (!added) return;
    }
    this.dialog.close();
    this.say(t('external_added', { n: added }));
  }
}
