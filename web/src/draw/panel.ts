// The drawing panel's elements (#draw-panel), built once; controller.ts
// gives them life. Ids are stable (docs/viewer.md lists them for tests).

import { accountPage } from '../account';
import { el, icon, iconButton } from '../dom';
import { ICONS } from '../icons';
import { getLang, t, type Key } from '../i18n';
import { DEFAULT_COLOR, DEFAULT_FILL_OPACITY, DEFAULT_WIDTH, LABEL_SCALES, SYMBOLS } from './features';
import type { Tool } from './editor';

const TOOL_ICONS: Record<Tool, readonly string[]> = {
  select: ICONS.cursor,
  point: ICONS.pin,
  line: ICONS.line,
  polygon: ICONS.polygon,
  circle: ICONS.circle,
  rectangle: ICONS.rectangle,
  text: ICONS.text,
};
const TOOLS: readonly Tool[] = ['select', 'point', 'line', 'polygon', 'circle', 'rectangle', 'text'];

export interface Panel {
  element: HTMLElement;
  close: HTMLButtonElement;
  message: HTMLElement;
  info: HTMLElement;
  expiry: HTMLElement;
  tools: HTMLElement;
  toolButtons: Map<Tool, HTMLButtonElement>;
  undo: HTMLButtonElement;
  redo: HTMLButtonElement;
  styleBox: HTMLElement;
  symbol: HTMLSelectElement;
  text: HTMLInputElement;
  color: HTMLInputElement;
  width: HTMLInputElement;
  fillOpacity: HTMLInputElement;
  labelScale: HTMLSelectElement;
  measure: HTMLElement;
  selectedBox: HTMLElement;
  featureName: HTMLInputElement;
  featureDescription: HTMLElement;
  deleteFeature: HTMLButtonElement;
  features: HTMLUListElement;
  title: HTMLInputElement;
  save: HTMLButtonElement;
  saveState: HTMLElement;
  links: HTMLButtonElement;
  remove: HTMLButtonElement;
  copy: HTMLButtonElement;
  report: HTMLButtonElement;
  fresh: HTMLButtonElement;
  /** "Mein NUMIS": saved there (with a link to the list), or the offer to add it. */
  account: HTMLElement;
  accountSaved: HTMLElement;
  accountLink: HTMLAnchorElement;
  claim: HTMLButtonElement;
  importIntoDrawing: HTMLInputElement;
  importAsLayer: HTMLInputElement;
  importFile: HTMLInputElement;
  /** A file's address on the web, loaded through numis (/api/external/file). */
  importUrl: HTMLInputElement;
  importUrlForm: HTMLFormElement;
  importUrlLoad: HTMLButtonElement;
  layers: HTMLUListElement;
  exportFormat: HTMLSelectElement;
  exportButton: HTMLButtonElement;
}

function field(id: string, label: Key, control: HTMLElement, extra: Record<string, string> = {}): HTMLElement {
  return el('div', { class: 'field', ...extra }, el('label', { for: id }, t(label)), control);
}

function textButton(id: string, label: Key, paths: readonly string[] | null, extra: Record<string, string | boolean> = {}): HTMLButtonElement {
  return el('button', { type: 'button', id, class: 'text-button', ...extra }, paths ? icon(paths) : null, el('span', {}, t(label)));
}

