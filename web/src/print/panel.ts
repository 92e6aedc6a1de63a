// The print panel's elements (#print-panel), built once; controller.ts
// gives them life. Two tabs: the PDF (paper, scale, texts, the frame's
// position) and the image of the current view. Ids are stable
// (docs/viewer.md lists them for tests).

import { el, icon, iconButton } from '../dom';
import { ICONS } from '../icons';
import { t, type Key } from '../i18n';

export type Direction = 'n' | 'e' | 's' | 'w';

export interface PrintPanel {
  element: HTMLElement;
  close: HTMLButtonElement;
  /** On narrow screens: shows or hides the settings (the sheet below the map). */
  sheet: HTMLButtonElement;
  summary: HTMLElement;
  tabs: { pdf: HTMLButtonElement; image: HTMLButtonElement };
  pages: { pdf: HTMLElement; image: HTMLElement };
  /** The PDF's controls, disabled until the server said what it offers. */
  settings: HTMLFieldSetElement;
  loading: HTMLElement;
  paper: HTMLSelectElement;
  portrait: HTMLInputElement;
  landscape: HTMLInputElement;
  scale: HTMLSelectElement;
  dpi: HTMLSelectElement;
  title: HTMLInputElement;
  comment: HTMLTextAreaElement;
  legend: HTMLInputElement;
  grid: HTMLInputElement;
  moves: HTMLElement;
  move: Record<Direction, HTMLButtonElement>;
  centre: HTMLButtonElement;
  frameSize: HTMLElement;
  frameCentre: HTMLElement;
  foreignBase: HTMLElement;
  create: HTMLButtonElement;
  progress: HTMLElement;
  progressText: HTMLElement;
  message: HTMLElement;
  result: HTMLElement;
  ratio1: HTMLInputElement;
  ratio2: HTMLInputElement;
  ratio1Label: HTMLElement;
  ratio2Label: HTMLElement;
  save: HTMLButtonElement;
  imageProgress: HTMLElement;
  imageProgressText: HTMLElement;
  imageMessage: HTMLElement;
}

function field(id: string, label: Key, control: HTMLElement): HTMLElement {
  return el('div', { class: 'field' }, el('label', { for: id }, t(label)), control);
}

function check(input: HTMLInputElement, label: Key): HTMLElement {
  return el('div', { class: 'check' }, input, el('label', { for: input.id }, t(label)));
}

/** A radio button drawn as one half of a two-part switch (the input keeps focus and keyboard). */
function segment(input: HTMLInputElement, label: Key, paths: readonly string[]): HTMLElement[] {
  return [input, el('label', { for: input.id }, icon(paths), el('span', {}, t(label)))];
}

/** A live line with a busy indicator: what a request is doing. */
function progressLine(id: string): { line: HTMLElement; text: HTMLElement } {
  const text = el('span', { class: 'print-progress-text' });
  const line = el('p', { id, class: 'print-progress', role: 'status', 'aria-live': 'polite', 'data-state': 'idle' },
    el('span', { class: 'print-spinner', 'aria-hidden': 'true' }), text);
  return { line, text };
}

function tab(id: string, controls: string, label: Key, paths: readonly string[], selected: boolean): HTMLButtonElement {
  return el('button', {
    type: 'button', id, role: 'tab', class: 'print-tab', 'aria-controls': controls,
    'aria-selected': String(selected), tabindex: selected ? 0 : -1,
  }, icon(paths), el('span', {}, t(label)));
}

