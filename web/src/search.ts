// #search: a combobox (ARIA 1.2 pattern) over /api/search. Choosing a hit
// zooms to it and sets the marker; a layer hit switches the layer on.

import type { Api, SearchResult } from './api';
import { el, icon, iconButton, replaceChildren } from './dom';
import { ICONS } from './icons';
import { getLang, t } from './i18n';
import type { MapView } from './mapview';
import type { Store } from './store';

const DEBOUNCE_MS = 150;
const SEARCH_SCALE = 25000;

export class Search {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private readonly clearMarker: HTMLButtonElement;
  private readonly live: HTMLElement;
  private results: SearchResult[] = [];
  private active = -1;
  private timer: number | undefined;
  private controller: AbortController | null = null;
  private lastQuery = '';

  constructor(
    private readonly api: Api,
    private readonly mapView: MapView,
    private readonly store: Store,
    private readonly onLayer: (id: string) => void,
  ) {
    this.input = el('input', {
      id: 'search', type: 'search', role: 'combobox', autocomplete: 'off', spellcheck: 'false',
      'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'search-results',
      'aria-label': t('search'), placeholder: t('search_placeholder'), maxlength: 200,
    });
    this.list = el('ul', { id: 'search-results', role: 'listbox', 'aria-label': t('search_results'), class: 'search-results', hidden: true });
    this.clearMarker = iconButton('marker-clear', t('marker_clear'), ICONS.close, { hidden: !store.marker });
    this.clearMarker.addEventListener('click', () => store.setMarker(null));
    store.subscribe((change) => {
      if (change === 'marker') this.clearMarker.hidden = !store.marker;
    });
    // Result counts are read out, not shown: the list itself shows them.
    this.live = el('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.element = el('div', { class: 'search', role: 'search' },
      el('span', { class: 'search-icon' }, icon(ICONS.search)),
      this.input, this.clearMarker, this.list, this.live);

    this.input.addEventListener('input', () => this.schedule());
    this.input.addEventListener('keydown', (event) => this.onKey(event));
    this.input.addEventListener('blur', () => window.setTimeout(() => {
      if (!this.element.contains(document.activeElement)) this.close();
    }, 150));
    this.input.addEventListener('focus', () => {
      if (this.results.length && this.input.value.trim() === this.lastQuery) this.open();
    });
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    const query = this.input.value.trim();
    if (query.length < 2) {
      this.controller?.abort();
      this.results = [];
      this.lastQuery = '';
      this.close();
      return;
    }
    this.timer = window.setTimeout(() => void this.run(query), DEBOUNCE_MS);
  }

  private async run(query: string): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    let results: SearchResult[];
    try {
      results = await this.api.search(query, getLang(), controller.signal);
    } catch {
      if (controller.signal.aborted) return;
      this.results = [];
      this.renderMessage(t('search_failed'));
      return;
    }
    if (controller.signal.aborted || this.input.value.trim() !== query) return;
    this.lastQuery = query;
    this.results = results;
    this.active = -1;
    this.render();
  }

  private renderMessage(message: string): void {
    replaceChildren(this.list, el('li', { class: 'search-message', role: 'presentation' }, message));
    this.open();
    this.live.textContent = message;
  }

  private render(): void {
    if (!this.results.length) {
      this.renderMessage(t('search_none'));
      return;
    }
    const items = this.results.map((hit, index) =>
      el('li', { id: `search-option-${index}`, role: 'option', 'aria-selected': 'false', class: 'search-option', 'data-kind': hit.kind },
        el('span', { class: 'search-label' }, hit.label),
        hit.detail ? el('span', { class: 'search-detail' }, hit.detail) : null,
        hit.kindLabel ? el('span', { class: 'search-kind' }, hit.kindLabel) : null));
    items.forEach((item, index) => {
      // mousedown would blur the input before the click lands.
      item.addEventListener('mousedown', (event) => event.preventDefault());
      item.addEventListener('click', () => this.choose(index));
    });
    replaceChildren(this.list, ...items);
    this.open();
    this.live.textContent = t('search_count', { n: this.results.length });
  }

  private open(): void {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  private close(): void {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  }

  private setActive(index: number): void {
    const options = Array.from(this.list.querySelectorAll<HTMLElement>('[role=option]'));
    if (!options.length) return;
    this.active = (index + options.length) % options.length;
    options.forEach((option, i) => {
      const selected = i === this.active;
      option.setAttribute('aria-selected', String(selected));
      option.classList.toggle('active', selected);
    });
    const current = options[this.active];
    this.input.setAttribute('aria-activedescendant', current.id);
    current.scrollIntoView({ block: 'nearest' });
  }

  private onKey(event: KeyboardEvent): void {
    const expanded = !this.list.hidden;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (!expanded && this.results.length) this.open();
        this.setActive(this.active + 1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (!expanded && this.results.length) this.open();
        this.setActive(this.active < 0 ? -1 : this.active - 1);
        break;
      case 'Enter':
        if (expanded && this.results.length) {
          event.preventDefault();
          this.choose(this.active >= 0 ? this.active : 0);
        }
        break;
      case 'Escape':
        if (expanded) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = '';
          this.results = [];
        }
        break;
      default:
        break;
    }
  }

  choose(index: number): void {
    const hit = this.results[index];
    if (!hit) return;
    this.input.value = hit.label;
    this.close();
    const point: [number, number] | null =
      hit.x !== null && hit.y !== null
        ? [hit.x, hit.y]
        : hit.bbox
          ? [(hit.bbox[0] + hit.bbox[2]) / 2, (hit.bbox[1] + hit.bbox[3]) / 2]
          : null;
    if (hit.bbox) this.mapView.fit(hit.bbox);
    else if (point) this.mapView.centerOn(point, SEARCH_SCALE);
    if (point) this.store.setMarker(point);
    if (hit.layer && this.store.catalogue.has(hit.layer)) {
      this.store.setVisible(hit.layer, true);
      this.onLayer(hit.layer);
    }
  }
}
