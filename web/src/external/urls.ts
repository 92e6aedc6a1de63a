// What a third party's address may be in the viewer (docs/external-data.md,
// "In the viewer"): pure checks shared by the dialogs and the permalink
// parser. The server checks every address again (and far more strictly:
// public addresses only); these checks keep junk out of the URL and the UI.

/** Longest service or file address the viewer keeps (also in a permalink). */
export const MAX_URL_LENGTH = 2000;
/** Longest WMS layer name taken from a permalink. */
export const MAX_LAYER_NAME = 200;

/**
 * An absolute http(s) address without user name, password or fragment, as
 * a normalised string; null for anything else. Relative addresses are
 * refused: a third party's address is always absolute.
 */
export function externalUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '' || text.length > MAX_URL_LENGTH || !/^https?:\/\//i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || !url.hostname) return null;
  url.hash = '';
  const href = url.href;
  return href.length <= MAX_URL_LENGTH ? href : null;
}

/** A WMS layer name as the permalink may carry it: printable, bounded. */
export function layerName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (value === '' || value.length > MAX_LAYER_NAME || /[\u0000-\u001f\u007f]/.test(value)) return null;
  return value;
}

/** A short name for a file address: its last path segment, else its host. */
export function fileLabel(url: string): string {
  try {
    const parsed = new URL(url);
    const last = parsed.pathname.split('/').filter(Boolean).pop();
    let name = last ?? '';
    try {
      name = decodeURIComponent(name);
    } catch {
      // Keep the segment as written.
    }
    return (name || parsed.host).slice(0, 200);
  } catch {
    return url.slice(0, 200);
  }
}
