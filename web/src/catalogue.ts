// The layer catalogue from /api/layers, with the lookups the viewer needs.

import type { BaseMapDef, Extent, LayerDef, LayersResponse, TreeNode } from './api';
import { safePath } from './dom';

export class Catalogue {
  /** Layer ids in tree order (the first is drawn on top), then layers outside the tree. */
  readonly order: string[];
  readonly extent: Extent;
  readonly scales: number[];
  readonly basemaps: BaseMapDef[];
  readonly tree: TreeNode[];
  readonly wms: string;
  private readonly layers: Map<string, LayerDef>;

  constructor(response: LayersResponse, fallbackWms = '/ows') {
    this.layers = response.layers;
    this.extent = response.extent;
    this.scales = response.scales;
    this.basemaps = response.basemaps;
    // The portal's own WMS: a same-origin path, else the shell's.
    this.wms = safePath(response.wms) ?? fallbackWms;
    const order: string[] = [];
    const seen = new Set<string>();
    const walk = (nodes: TreeNode[]): void => {
      for (const node of nodes) {
        if (node.type === 'folder') walk(node.children);
        else if (this.layers.has(node.id) && !seen.has(node.id)) {
          seen.add(node.id);
          order.push(node.id);
        }
      }
    };
    walk(response.tree);
    for (const id of this.layers.keys()) {
      if (!seen.has(id)) {
        seen.add(id);
        order.push(id);
      }
    }
    this.order = order;
    // Tree nodes pointing at layers the caller may not see are dropped.
    const prune = (nodes: TreeNode[]): TreeNode[] =>
      nodes.flatMap((node): TreeNode[] => {
        if (node.type === 'layer') return this.layers.has(node.id) ? [node] : [];
        const children = prune(node.children);
        return children.length ? [{ ...node, children }] : [];
      });
    this.tree = prune(response.tree);
  }

  layer(id: string): LayerDef | undefined {
    return this.layers.get(id);
  }

  has(id: string): boolean {
    return this.layers.has(id);
  }

  basemap(id: string): BaseMapDef | undefined {
    return this.basemaps.find((b) => b.id === id);
  }

  /** Layers outside the tree (listed after it, so that they can be switched off). */
  get untreed(): string[] {
    const inTree = new Set<string>();
    const walk = (nodes: TreeNode[]): void => {
      for (const node of nodes) {
        if (node.type === 'folder') walk(node.children);
        else inTree.add(node.id);
      }
    };
    walk(this.tree);
    return this.order.filter((id) => !inTree.has(id));
  }

  defaultLayers(): string[] {
    return this.order.filter((id) => this.layers.get(id)?.visible);
  }

  defaultBase(): string {
    return this.basemaps[0]?.id ?? 'none';
  }
}
