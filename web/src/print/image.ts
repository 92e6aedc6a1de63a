// The image tab: the current view as a PNG (POST /api/export), at the
// map's size in CSS pixels or twice that, saved as a file. The server
// adds the source notes in a band at the bottom (clause L1); the tab
// states the terms for static images on websites (clause L4).

import type { Catalogue } from '../catalogue';
import { saveBlob } from '../dom';
import { formatNumber, t, type Lang } from '../i18n';
import type { MapView } from '../mapview';
import type { Store } from '../store';
import type { ExportSpec, Overlay, PrintApi } from './api';
import { mapContent } from './content';
import type { PrintPanel } from './panel';
import { errorText, showMessage, showProgress } from './status';

/** The export's bounds on each side, in CSS pixels. */
const MAX_SIDE = 2048;

export interface ImageContext {
  mapView: MapView;
  store: Store;
  catalogue: Catalogue;
  api: PrintApi;
  lang: Lang;
  overlays: () => Overlay[];
}

export class ImageExport {
  constructor(
    private readonly panel: PrintPanel,
    private readonly ctx: ImageContext,
  ) {
    panel.save.addEventListener('click', () => void this.save());
  }

  /** The map's size in CSS pixels, within the export's bounds. */
  private size(): [number, number] | null {
    const size = this.ctx.mapView.map.getSize();
    if (!size || size[0] < 1 || size[1] < 1) return null;
    const side = (n: number): number => Math.min(MAX_SIDE, Math.max(1, Math.round(n)));
    return [side(size[0]), side(size[1])];
  }

  /** The two sizes offered, in pixels, as the map is now. */
  renderSizes(): void {
    const [w, h] = this.size() ?? [0, 0];
    this.panel.ratio1Label.textContent = t('image_ratio_1', { w: formatNumber(w), h: formatNumber(h) });
    this.panel.ratio2Label.textContent = t('image_ratio_2', { w: formatNumber(w * 2), h: formatNumber(h * 2) });
  }

  private async save(): Promise<void> {
    const p = this.panel;
    const { mapView, store, catalogue, lang } = this.ctx;
    const size = this.size();
    const resolution = mapView.view.getResolution();
    if (!size || !resolution) return;
    const spec: ExportSpec = {
      ...mapContent(store, catalogue, this.ctx.overlays(), lang),
      center: mapView.center(),
      resolution,
      width: size[0],
      height: size[1],
      ratio: p.ratio2.checked ? 2 : 1,
    };
    p.save.disabled = true;
    showMessage(p.imageMessage, '');
    showProgress(p.imageProgress, p.imageProgressText, 'sending', t('image_state_saving'));
    try {
      const { blob, name } = await this.ctx.api.exportImage(spec);
      saveBlob(blob, name);
      showProgress(p.imageProgress, p.imageProgressText, 'done', t('image_state_done'));
    } catch (error) {
      showProgress(p.imageProgress, p.imageProgressText, 'failed');
      showMessage(p.imageMessage, t('image_failed', { m: errorText(error) }));
    } finally {
      p.save.disabled = false;
    }
  }
}
