// Following a queued print until its PDF is made: the job's status is
// asked every half second; a request lost on the way is asked again, a
// failed job or a refusal ends it with the server's sentence.

import { t } from '../i18n';
import { PrintError, type JobStatus, type PrintApi, type PrintJob } from './api';

/** How often a print job is asked how it stands. */
const POLL_MS = 500;
/** After this long a job that is still not done is given up (the server's own limit is shorter). */
const GIVE_UP_MS = 5 * 60_000;
/** Unanswered status requests in a row before the print counts as failed. */
const MAX_LOST_POLLS = 3;

export interface Pdf {
  url: string;
  bytes: number | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

/**
 * Waits for the job's PDF. `progress` hears each state the server tells;
 * `wanted` says whether anyone still waits (else: null). Throws a
 * PrintError when the job failed or is given up.
 */
export async function awaitPdf(
  api: PrintApi,
  job: PrintJob,
  progress: (state: 'queued' | 'running') => void,
  wanted: () => boolean,
): Promise<Pdf | null> {
  const started = Date.now();
  let lost = 0;
  for (;;) {
    await sleep(POLL_MS);
    if (!wanted()) return null;
    let status: JobStatus;
    try {
      status = await api.status(job);
      lost = 0;
    } catch (error) {
      // A status request lost on the way is asked again; a refusal is final.
      if (!(error instanceof PrintError) || error.status !== 0 || ++lost >= MAX_LOST_POLLS) throw error;
      continue;
    }
    if (status.status === 'done') return { url: status.pdfUrl, bytes: status.bytes };
    if (status.status === 'failed') throw new PrintError(500, status.error);
    progress(status.status);
    if (Date.now() - started > GIVE_UP_MS) throw new PrintError(500, t('print_too_long'));
  }
}
