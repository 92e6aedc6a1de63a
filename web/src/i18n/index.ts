// UI strings in German (default) and English, bundled from the JSON tables.

import de from './de.json';
import en from './en.json';

export type Lang = 'de' | 'en';
export type Key = keyof typeof de;

// Typing the English table against the German keys makes a missing string a
// compile error.
const tables: Record<Lang, Record<Key, string>> = { de, en };

let current: Lang = 'de';

export function isLang(value: unknown): value is Lang {
  return value === 'de' || value === 'en';
}

export function setLang(lang: Lang): void {
  current = lang;
}

export function getLang(): Lang {
  return current;
}

/** The string for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const template = tables[current][key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

export function locale(): string {
  return current === 'de' ? 'de-DE' : 'en-GB';
}

export function formatNumber(value: number, maxFractionDigits = 0, minFractionDigits = 0): string {
  return new Intl.NumberFormat(locale(), {
    maximumFractionDigits: maxFractionDigits,
    minimumFractionDigits: minFractionDigits,
  }).format(value);
}

/** `1:25.000` in German, `1:25,000` in English. */
export function formatScale(scale: number): string {
  return `1:${formatNumber(scale)}`;
}

/** An ISO date (`2016-01-01`) as the reader writes it; anything else unchanged. */
export function formatDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return iso;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** The date of an instant (RFC 3339, e.g. an expiry) as the reader writes it; anything else unchanged. */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(date);
}