export function buildPanel(): Panel {
  const close = iconButton('draw-close', t('draw_close'), ICONS.close, { class: 'icon-button dialog-close' });
  const message = el('p', { id: 'draw-message', class: 'draw-message', role: 'alert', hidden: true });
  const expiry = el('span', { id: 'draw-expiry' });
  const info = el('p', { id: 'draw-info', class: 'hint', hidden: true }, expiry);

  const toolButtons = new Map<Tool, HTMLButtonElement>();
  for (const tool of TOOLS) {
    const label = t(`draw_tool_${tool}` as Key);
    toolButtons.set(tool, iconButton(`draw-tool-${tool}`, label, TOOL_ICONS[tool], { 'data-tool': tool, 'aria-pressed': 'false' }));
  }
  const undo = iconButton('draw-undo', t('draw_undo'), ICONS.undo, { 'aria-keyshortcuts': 'Control+Z' });
  const redo = iconButton('draw-redo', t('draw_redo'), ICONS.redo, { 'aria-keyshortcuts': 'Control+Shift+Z Control+Y' });
  const tools = el('div', { id: 'draw-tools', class: 'draw-tools', role: 'toolbar', 'aria-label': t('draw_tools') },
    ...toolButtons.values(), el('span', { class: 'draw-tools-gap' }), undo, redo);

  const symbol = el('select', { id: 'draw-symbol' });
  for (const s of SYMBOLS) symbol.appendChild(el('option', { value: s }, t(`draw_symbol_${s}` as Key)));
  const text = el('input', { id: 'draw-text', type: 'text', maxlength: 200, value: t('draw_text_default') });
  const color = el('input', { id: 'draw-color', type: 'color', value: DEFAULT_COLOR });
  const width = el('input', { id: 'draw-width', type: 'range', min: 1, max: 12, step: 1, value: DEFAULT_WIDTH });
  const fillOpacity = el('input', { id: 'draw-fill-opacity', type: 'range', min: 0, max: 100, step: 5, value: Math.round(DEFAULT_FILL_OPACITY * 100) });
  const labelScale = el('select', { id: 'draw-label-scale' });
  for (const s of LABEL_SCALES) labelScale.appendChild(el('option', { value: s }, t(`draw_label_scale_${String(s).replace('.', '_')}` as Key)));
  const styleBox = el('div', { class: 'draw-style' },
    field('draw-color', 'draw_color', color, { class: 'field field-color' }),
    field('draw-width', 'draw_width', width),
    field('draw-fill-opacity', 'draw_fill_opacity', fillOpacity),
    field('draw-symbol', 'draw_symbol', symbol),
    field('draw-text', 'draw_text', text),
    field('draw-label-scale', 'draw_label_scale', labelScale));
  const measure = el('p', { id: 'draw-measure', class: 'draw-measure', 'aria-live': 'polite' });

  const featureName = el('input', { id: 'draw-feature-name', type: 'text', maxlength: 500 });
  const featureDescription = el('div', { id: 'draw-feature-description', class: 'draw-description' });
  const deleteFeature = textButton('draw-delete-feature', 'draw_delete_feature', ICONS.trash, { 'aria-keyshortcuts': 'Delete' });
  const selectedBox = el('section', { id: 'draw-selected', class: 'draw-selected', 'aria-label': t('draw_selected'), hidden: true },
    field('draw-feature-name', 'draw_feature_name', featureName),
    featureDescription,
    deleteFeature);

  const features = el('ul', { id: 'draw-features', class: 'draw-features', 'aria-label': t('draw_features') });

  const title = el('input', { id: 'draw-title', type: 'text', maxlength: 200 });
  const save = textButton('draw-save', 'draw_save', ICONS.share);
  const saveState = el('span', { id: 'draw-save-state', class: 'draw-save-state', role: 'status', 'aria-live': 'polite', hidden: true });
  const links = textButton('draw-links', 'draw_links', ICONS.share);
  const remove = textButton('draw-delete', 'draw_delete', ICONS.trash, { class: 'text-button danger' });
  const copy = textButton('draw-copy', 'draw_copy', ICONS.copy);
  const report = textButton('draw-report', 'draw_report', ICONS.flag, { class: 'text-button quiet' });
  const fresh = textButton('draw-new', 'draw_new', ICONS.pencil, { class: 'text-button quiet' });
  const accountLink = el('a', { id: 'draw-account-link', href: accountPage('drawings', getLang()) }, t('draw_account_link'));
  const accountSaved = el('p', { id: 'draw-account-saved', class: 'draw-account-saved', hidden: true },
    icon(ICONS.person), el('span', {}, t('draw_account_saved')), ' ', accountLink);
  const claim = textButton('draw-claim', 'draw_claim', ICONS.person, { hidden: true });
  const account = el('div', { id: 'draw-account', class: 'draw-account', hidden: true }, accountSaved, claim);

  const importIntoDrawing = el('input', { id: 'draw-import-into-drawing', type: 'radio', name: 'draw-import-target', value: 'drawing', checked: true });
  const importAsLayer = el('input', { id: 'draw-import-as-layer', type: 'radio', name: 'draw-import-target', value: 'layer' });
  const importFile = el('input', {
    id: 'draw-import-file', type: 'file', class: 'visually-hidden', multiple: true,
    accept: '.kml,.kmz,.gpx,.geojson,.json,application/vnd.google-earth.kml+xml,application/vnd.google-earth.kmz,application/gpx+xml,application/geo+json',
  });
  // The input inside its label: the label looks like a button, the input
  // keeps the focus (and the keyboard) and opens the file picker.
  const importLabel = el('label', { class: 'text-button file-button' }, importFile, icon(ICONS.upload), el('span', {}, t('draw_import_choose')));
  const importUrl = el('input', {
    id: 'draw-import-url', name: 'url', type: 'url', inputmode: 'url', spellcheck: 'false', placeholder: 'https://…', maxlength: 2000,
    'aria-describedby': 'draw-import-url-hint',
  });
  const importUrlLoad = el('button', { type: 'submit', id: 'draw-import-url-load', class: 'text-button' }, icon(ICONS.download), el('span', {}, t('draw_import_url_load')));
  const importUrlForm = el('form', { id: 'draw-import-url-form', class: 'draw-import-url', novalidate: true },
    el('label', { for: 'draw-import-url' }, t('draw_import_url')),
    el('div', { class: 'copy-row' }, importUrl, importUrlLoad),
    el('p', { id: 'draw-import-url-hint', class: 'hint' }, t('draw_import_url_hint')));
  const layers = el('ul', { id: 'draw-layers', class: 'draw-layers', 'aria-label': t('draw_layers') });
  const exportFormat = el('select', { id: 'draw-export-format', 'aria-label': t('draw_export_format') },
    el('option', { value: 'kml' }, 'KML'),
    el('option', { value: 'gpx' }, 'GPX'),
    el('option', { value: 'geojson' }, 'GeoJSON'));
  const exportButton = textButton('draw-export', 'draw_export', ICONS.download);

  const element = el('section', { id: 'draw-panel', class: 'draw-panel', 'aria-labelledby': 'draw-panel-title', hidden: true, 'data-mode': 'new' },
    el('div', { class: 'dialog-head' }, el('h2', { id: 'draw-panel-title' }, t('draw_title')), close),
    el('div', { class: 'draw-body' },
      message,
      el('div', { class: 'draw-doc' },
        field('draw-title', 'draw_doc_title', title),
        info,
        el('div', { class: 'button-row draw-actions' }, save, copy, links, saveState),
        account),
      el('div', { class: 'draw-edit' }, tools, measure, styleBox),
      selectedBox,
      el('section', { class: 'draw-section' },
        el('h3', {}, t('draw_features')),
        features),
      el('section', { class: 'draw-section draw-transfer' },
        el('h3', {}, t('draw_import')),
        el('fieldset', { class: 'draw-import-target' },
          el('legend', { class: 'visually-hidden' }, t('draw_import_target')),
          el('div', { class: 'check' }, importIntoDrawing, el('label', { for: 'draw-import-into-drawing' }, t('draw_import_into_drawing'))),
          el('div', { class: 'check' }, importAsLayer, el('label', { for: 'draw-import-as-layer' }, t('draw_import_as_layer')))),
        el('div', { class: 'button-row' }, importLabel),
        el('p', { class: 'hint' }, t('draw_import_hint')),
        importUrlForm,
        layers,
        el('h3', {}, t('draw_export')),
        el('div', { class: 'button-row' }, exportFormat, exportButton)),
      el('div', { class: 'button-row draw-footer' }, fresh, remove, report)));

  return {
    element, close, message, info, expiry, tools, toolButtons, undo, redo, styleBox, symbol, text, color, width,
    fillOpacity, labelScale, measure, selectedBox, featureName, featureDescription, deleteFeature, features, title,
    save, saveState, links, remove, copy, report, fresh, account, accountSaved, accountLink, claim, importIntoDrawing, importAsLayer, importFile, importUrl, importUrlForm, importUrlLoad, layers,
    exportFormat, exportButton,
  };
}
