// External layers named by a permalink or an embed (`wms=…`): each service's
// capabilities are read again through numis, and the named layers it still
// offers are added in the link's order. Names it no longer offers are
// ignored; a service that fails is announced and left out.

import { t, type Lang } from '../i18n';
import type { ExternalApi, WmsService } from './api';
import { chooseCrs } from './maplayers';
import type { ExternalServiceEntry } from './params';
import type { ExternalState } from './state';

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export async function restoreExternal(
  entries: readonly ExternalServiceEntry[],
  api: ExternalApi,
  state: ExternalState,
  lang: Lang,
  say: (message: string) => void,
): Promise<void> {
  if (!entries.length) return;
  const answers = await Promise.all(entries.map(async (entry): Promise<WmsService | string> => {
    try {
      return await api.capabilities(entry.url, lang);
    } catch (error) {
      return t('external_restore_failed', { host: host(entry.url), m: error instanceof Error ? error.message : String(error) });
    }
  }));
  const failures: string[] = [];
  entries.forEach((entry, index) => {
    const answer = answers[index];
    if (typeof answer === 'string') {
      failures.push(answer);
      return;
    }
    for (const wanted of entry.layers) {
      const layer = answer.layers.find((l) => l.name === wanted.name);
      // Only what the viewer can draw, as the dialog offers it.
      if (layer && chooseCrs(layer)) state.add(answer, layer, wanted.opacity);
    }
  });
  if (failures.length) say(failures.join(' '));
}
