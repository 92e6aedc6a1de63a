// #attribution: the source notes of exactly the base map and the visible
// layers, always on screen (clause L1). What they say is the server's
// answer (`/api/attribution`, the same single function that attributes
// exports and WMS capabilities); the viewer only shows it.
//
// Layer and base changes are debounced, an older request is cancelled by a
// newer one, and a failed request keeps the last good answer on screen.

import type { Api } from './api';
import { el, replaceChildren } from './dom';
import type { Lang } from './i18n';
import type { Store } from './store';

/** Quiet time after the last layer or base change before asking the server. */
const DEBOUNCE_MS = 150;

/**
 * The notes from the layer list, deduplicated: shown only while the server
 * has not answered even once (it is down, or older than the endpoint), so
 * the sources are never missing from the map.
 */
export function catalogueNotes(store: Store): string[] {
  const notes: string[] = [];
  const add = (note: string): void => {
    const text = note.trim();
    if (text && !notes.includes(text)) notes.push(text);
  };
  const base = store.catalogue.basemap(store.base);
  if (base) base.attribution.forEach(add);
  for (const id of store.visibleIds()) add(store.catalogue.layer(id)?.attribution ?? '');
  return notes;
}

export function mountAttribution(target: HTMLElement, store: Store, api: Api, lang: Lang): void {
  let answered = false;
  let timer: number | undefined;
  let pending: AbortController | null = null;

  const render = (notes: string[]): void => {
    replaceChildren(target, notes.length ? el('ul', {}, ...notes.map((n) => el('li', {}, n))) : null);
    target.hidden = notes.length === 0;
  };

  const ask = async (): Promise<void> => {
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    try {
      const notes = await api.attribution(store.visibleIds(), store.base, lang, controller.signal);
      if (controller.signal.aborted) return;
      answered = true;
      target.dataset.source = 'server';
      render(notes);
    } catch (error) {
      if (controller.signal.aborted) return;
      // Keep the last good answer; before the first one, the layer list's.
      console.warn('attribution:', error);
      if (!answered) {
        target.dataset.source = 'catalogue';
        render(catalogueNotes(store));
      }
    } finally {
      if (pending === controller) pending = null;
    }
  };

  void ask();
  store.subscribe((change) => {
    if (change !== 'layers' && change !== 'base') return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void ask(), DEBOUNCE_MS);
  });
}
