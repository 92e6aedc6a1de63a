// #attribution: the source notes of exactly the base map and the visible
// layers, always on screen (clause L1). What they say is the server's
// answer (`/api/attribution`, the same single function that attributes
// exports and WMS capabilities); the viewer only shows it.
//
// Layer and base changes are debounced, an older request is cancelled by a
// newer one. A failed request is tried again (after 1, 2, 4 … s, up to
// half a minute apart) until the server answers; the notes on screen stay
// until then. The viewer never joins notes itself: one function decides
// what a source note says, on the server.

import type { Api } from './api';
import { el, replaceChildren } from './dom';
import type { Lang } from './i18n';
import type { Store } from './store';

/** Quiet time after the last layer or base change before asking the server. */
const DEBOUNCE_MS = 150;
/** First and longest wait before asking again after a failure. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** Notes of layers the server does not know (external maps), and when they change. */
export interface ExtraNotes {
  notes: () => string[];
  subscribe: (listener: () => void) => void;
}

export function mountAttribution(target: HTMLElement, store: Store, api: Api, lang: Lang, extra?: ExtraNotes): void {
  let timer: number | undefined;
  let retry = RETRY_FIRST_MS;
  let pending: AbortController | null = null;
  let serverNotes: string[] = [];

  const askSoon = (delay: number): void => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void ask(), delay);
  };

  const render = (): void => {
    const notes = [...serverNotes];
    for (const note of extra?.notes() ?? []) if (!notes.includes(note)) notes.push(note);
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
      retry = RETRY_FIRST_MS;
      serverNotes = notes;
      render();
    } catch (error) {
      if (controller.signal.aborted) return;
      console.warn('attribution:', error);
      askSoon(retry);
      retry = Math.min(retry * 2, RETRY_MAX_MS);
    } finally {
      if (pending === controller) pending = null;
    }
  };

  void ask();
  extra?.subscribe(render);
  store.subscribe((change) => {
    if (change !== 'layers' && change !== 'base') return;
    askSoon(DEBOUNCE_MS);
  });
}
