// The page skeleton inside #app: header (full viewer), toolbar, side panel,
// map with its controls and footer, and a status line.

import { el, iconButton, safePath } from './dom';
import { ICONS } from './icons';
import { t } from './i18n';
import type { Shell } from './shell';

export interface Layout {
  root: HTMLElement;
  header: HTMLElement | null;
  langSwitch: HTMLAnchorElement | null;
  toolbar: HTMLElement;
  panel: HTMLElement | null;
  panelToggle: HTMLButtonElement | null;
  map: HTMLElement;
  mapWrap: HTMLElement;
  controls: HTMLElement;
  footer: HTMLElement;
  attribution: HTMLElement;
  status: HTMLElement;
}

// Below these widths the panel is a drawer over the map. The embed keeps
// its panel beside the map down to small frames (tree=1 asks for it).
const NARROW = { karte: '(max-width: 760px)', embed: '(max-width: 479px)' } as const;

export function buildLayout(app: HTMLElement, shell: Shell, withPanel: boolean): Layout {
  const root = el('div', { class: `viewer mode-${shell.mode}` });
  let header: HTMLElement | null = null;
  let langSwitch: HTMLAnchorElement | null = null;
  if (shell.mode === 'karte') {
    const navList = el('ul', { class: 'site-nav-list' });
    for (const link of shell.nav) {
      navList.appendChild(el('li', {}, el('a', { href: link.url }, link.title)));
    }
    langSwitch = el('a', { id: 'lang-switch', class: 'lang-switch', href: safePath(shell.karteUrl) ?? '/karte', hreflang: shell.lang === 'de' ? 'en' : 'de', 'aria-label': t('lang_switch_label') }, t('lang_switch'));
    header = el(
      'header',
      { class: 'site-header' },
      el('a', { class: 'site-title', href: shell.home }, shell.siteTitle),
      el('nav', { class: 'site-nav', 'aria-label': t('main_nav') }, navList),
      langSwitch,
    );
    root.appendChild(header);
  }

  const toolbar = el('div', { class: 'toolbar' });
  let panel: HTMLElement | null = null;
  let panelToggle: HTMLButtonElement | null = null;
  if (withPanel) {
    panel = el('aside', { id: 'panel', class: 'panel', 'aria-label': t('layers') });
    panelToggle = iconButton('panel-toggle', t('panel_toggle'), ICONS.layers, { 'aria-controls': 'layer-tree', 'aria-expanded': 'false' });
    panelToggle.classList.add('panel-toggle');
    toolbar.appendChild(panelToggle);
  }

  const map = el('div', { id: 'map', class: 'map', tabindex: 0, role: 'region', 'aria-label': t('map_label') });
  const controls = el('div', { class: 'map-controls', role: 'toolbar', 'aria-label': t('tools'), 'aria-orientation': 'vertical' });
  const attribution = el('div', { id: 'attribution', class: 'attribution', role: 'note', 'aria-label': t('attribution_label') });
  const footer = el('div', { class: 'map-footer' });
  const mapWrap = el('div', { class: 'map-wrap' }, map, controls, el('div', { class: 'map-bottom' }, footer, attribution));
  const status = el('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
  const main = el('div', { class: 'main' });
  if (panel) main.appendChild(panel);
  main.appendChild(mapWrap);
  root.appendChild(toolbar);
  root.appendChild(main);
  root.appendChild(status);
  app.replaceChildren(root);

  if (panel && panelToggle) {
    const toggle = panelToggle;
    const narrow = window.matchMedia(NARROW[shell.mode]);
    const setOpen = (open: boolean): void => {
      root.classList.toggle('panel-open', open);
      toggle.setAttribute('aria-expanded', String(open));
    };
    const layoutFor = (): void => {
      root.classList.toggle('narrow', narrow.matches);
      setOpen(!narrow.matches);
    };
    layoutFor();
    toggle.addEventListener('click', () => setOpen(!root.classList.contains('panel-open')));
    narrow.addEventListener('change', layoutFor);
    // On narrow screens the drawer covers the map: Escape closes it.
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && narrow.matches) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  return { root, header, langSwitch, toolbar, panel, panelToggle, map, mapWrap, controls, footer, attribution, status };
}

let statusTimer: number | undefined;

/** A short message in the status line (read out by screen readers). */
export function announce(status: HTMLElement, message: string, sticky = false): void {
  status.textContent = message;
  status.classList.toggle('visible', message !== '');
  window.clearTimeout(statusTimer);
  if (!sticky && message) {
    statusTimer = window.setTimeout(() => {
      status.textContent = '';
      status.classList.remove('visible');
    }, 6000);
  }
}
