// #attribution: the source notes of exactly the base map and the visible
// layers, deduplicated, always on screen (clause L1). The strings come from
// the server and already say "Daten geändert" where the data were modified.

import { el, replaceChildren } from './dom';
import type { Store } from './store';

export function attributionsFor(store: Store): string[] {
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

export function mountAttribution(target: HTMLElement, store: Store): void {
  const render = (): void => {
    const notes = attributionsFor(store);
    replaceChildren(target, notes.length ? el('ul', {}, ...notes.map((n) => el('li', {}, n))) : null);
    target.hidden = notes.length === 0;
  };
  render();
  store.subscribe((change) => {
    if (change === 'layers' || change === 'base') render();
  });
}
