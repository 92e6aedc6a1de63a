// Entry point: reads the page shell, loads the layer catalogue, restores the
// map state from the URL and assembles the viewer (full or embed).

import 'ol/ol.css';
import './style.css';

import { startAccount } from './account';
import { mountAccountNav } from './accountnav';
import { Api } from './api';
import { mountAttribution } from './attribution';
import { Catalogue } from './catalogue';
import { el } from './dom';
import { DrawingsApi } from './draw/api';
import { DrawingController } from './draw/controller';
import { showDrawing, showFiles } from './draw/embed';
import { editFragment, parseEditKey } from './draw/ids';
import { embedDialog } from './embeddialog';
import { openFullLink, wheelHint } from './embed';
import { ExternalApi } from './external/api';
import { AddMapsDialog } from './external/dialog';
import { externalNote } from './external/info';
import { ExternalMapLayers } from './external/maplayers';
import { restoreExternal } from './external/restore';
import { ExternalState } from './external/state';
import { ExternalTree } from './external/tree';
import { FeatureInfo } from './featureinfo';
import { getLang, setLang, t, type Lang } from './i18n';
import { announce, buildLayout } from './layout';
import { LayerInfoDialog } from './layerinfo';
import { LayerPanel } from './layertree';
import { MapView } from './mapview';
import { Measure } from './measure';
import { parseLangParam, parseUrlState, type UrlState } from './permalink';
import { preferredBase } from './prefs';
import { PrintApi } from './print/api';
import { PrintController } from './print/controller';
import { saveViewButton } from './saveview';
import { Search } from './search';
import { shareDialog } from './share';
import { readShell } from './shell';
import { StationPanel } from './stations/panel';
import { Store } from './store';
import {
  fullscreenButton, homeButton, locateButton, mousePosition, scaleLine, scaleSelect, zoomButtons,
} from './tools';
import { UrlSync } from './urlsync';

function restoreView(mapView: MapView, url: UrlState): void {
  if (!url.center && url.scale === null) {
    mapView.home();
    return;
  }
  if (url.scale === null) mapView.home();
  else mapView.setScale(url.scale);
  if (url.center) mapView.view.setCenter(url.center);
}

