// A feature's description, shown safely. The server has already sanitised
// it to a small HTML subset; here it is parsed once more, into an inert
// document (DOMParser runs no script and loads nothing), and only p, br,
// em, strong, ul, ol, li and links to http(s) addresses are rebuilt with
// createElement. Every other element gives only its text; script-like
// elements give nothing. No markup ever reaches innerHTML.

import { el, safeUrl } from '../dom';

const KEEP: Record<string, 'p' | 'br' | 'em' | 'strong' | 'ul' | 'ol' | 'li'> = {
  p: 'p', br: 'br', em: 'em', i: 'em', strong: 'strong', b: 'strong', ul: 'ul', ol: 'ol', li: 'li',
};
const DROP = new Set(['script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg', 'math', 'head', 'title', 'textarea', 'select']);
const MAX_DEPTH = 30;

function copy(from: Node, to: Node, depth: number): void {
  for (const child of Array.from(from.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode(child.textContent ?? ''));
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = (child as Element).localName;
    if (DROP.has(tag)) continue;
    if (depth >= MAX_DEPTH) {
      to.appendChild(document.createTextNode(child.textContent ?? ''));
      continue;
    }
    let target: Node = to;
    const keep = KEEP[tag];
    if (keep) {
      target = to.appendChild(el(keep));
    } else if (tag === 'a') {
      const raw = (child as Element).getAttribute('href') ?? '';
      const href = /^https?:\/\//i.test(raw.trim()) ? safeUrl(raw.trim()) : null;
      if (href) target = to.appendChild(el('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }));
    }
    copy(child, target, depth + 1);
  }
}

/** The description as safe DOM nodes. */
export function renderDescription(html: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let doc: Document;
  try {
    doc = new DOMParser().parseFromString(html, 'text/html');
  } catch {
    fragment.appendChild(document.createTextNode(html));
    return fragment;
  }
  copy(doc.body, fragment, 0);
  return fragment;
}
