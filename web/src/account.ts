// "Mein NUMIS" as the viewer sees it: who is logged in (GET /api/me), and
// the session's CSRF token, which every request that changes something
// must carry while logged in (the server refuses it otherwise, 403). All
// unsafe requests of the viewer go through `unsafeFetch`.
//
// The shell says whether the page was asked for with a session; only then
// is /api/me asked, so a visitor who never logged in sends no such request.
// The embed never asks (it runs inside other sites' pages).

import type { Lang } from './i18n';
import type { Shell } from './shell';

export interface Account {
  pseudonym: string;
  roles: string[];
  csrf: string;
  /** The overview page ("Mein NUMIS"), a same-origin path. */
  accountUrl: string;
}

type Page = 'home' | 'login' | 'drawings' | 'views';

/** The account pages the viewer links to (docs: the accounts contract). */
const PAGES: Record<Lang, Record<Page, string>> = {
  de: { home: '/konto', login: '/konto/anmelden', drawings: '/konto/zeichnungen', views: '/konto/ansichten' },
  en: { home: '/en/account', login: '/en/account/login', drawings: '/en/account/drawings', views: '/en/account/views' },
};

export function accountPage(page: Page, lang: Lang): string {
  return PAGES[lang][page];
}

type Json = Record<string, unknown>;

/** The answer of /api/me as an account, or null when it is not one. */
export function parseMe(value: unknown): Account | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const body = value as Json;
  const { pseudonym, csrf } = body;
  if (typeof pseudonym !== 'string' || pseudonym === '' || typeof csrf !== 'string' || csrf === '') return null;
  const roles = Array.isArray(body.roles) ? body.roles.filter((r): r is string => typeof r === 'string') : [];
  // Only a path of this origin becomes a link.
  const url = typeof body.account_url === 'string' && /^\/[^/\\]/.test(body.account_url) ? body.account_url : '';
  return { pseudonym, roles, csrf, accountUrl: url };
}

let apiBase = '/api';
let lang: Lang = 'de';
/** Accounts exist here and this is the full viewer. */
let enabled = false;
let current: Account | null = null;
let known: Promise<Account | null> = Promise.resolve(null);
const listeners: ((account: Account | null) => void)[] = [];

async function askMe(): Promise<Account | null> {
  try {
    const response = await fetch(`${apiBase}/me?lang=${lang}`, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    // 401: not (or no longer) logged in.
    return response.ok ? parseMe(await response.json()) : null;
  } catch {
    return null;
  }
}

function settle(account: Account | null): Account | null {
  const changed = account?.csrf !== current?.csrf || account?.pseudonym !== current?.pseudonym;
  current = account;
  if (changed) for (const listener of listeners) listener(account);
  return account;
}

/** Called once by the full viewer: learns whether someone is logged in. */
export function startAccount(shell: Shell, pageLang: Lang): Promise<Account | null> {
  apiBase = shell.api;
  lang = pageLang;
  enabled = shell.mode === 'karte' && shell.accounts;
  known = enabled && shell.session ? askMe().then(settle) : Promise.resolve(null);
  return known;
}

/** Whether accounts exist here (the viewer then offers the login). */
export function accountsEnabled(): boolean {
  return enabled;
}

/** The logged-in account as last known, or null. */
export function account(): Account | null {
  return current;
}

/** The account once /api/me answered (null at once where it is not asked). */
export function accountKnown(): Promise<Account | null> {
  return known;
}

/** Called whenever the login state changes (logged in, out, another session). */
export function onAccountChange(listener: (account: Account | null) => void): void {
  listeners.push(listener);
}

/** Asks /api/me again (the session may have begun or ended in another tab). */
export function refreshAccount(): Promise<Account | null> {
  if (!enabled) return Promise.resolve(null);
  known = askMe().then(settle);
  return known;
}

/** `init` with the session's CSRF token added while logged in. */
export function withCsrf(init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  if (current) headers.set('X-CSRF-Token', current.csrf);
  else headers.delete('X-CSRF-Token');
  return { credentials: 'same-origin', ...init, headers };
}

/** The token goes to our own origin only, whatever a caller passes. */
function ownOrigin(url: string): string {
  const absolute = new URL(url, window.location.href);
  if (absolute.origin !== window.location.origin) throw new Error(`refusing to send the session's token to ${absolute.origin}`);
  return absolute.href;
}

/** A 403 for the CSRF token (not, say, for a wrong edit key): the server's own words. */
async function refusedForToken(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  try {
    return /X-CSRF-Token/i.test(await response.clone().text());
  } catch {
    return false;
  }
}

/**
 * A POST, PUT or DELETE to our own server, with the CSRF token when logged
 * in. Waits for /api/me first, so a request at start-up is not sent
 * without the token. The login may have changed in another tab since the
 * page asked (the server then refuses the token): the state is asked
 * again, and the request sent once more if the token changed. Bodies must
 * be strings or blobs (they can be sent twice).
 */
export async function unsafeFetch(url: string, init: RequestInit): Promise<Response> {
  const target = ownOrigin(url);
  await known;
  const sent = current?.csrf ?? null;
  const response = await fetch(target, withCsrf(init));
  if (!enabled || !(await refusedForToken(response))) return response;
  const fresh = await refreshAccount();
  if ((fresh?.csrf ?? null) === sent) return response;
  return fetch(target, withCsrf(init));
}

/**
 * The same, for a page that is going away (keepalive): no waiting and no
 * second attempt, the token as known now.
 */
export function unsafeFetchOnUnload(url: string, init: RequestInit): Promise<Response> {
  return fetch(ownOrigin(url), withCsrf({ ...init, keepalive: true }));
}
