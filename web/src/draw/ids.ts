// The drawing's public id (`?drawing=`) and its secret edit key
// (`#edit=`), validated exactly: anything else is ignored. The key lives
// only in the fragment, which browsers never send to a server.

/** 128 random bits in base64url without padding. */
const DRAWING_ID = /^[A-Za-z0-9_-]{22}$/;
/** 256 random bits in base64url without padding. */
const EDIT_KEY = /^[A-Za-z0-9_-]{43}$/;

export function parseDrawingId(value: string | null | undefined): string | null {
  return typeof value === 'string' && DRAWING_ID.test(value) ? value : null;
}

/** The edit key of a fragment such as `#edit=KEY`, or null. */
export function parseEditKey(hash: string): string | null {
  if (!hash.startsWith('#') || hash.length > 400) return null;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(hash.slice(1));
  } catch {
    return null;
  }
  const value = params.get('edit');
  return value !== null && EDIT_KEY.test(value) ? value : null;
}

/** The fragment that carries an edit key. */
export function editFragment(key: string): string {
  return `#edit=${key}`;
}
