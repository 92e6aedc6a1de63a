// Building DOM safely. Every element of the viewer is made here, with
// createElement, setAttribute and text nodes: no markup is ever parsed, so no
// value from the URL or from the server can inject script, CSS or markup.

export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue>;
export type Child = Node | string | null | undefined | false;

const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'data', 'poster', 'srcdoc']);

/**
 * An http(s) URL (absolute or relative to the page) as an absolute URL, or
 * null for anything else (`javascript:`, `data:`, garbage). With
 * `sameOrigin`, also null for other origins.
 */
export function safeUrl(value: unknown, sameOrigin = false): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(value, window.location.href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (sameOrigin && url.origin !== window.location.origin) return null;
  return url.href;
}

/** A same-origin path with its query (`/karte`, `/ows?map=a`), or null. */
export function safePath(value: unknown): string | null {
  const url = safeUrl(value, true);
  if (!url) return null;
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

export function setAttrs(element: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    const lower = name.toLowerCase();
    // Event handlers and inline styles are never set from attributes
    // (the CSP forbids them anyway).
    if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc') {
      throw new Error(`refusing attribute ${name}`);
    }
    if (value === null || value === undefined || value === false) {
      element.removeAttribute(name);
      continue;
    }
    const text = value === true ? '' : String(value);
    if (URL_ATTRS.has(lower) && value !== true && safeUrl(text) === null) {
      element.removeAttribute(name);
      continue;
    }
    element.setAttribute(name, text);
  }
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttrs(element, attrs);
  append(element, ...children);
  return element;
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

export function replaceChildren(element: Element, ...children: Child[]): void {
  clear(element);
  append(element, ...children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A decorative 24×24 icon drawn from constant path data. */
export function icon(paths: readonly string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

let uid = 0;
/** A fresh element id with a readable prefix. */
export function uniqueId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A button with an icon and an accessible name (also its tooltip). */
export function iconButton(id: string, label: string, paths: readonly string[], extra: Attrs = {}): HTMLButtonElement {
  return el('button', { type: 'button', id, class: 'icon-button', 'aria-label': label, title: label, ...extra }, icon(paths));
}

/** Starts a download of a same-origin URL: a link with `download`, clicked once. */
export function startDownload(url: string): void {
  const link = el('a', { href: url, download: true, hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** Saves a blob as a file: a blob: link clicked once (no request leaves the page). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  // el() refuses non-http(s) URLs; a blob: URL made right here is safe.
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 30000);
}
