// The display preferences a visitor chose to keep (the page "Anzeige" /
// "Display" sets the cookie `numis_prefs` only when asked to remember
// them; its value is url-encoded `lang=en&base=<id>`). The viewer only
// reads it, and never writes a cookie itself.

export interface DisplayPrefs {
  lang: string | null;
  base: string | null;
}

const NAME = 'numis_prefs';
const MAX_VALUE = 1000;

/** The preferences from a `document.cookie` string; nothing when absent or garbled. */
export function parsePrefs(cookies: string): DisplayPrefs {
  const prefs: DisplayPrefs = { lang: null, base: null };
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== NAME) continue;
    let raw = part.slice(eq + 1).trim();
    if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) raw = raw.slice(1, -1);
    if (raw.length > MAX_VALUE) return prefs;
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(decodeURIComponent(raw));
    } catch {
      return prefs;
    }
    prefs.lang = params.get('lang');
    prefs.base = params.get('base');
    return prefs;
  }
  return prefs;
}

/** The preferred base map, if the visitor kept one and it is one of `ids`. */
export function preferredBase(ids: ReadonlySet<string>, cookies: string = document.cookie): string | null {
  const base = parsePrefs(cookies).base;
  return base !== null && ids.has(base) ? base : null;
}