async function start(): Promise<void> {
  const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
  const shell = readShell();
  const params = new URLSearchParams(window.location.search);
  const lang: Lang = parseLangParam(params) ?? shell.lang;
  setLang(lang);
  document.documentElement.lang = lang;
  document.body.dataset.mode = shell.mode;
  app.replaceChildren(el('p', { class: 'loading', role: 'status' }, t('loading')));

  // Asked beside the layer list; the embed and a page without session never ask.
  const account = startAccount(shell, lang);
  const api = new Api(shell.api, shell.wms);
  let catalogue: Catalogue;
  try {
    catalogue = new Catalogue(await api.layers(lang), shell.wms);
  } catch (error) {
    console.error(error);
    app.replaceChildren(el('p', { class: 'load-error', role: 'alert' }, t('load_failed')));
    return;
  }

  const url = parseUrlState(params, {
    layerIds: new Set(catalogue.order),
    measuredIds: new Set(catalogue.order.filter((id) => catalogue.layer(id)?.measurements)),
    baseIds: new Set(catalogue.basemaps.map((b) => b.id)),
    scales: catalogue.scales,
    extent: catalogue.extent,
  });
  const embed = shell.mode === 'embed';
  const embedOptions = { tree: embed && url.tree, wheelCtrl: embed && url.wheelCtrl };
  const withPanel = !embed || embedOptions.tree;
  const layout = buildLayout(app, shell, withPanel);
  const say = (message: string, sticky = false): void => announce(layout.status, message, sticky);

  // A base map the visitor chose to keep (display preferences) counts
  // where the URL names none; the embed shows what its site chose.
  const baseIds = new Set(['none', ...catalogue.basemaps.map((b) => b.id)]);
  const preferred = embed ? null : preferredBase(baseIds);
  const store = new Store(
    catalogue,
    url.layers ?? catalogue.defaultLayers().map((id) => ({ id, opacity: 100 })),
    url.base ?? preferred ?? catalogue.defaultBase(),
    url.marker,
  );
  store.setDrawing(url.drawing);
  const drawingsApi = new DrawingsApi(shell.api);
  // A drawing from a link is zoomed to, unless the link names a view.
  const explicitView = url.center !== null || url.scale !== null;
  const mapView = new MapView(catalogue, store, { target: layout.map, wheelCtrl: embedOptions.wheelCtrl });
  mapView.map.once('rendercomplete', () => {
    document.body.dataset.ready = '1';
  });
  restoreView(mapView, url);
  document.title = `${t('title_map')} – ${shell.siteTitle}`;

  // Other servers' maps and files, always through numis (/api/external/…).
  const externalApi = new ExternalApi(shell.api);
  const external = new ExternalState();
  new ExternalMapLayers(mapView, external, externalApi);

  const info = new LayerInfoDialog(layout.root, catalogue, embed ? null : api);
  const panel = layout.panel ? new LayerPanel(layout.panel, store, mapView, info) : null;
  if (panel) {
    const dialog = embed ? null : new AddMapsDialog(layout.root, externalApi, external, say);
    const tree = new ExternalTree({ state: external, api: externalApi, info, dialog, say, legends: (items) => panel.setExtraLegend(items) });
    panel.addSection(tree.element);
  }
  const openPanel = (): void => {
    if (layout.panelToggle && !layout.root.classList.contains('panel-open')) layout.panelToggle.click();
  };
  mountAttribution(layout.attribution, store, api, lang, {
    notes: () => external.visibleLayers().map(externalNote),
    subscribe: (listener) => external.subscribe((change) => {
      if (change !== 'opacity' && change !== 'files') listener();
    }),
  });
  const stations = new StationPanel({ main: layout.main, mapView, api, catalogue, lang, say });
  const featureInfo = new FeatureInfo(layout.mapWrap, mapView, store, api, catalogue.wms, stations);
  const urls = new UrlSync(shell, store, mapView, lang, embedOptions, external);
  urls.followStations(stations);

  layout.controls.append(...zoomButtons(mapView));
  layout.footer.append(scaleLine(mapView));

  if (!embed) {
    const search = new Search(api, mapView, store, (id) => {
      panel?.reveal(id);
      openPanel();
    });
    const drawing = new DrawingController({
      root: layout.root, mapWrap: layout.mapWrap, mapView, store, shell, api: drawingsApi, say, explicitView,
      externalApi, external,
    });
    const print = new PrintController({
      main: layout.main, mapView, store, catalogue, urls, api: new PrintApi(shell.api), lang,
      overlays: () => drawing.overlays(), covers: [layout.footer, layout.attribution],
    });
    const spacer = el('div', { class: 'toolbar-spacer' });
    layout.toolbar.append(search.element, spacer, drawing.button, print.button,
      saveViewButton(layout.root, shell.api, urls), shareDialog(layout.root, api, urls), embedDialog(layout.root, shell, urls));
    mountAccountNav(layout.nav, account);
    // A click on the map queries features unless measuring, the drawing
    // panel or the print frame takes it. The three take the map's pointer
    // in turns: one opening ends the others.
    let measuring = false;
    const clicks = (): void => {
      featureInfo.enabled = !measuring && !drawing.isOpen && !print.isOpen;
      if (!featureInfo.enabled) featureInfo.close();
    };
    const measure = new Measure(mapView, say, (active) => {
      measuring = active;
      if (active) {
        drawing.stopTool();
        print.setOpen(false);
      }
      clicks();
    });
    // One docked panel beside the map at a time: stations, drawing or print.
    drawing.onOpen((open) => {
      if (open && measuring) measure.stop();
      if (open) {
        print.setOpen(false);
        stations.setOpen(false, false);
      }
      clicks();
    });
    print.onOpen((open) => {
      if (open && measuring) measure.stop();
      if (open) {
        drawing.setOpen(false);
        stations.setOpen(false, false);
      }
      clicks();
    });
    stations.onOpen((open) => {
      if (!open) return;
      drawing.setOpen(false);
      print.setOpen(false);
    });
    if (url.drawing) void drawing.open(url.drawing, parseEditKey(window.location.hash));
    void drawing.showFileUrls(url.files, !explicitView && !url.drawing);
    const fullscreen = fullscreenButton(layout.root);
    layout.controls.append(homeButton(mapView), ...(fullscreen ? [fullscreen] : []), locateButton(mapView, say), ...measure.buttons);
    layout.footer.append(scaleSelect(mapView), mousePosition(mapView));
    const langSwitch = layout.langSwitch;
    if (langSwitch) {
      const other: Lang = getLang() === 'de' ? 'en' : 'de';
      langSwitch.setAttribute('lang', other);
      // The other language's viewer keeps an edit link's fragment, so its
      // editor stays the editor (a fragment is never sent to the server).
      const update = (): void => {
        const key = store.drawing ? parseEditKey(window.location.hash) : null;
        langSwitch.setAttribute('href', `${urls.viewerUrl(other)}${key ? editFragment(key) : ''}`);
      };
      update();
      urls.onChange(update);
    }
  } else {
    if (layout.panelToggle) layout.controls.prepend(layout.panelToggle);
    layout.toolbar.remove();
    layout.footer.append(openFullLink(urls));
    if (embedOptions.wheelCtrl) wheelHint(layout.mapWrap, layout.map);
    if (url.drawing) void showDrawing(mapView, drawingsApi, url.drawing, explicitView);
    for (const file of url.files) external.addFile(file);
    void showFiles(mapView, externalApi, url.files, !explicitView && !url.drawing);
  }

  if (url.station) stations.restore(url.station);

  // Write the restored (and validated) state back into the address bar;
  // external layers join it once their services have answered again.
  urls.update();
  void restoreExternal(url.external, externalApi, external, lang, say);
}

void start();