export function buildPrintPanel(): PrintPanel {
  const close = iconButton('print-close', t('print_close'), ICONS.close, { class: 'icon-button dialog-close' });
  const sheet = el('button', {
    type: 'button', id: 'print-sheet', class: 'text-button quiet print-sheet-toggle', 'aria-expanded': 'false', 'aria-controls': 'print-body',
  }, el('span', {}, t('print_settings')), icon(ICONS.north));
  const summary = el('p', { id: 'print-summary', class: 'print-summary' });
  const tabs = {
    pdf: tab('print-tab-pdf', 'print-pdf', 'print_tab_pdf', ICONS.printer, true),
    image: tab('print-tab-image', 'print-image', 'print_tab_image', ICONS.image, false),
  };

  // ---------------------------------------------------------------- PDF
  const loading = el('p', { id: 'print-loading', class: 'hint', role: 'status' }, t('print_loading'));
  const paper = el('select', { id: 'print-paper' });
  const dpi = el('select', { id: 'print-dpi' });
  const portrait = el('input', { id: 'print-portrait', type: 'radio', name: 'print-orientation', value: 'portrait' });
  const landscape = el('input', { id: 'print-landscape', type: 'radio', name: 'print-orientation', value: 'landscape', checked: true });
  const scale = el('select', { id: 'print-scale' });
  const title = el('input', { id: 'print-title', type: 'text', maxlength: 120, placeholder: t('print_doc_title_placeholder'), autocomplete: 'off' });
  const comment = el('textarea', { id: 'print-comment', rows: 2, maxlength: 500 });
  const legend = el('input', { id: 'print-legend', type: 'checkbox', checked: true });
  const grid = el('input', { id: 'print-grid', type: 'checkbox' });

  const move = {
    n: iconButton('print-move-n', t('print_move_n'), ICONS.north, { class: 'icon-button print-move-n', 'data-move': 'n' }),
    w: iconButton('print-move-w', t('print_move_w'), ICONS.west, { class: 'icon-button print-move-w', 'data-move': 'w' }),
    e: iconButton('print-move-e', t('print_move_e'), ICONS.east, { class: 'icon-button print-move-e', 'data-move': 'e' }),
    s: iconButton('print-move-s', t('print_move_s'), ICONS.south, { class: 'icon-button print-move-s', 'data-move': 's' }),
  };
  const centre = iconButton('print-move-center', t('print_move_center'), ICONS.target, { class: 'icon-button print-move-c' });
  const moves = el('div', {
    id: 'print-moves', class: 'print-moves', role: 'group', 'aria-label': t('print_move'),
    'aria-keyshortcuts': 'ArrowUp ArrowDown ArrowLeft ArrowRight',
  }, move.n, move.w, centre, move.e, move.s);
  const frameSize = el('span', { id: 'print-frame-size', class: 'print-frame-size' });
  const frameCentre = el('span', { id: 'print-frame-center', class: 'print-frame-center' });
  const foreignBase = el('p', { id: 'print-base-foreign', class: 'hint', hidden: true });

  const settings = el('fieldset', { class: 'print-settings', disabled: true },
    el('legend', { class: 'visually-hidden' }, t('print_tab_pdf')),
    el('div', { class: 'print-grid' },
      field('print-paper', 'print_paper', paper),
      field('print-dpi', 'print_dpi', dpi)),
    el('fieldset', { class: 'print-orientation' },
      el('legend', {}, t('print_orientation')),
      el('div', { class: 'segmented' },
        ...segment(portrait, 'print_portrait', ICONS.portrait),
        ...segment(landscape, 'print_landscape', ICONS.landscape))),
    field('print-scale', 'print_scale', scale),
    field('print-title', 'print_doc_title', title),
    field('print-comment', 'print_comment', comment),
    el('div', { class: 'print-checks' }, check(legend, 'print_legend'), check(grid, 'print_grid')),
    el('section', { class: 'print-frame', 'aria-labelledby': 'print-frame-title' },
      el('h3', { id: 'print-frame-title' }, t('print_frame')),
      el('p', { id: 'print-frame-hint', class: 'hint' }, t('print_frame_hint')),
      el('div', { class: 'print-frame-row' },
        moves,
        el('p', { class: 'print-frame-facts', 'aria-live': 'polite' }, frameSize, frameCentre)),
      foreignBase));

  const create = el('button', { type: 'button', id: 'print-create', class: 'text-button primary', disabled: true },
    icon(ICONS.printer), el('span', {}, t('print_create')));
  const progress = progressLine('print-progress');
  const message = el('p', { id: 'print-message', class: 'print-message', role: 'alert', hidden: true });
  const result = el('div', { id: 'print-result', class: 'print-result', hidden: true });
  const pdfPage = el('div', { id: 'print-pdf', class: 'print-page', role: 'tabpanel', 'aria-labelledby': 'print-tab-pdf' },
    loading,
    settings,
    el('div', { class: 'print-actions' }, create),
    progress.line,
    message,
    result);

  // ---------------------------------------------------------------- image
  const ratio1 = el('input', { id: 'image-ratio-1', type: 'radio', name: 'image-ratio', value: '1', checked: true });
  const ratio2 = el('input', { id: 'image-ratio-2', type: 'radio', name: 'image-ratio', value: '2' });
  const ratio1Label = el('label', { for: 'image-ratio-1' });
  const ratio2Label = el('label', { for: 'image-ratio-2' });
  const save = el('button', { type: 'button', id: 'image-save', class: 'text-button primary' },
    icon(ICONS.download), el('span', {}, t('image_save')));
  const imageProgress = progressLine('image-progress');
  const imageMessage = el('p', { id: 'image-message', class: 'print-message', role: 'alert', hidden: true });
  const imagePage = el('div', { id: 'print-image', class: 'print-page', role: 'tabpanel', 'aria-labelledby': 'print-tab-image', hidden: true },
    el('p', { class: 'hint' }, t('image_hint')),
    el('fieldset', { class: 'print-ratio' },
      el('legend', {}, t('image_ratio')),
      el('div', { class: 'check' }, ratio1, ratio1Label),
      el('div', { class: 'check' }, ratio2, ratio2Label)),
    el('div', { class: 'print-actions' }, save),
    imageProgress.line,
    imageMessage,
    el('section', { id: 'image-terms', class: 'print-terms', 'aria-labelledby': 'image-terms-title' },
      el('h3', { id: 'image-terms-title' }, icon(ICONS.info), el('span', {}, t('image_terms_title'))),
      el('p', {}, t('image_terms'))));

  const element = el('section', { id: 'print-panel', class: 'print-panel', 'aria-labelledby': 'print-panel-title', hidden: true },
    el('div', { class: 'dialog-head' }, el('h2', { id: 'print-panel-title' }, t('print_title')), summary, sheet, close),
    el('div', { id: 'print-body', class: 'print-body' },
      el('div', { class: 'print-tabs', role: 'tablist', 'aria-label': t('print_tabs') }, tabs.pdf, tabs.image),
      el('div', { class: 'print-pages' }, pdfPage, imagePage)));

  return {
    element, close, sheet, summary, tabs, pages: { pdf: pdfPage, image: imagePage }, settings, loading, paper, portrait, landscape,
    scale, dpi, title, comment, legend, grid, moves, move, centre, frameSize, frameCentre, foreignBase, create,
    progress: progress.line, progressText: progress.text, message, result, ratio1, ratio2, ratio1Label, ratio2Label,
    save, imageProgress: imageProgress.line, imageProgressText: imageProgress.text, imageMessage,
  };
}
