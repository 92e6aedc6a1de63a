// The page skeleton inside #app: skip link and the portal's header (full
// viewer), then the main landmark with toolbar, side panel, map with its
// controls and footer, and a status line.

import { el, iconButton, safePath } from './dom';
import { ICONS } from './icons';
import { t } from './i18n';
import type { Shell } from './shell';

export interface Layout {
  root: HTMLElement;
  header: HTMLElement | null;
  /** The header's main navigation list (the full viewer only). */
  nav: HTMLUListElement | null;
  langSwitch: HTMLAnchorElement | null;
  toolbar: HTMLElement;
  panel: HTMLElement | null;
  panelToggle: HTMLButtonElement | null;
  /** The row of the layer panel and the map (docked panels join it). */
  main: HTMLElement;
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

/**
 * The portal's header, in the markup of the site theme's
 * `templates/base.html.twig`, so that `/assets/numis.css` styles pages and
 * viewer alike: logo and title, language switch, and the main navigation
 * with the map marked as the current page.
 */
function siteHeader(shell: Shell): { header: HTMLElement; nav: HTMLUListElement; langSwitch: HTMLAnchorElement } {
  const other = shell.lang === 'de' ? 'en' : 'de';
  const here = el('a', { href: shell.alternate[shell.lang] ?? shell.karteUrl, hreflang: shell.lang, lang: shell.lang, 'aria-current': 'true' }, t('lang_name'));
  const langSwitch = el('a', { id: 'lang-switch', href: shell.alternate[other] ?? safePath(shell.karteUrl) ?? '/karte', hreflang: other, lang: other, 'aria-label': t('lang_switch_label') }, t('lang_switch'));
  const langs = shell.lang === 'de' ? [here, langSwitch] : [langSwitch, here];
  const navList = el('ul', { class: 'wrap' });
  for (const link of shell.nav) {
    if (link.url === shell.karteUrl) continue;
    navList.appendChild(el('li', {}, el('a', { href: link.url }, link.title)));
  }
  navList.appendChild(el('li', { class: 'nav-map' }, el('a', { href: shell.karteUrl, 'aria-current': 'page' }, t('title_map'))));
  if (shell.dataUrl) navList.appendChild(el('li', { class: 'nav-data' }, el('a', { href: shell.dataUrl }, t('open_data_nav'))));
  const header = el(
    'header',
    { class: 'site-header' },
    el('div', { class: 'wrap header-inner' },
      el('a', { class: 'site-title', href: shell.home }, el('span', { class: 'site-logo', 'aria-hidden': 'true' }), el('span', {}, shell.siteTitle)),
      el('nav', { class: 'lang-switch', 'aria-label': t('language') }, el('ul', {}, ...langs.map((a) => el('li', {}, a))))),
    el('nav', { class: 'main-nav', 'aria-label': t('main_nav') }, navList),
  );
  return { header, nav: navList, langSwitch };
}

export function buildLayout(app: HTMLElement, shell: Shell, withPanel: boolean): Layout {
  const root = el('div', { class: `viewer mode-${shell.mode}` });
  let header: HTMLElement | null = null;
  let nav: HTMLUListElement | null = null;
  let langSwitch: HTMLAnchorElement | null = null;
  // The map is what the page is for: it is the main landmark, named by a
  // heading that only screen readers show (the header names the portal).
  // Named by the heading, which differs between viewer and embed, so the
  // embed dialog's preview is not a second landmark of the same name.
  const heading = el('h1', { id: 'viewer-title', class: 'visually-hidden' }, `${t(shell.mode === 'embed' ? 'title_map' : 'title_viewer')} – ${shell.siteTitle}`);
  const mainLandmark = el('main', { class: 'viewer-main', 'aria-labelledby': 'viewer-title' }, heading);
  if (shell.mode === 'karte') {
    ({ header, nav, langSwitch } = siteHeader(shell));
    const skip = el('a', { class: 'skip-link', href: '#map' }, t('skip_to_map'));
    // Focus the map without writing #map into the address: the fragment
    // belongs to drawing edit keys.
    skip.addEventListener('click', (event) => {
      event.preventDefault();
      map.focus();
    });
    root.appendChild(skip);
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

  // The embed has a name of its own, so that the viewer's embed dialog,
  // which shows it in a preview, has no two maps of the same name.
  const map = el('div', { id: 'map', class: 'map', tabindex: 0, role: 'region', 'aria-label': t(shell.mode === 'embed' ? 'map_label_embed' : 'map_label') });
  const controls = el('div', { class: 'map-controls', role: 'toolbar', 'aria-label': t('tools'), 'aria-orientation': 'vertical' });
  const attribution = el('div', { id: 'attribution', class: 'attribution', role: 'note', 'aria-label': t('attribution_label') });
  const footer = el('div', { class: 'map-footer' });
  const mapWrap = el('div', { class: 'map-wrap' }, map, controls, el('div', { class: 'map-bottom' }, footer, attribution));
  const status = el('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
  const main = el('div', { class: 'main' });
  if (panel) main.appendChild(panel);
  main.appendChild(mapWrap);
  mainLandmark.append(toolbar, main, status);
  root.appendChild(mainLandmark);
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

  return { root, header, nav, langSwitch, toolbar, panel, panelToggle, main, map, mapWrap, controls, footer, attribution, status };
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
