// The page's configuration, rendered by the server as JSON into
// <script type="application/json" id="numis-shell">. Every field is checked;
// anything missing or odd falls back to a safe default.

import { isLang, type Lang } from './i18n';
import { safePath } from './dom';

export type Mode = 'karte' | 'embed';

export interface NavLink {
  title: string;
  url: string;
}

export interface Shell {
  mode: Mode;
  lang: Lang;
  siteTitle: string;
  home: string;
  nav: NavLink[];
  karteUrl: string;
  /** The catalogue of open data (`/daten`), if the server names one. */
  dataUrl?: string | null;
  embedUrl: string;
  alternate: Partial<Record<Lang, string>>;
  api: string;
  wms: string;
  /** "Mein NUMIS" exists here (the full viewer offers the login). */
  accounts: boolean;
  /** The page was asked for with a session: the viewer asks /api/me. */
  session: boolean;
}

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value : fallback;
}

function path(value: unknown, fallback: string): string {
  const checked = safePath(value);
  return checked ?? fallback;
}

/** A path without a trailing slash, so `${api}/layers` is well formed. */
function base(value: unknown, fallback: string): string {
  return path(value, fallback).replace(/\/+$/, '') || fallback;
}

export function readShell(doc: Document = document): Shell {
  let raw: Record<string, unknown> = {};
  const element = doc.getElementById('numis-shell');
  if (element?.textContent) {
    try {
      const parsed: unknown = JSON.parse(element.textContent);
      if (parsed && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
    } catch {
      // A broken shell leaves the defaults.
    }
  }
  const bodyMode = doc.body.dataset.mode;
  const mode: Mode = raw.mode === 'embed' || (raw.mode === undefined && bodyMode === 'embed') ? 'embed' : 'karte';
  const nav: NavLink[] = [];
  if (Array.isArray(raw.nav)) {
    for (const item of raw.nav) {
      if (!item || typeof item !== 'object') continue;
      const { title, url } = item as Record<string, unknown>;
      const safe = safePath(url);
      if (typeof title === 'string' && safe) nav.push({ title, url: safe });
    }
  }
  const alternate: Partial<Record<Lang, string>> = {};
  if (raw.alternate && typeof raw.alternate === 'object') {
    for (const [lang, url] of Object.entries(raw.alternate as Record<string, unknown>)) {
      const safe = safePath(url);
      if (isLang(lang) && safe) alternate[lang] = safe;
    }
  }
  return {
    mode,
    lang: isLang(raw.lang) ? raw.lang : 'de',
    siteTitle: str(raw.site_title, 'NUMIS'),
    home: path(raw.home, '/'),
    nav,
    karteUrl: path(raw.karte_url, '/karte'),
    dataUrl: safePath(raw.data_url),
    embedUrl: path(raw.embed_url, '/embed'),
    alternate,
    api: base(raw.api, '/api'),
    wms: path(raw.wms, '/ows'),
    accounts: mode === 'karte' && raw.accounts === true,
    session: mode === 'karte' && raw.accounts === true && raw.session === true,
  };
}
