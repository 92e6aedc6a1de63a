// Embed-only parts: the "open in the full viewer" link and the hint shown
// when the wheel is turned without Ctrl (wheel=ctrl).

import { el, icon } from './dom';
import { ICONS } from './icons';
import { getLang, t } from './i18n';
import type { UrlSync } from './urlsync';

export function openFullLink(urls: UrlSync): HTMLAnchorElement {
  const link = el('a', { id: 'open-full', class: 'open-full', target: '_blank', rel: 'noopener', 'aria-label': t('open_full_label') },
    el('span', {}, t('open_full')), icon(ICONS.external));
  const update = (): void => {
    link.setAttribute('href', urls.viewerUrl(getLang()));
  };
  update();
  urls.onChange(update);
  return link;
}

export function wheelHint(mapWrap: HTMLElement, viewport: HTMLElement): void {
  const mac = /Mac|iPhone|iPad/.test(navigator.platform);
  const hint = el('div', { class: 'wheel-hint', 'aria-hidden': 'true', hidden: true }, mac ? t('wheel_hint_mac') : t('wheel_hint'));
  mapWrap.appendChild(hint);
  let timer: number | undefined;
  viewport.addEventListener('wheel', (event) => {
    if (event.ctrlKey || event.metaKey) {
      hint.hidden = true;
      return;
    }
    hint.hidden = false;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => (hint.hidden = true), 1500);
  }, { passive: true });
}
