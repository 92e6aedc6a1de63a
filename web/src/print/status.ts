// The panel's progress lines and messages: what a request is doing, and
// the reason it failed in the visitor's words (or the server's sentence).

import { t, type Key } from '../i18n';
import { PrintError } from './api';

export type Progress = 'idle' | 'sending' | 'queued' | 'running' | 'done' | 'failed';

const PROGRESS_TEXT: Record<Exclude<Progress, 'idle' | 'failed'>, Key> = {
  sending: 'print_state_sending',
  queued: 'print_state_queued',
  running: 'print_state_running',
  done: 'print_state_done',
};

/**
 * Sets a progress line's state (`data-state`) and its words. The text
 * changes only with the state, so a live region reads it out once.
 */
export function showProgress(line: HTMLElement, text: HTMLElement, state: Progress, words?: string): void {
  if (line.dataset.state === state) return;
  line.dataset.state = state;
  text.textContent = words ?? (state === 'idle' || state === 'failed' ? '' : t(PROGRESS_TEXT[state]));
}

/** A message element shown with `text`, hidden without. */
export function showMessage(element: HTMLElement, text: string): void {
  element.textContent = text;
  element.hidden = text === '';
}

/** Why a request failed: no answer, a wait asked for, or the server's sentence. */
export function errorText(error: unknown): string {
  if (!(error instanceof PrintError)) return error instanceof Error ? error.message : String(error);
  if (error.status === 0) return t('print_offline');
  if (error.status === 429 && error.retryAfter) return t('print_retry_in', { m: error.message, s: Math.ceil(error.retryAfter) });
  return error.message;
}
