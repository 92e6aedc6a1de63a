// What the layer info dialog says about an external layer: its abstract,
// the provider and service, the provider's access constraints and fees and
// that the provider's terms apply (clause P7), and its source note.

import { el } from '../dom';
import { t } from '../i18n';
import type { ExternalLayer } from './state';

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The source note shown in the attribution for an external layer. */
export function externalNote(layer: ExternalLayer): string {
  const source = layer.layer.attribution?.title || layer.service.provider || layer.service.title || hostOf(layer.service.url);
  return `${source} – ${t('external_terms_short')}`;
}

export function externalInfo(layer: ExternalLayer): HTMLElement[] {
  const { service } = layer;
  const none = (value: string): string => value || t('external_none');
  const row = (label: string, value: string, id?: string): HTMLElement[] => [el('dt', {}, label), el('dd', { id }, value)];
  const out: HTMLElement[] = [];
  if (layer.layer.abstract) out.push(el('p', { class: 'abstract' }, layer.layer.abstract));
  out.push(
    el('p', { class: 'external-terms', id: 'layer-info-terms' }, t('external_terms')),
    el('dl', { class: 'facts' },
      ...row(t('external_provider'), none(service.provider), 'layer-info-provider'),
      ...row(t('external_service'), service.title ? `${service.title} (${service.url})` : service.url),
      ...row(t('external_layer_name'), layer.layer.name),
      ...row(t('external_constraints'), none(service.accessConstraints), 'layer-info-constraints'),
      ...row(t('external_fees'), none(service.fees), 'layer-info-fees'),
      ...row(t('attribution'), layer.layer.attribution?.title || none(''))));
  return out;
}
