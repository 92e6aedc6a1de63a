//! The engine's answers to validated WMS requests: GetCapabilities for the
//! caller's visible layers, GetMap, GetFeatureInfo, GetLegendGraphic, and
//! exceptions as XML or in the image. Everything returns bytes and a
//! content type; numis-server only wraps them in HTTP.

use std::time::{Duration, Instant};

use geo::Rect;
use tiny_skia::{Color, Pixmap};

use crate::attribution::licence_short_name;
use crate::config::ServiceConfig;
use crate::crs::{ALL, Crs};
use crate::render::{DrawLayer, Frame, LayerTime, RenderError, encode, render_timed, write_text};
use crate::view::{CatalogView, Node, ResolveError, VisibleLayer};
use crate::wms::{
    Attribution, Bbox, CapLayer, CapabilitiesInput, ExceptionCode, ExceptionFormat,
    GetFeatureInfoRequest, GetMapRequest, ImageFormat, ImageTarget, InfoFeature, InfoFormat,
    InfoLayer, LegendRequest, LegendUrl, Limits, RenderBudget, Version, WmsError,
    capabilities_content_type, capabilities_xml, feature_info,
};

/// A finished answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// MIME type.
    pub content_type: String,
    /// Body.
    pub body: Vec<u8>,
}

fn internal(message: impl Into<String>) -> WmsError {
    WmsError::new(ExceptionCode::NoApplicableCode, message)
}

/// A layer's database did not answer; the message says which and why.
fn source_failed(message: String) -> WmsError {
    tracing::warn!(%message, "a layer's source failed");
    internal(format!("the data could not be read: {message}"))
}

fn not_defined(name: &str, locator: &str) -> WmsError {
    WmsError::new(
        ExceptionCode::LayerNotDefined,
        format!("layer {name:?} is not offered by this service"),
    )
    .with_locator(locator)
}

fn lang(language: Option<&String>) -> &str {
    match language.map(String::as_str) {
        Some("en") => "en",
        _ => "de",
    }
}

fn frame(map: &GetMapRequest) -> Frame {
    Frame {
        crs: map.crs,
        bbox: Rect::new(
            geo::coord! { x: map.bbox.min_x, y: map.bbox.min_y },
            geo::coord! { x: map.bbox.max_x, y: map.bbox.max_y },
        ),
        width: map.width,
        height: map.height,
    }
}

fn resolve<'a>(
    view: &CatalogView<'a>,
    names: &[String],
    locator: &str,
) -> Result<Vec<VisibleLayer<'a>>, WmsError> {
    view.resolve(names)
        .map_err(|ResolveError::NotDefined(name)| not_defined(&name, locator))
}

/// GetMap: the layers of `view` drawn into the requested image, within the
/// render budget of `[service]`.
pub fn get_map(view: &CatalogView<'_>, request: &GetMapRequest) -> Result<Answer, WmsError> {
    get_map_timed(view, request, &mut Vec::new())
}

/// How long one layer of a GetMap took to draw, for the operator's
/// monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRender {
    /// The layer's id.
    pub layer: String,
    /// Time spent drawing its features.
    pub elapsed: Duration,
    /// `false` when the map's time budget ran out inside this layer.
    pub ok: bool,
}

/// [`get_map`], adding to `timings` how long each layer drawn took —
/// also when the answer is an exception because time ran out.
pub fn get_map_timed(
    view: &CatalogView<'_>,
    request: &GetMapRequest,
    timings: &mut Vec<LayerRender>,
) -> Result<Answer, WmsError> {
    let started = Instant::now();
    let layers = resolve(view, &request.layers, "LAYERS")?;
    let budget = RenderBudget::from_service(&view.catalog().config.service);
    let pixel_layers = u64::from(request.width) * u64::from(request.height) * layers.len() as u64;
    if let Some(max) = budget.max_pixel_layers
        && pixel_layers > max
    {
        return Err(WmsError::new(
            ExceptionCode::InvalidParameterValue,
            format!(
                "WIDTH × HEIGHT × layers drawn = {} × {} × {} = {pixel_layers} exceeds this service's limit of {max} ([service] max_pixel_layers); ask for a smaller image or fewer layers",
                request.width,
                request.height,
                layers.len()
            ),
        ));
    }
    let frame = frame(request);
    // Layers kept in a database are asked for this map first; one that
    // cannot answer fails the map rather than leaving a hole in it.
    let fetched = layers
        .iter()
        .map(|l| l.fetch(&frame))
        .collect::<Result<Vec<_>, String>>()
        .map_err(source_failed)?;
    let draw: Vec<DrawLayer<'_>> = layers
        .iter()
        .zip(&fetched)
        .map(|(l, f)| l.draw_layer_from(f.as_ref()))
        .collect();
    let transparent = request.transparent && request.format != ImageFormat::Jpeg;
    let background = (!transparent).then_some(request.bgcolor);
    let deadline = budget.max_render.map(|max| started + max);
    let mut times: Vec<LayerTime> = Vec::new();
    let rendered = render_timed(&frame, &draw, background, deadline, &mut times);
    timings.extend(times.iter().filter_map(|t| {
        Some(LayerRender {
            layer: layers.get(t.index)?.id().to_owned(),
            elapsed: t.elapsed,
            ok: t.finished,
        })
    }));
    let rendered = rendered.map_err(|e| match e {
        RenderError::DeadlineExceeded => WmsError::new(
            ExceptionCode::InvalidParameterValue,
            format!(
                "the map took longer than this service's limit of {} ms to draw ([service] max_render_ms); ask for a smaller image, a smaller extent or fewer layers",
                budget.max_render.map_or(0, |d| d.as_millis())
            ),
        ),
        other => internal(other.to_string()),
    })?;
    if rendered.skipped_shapes > 0 {
        // One line per image, however many shapes: a map of the whole
        // world at a tiny size collapses every polygon.
        tracing::debug!(
            shapes = rendered.skipped_shapes,
            "shapes without area or length were left out of the map"
        );
    }
    let body = encode(&rendered.pixmap, request.format, transparent).map_err(internal)?;
    Ok(Answer {
        content_type: request.format.content_type().to_owned(),
        body,
    })
}

/// An exception the way the request asked for it: XML, or drawn into the
/// image `target` the request described — with the message (INIMAGE) or
/// without (BLANK).
pub fn exception(error: &WmsError, version: Version, target: Option<&ImageTarget>) -> Answer {
    target
        .and_then(|target| exception_image(error, target))
        .unwrap_or_else(|| Answer {
            content_type: WmsError::content_type(version).to_owned(),
            body: error.to_xml(version).into_bytes(),
        })
}

fn exception_image(error: &WmsError, target: &ImageTarget) -> Option<Answer> {
    let mut pixmap = Pixmap::new(target.width, target.height)?;
    let transparent = target.transparent && target.format != ImageFormat::Jpeg;
    if !transparent {
        let [r, g, b] = target.bgcolor;
        pixmap.fill(Color::from_rgba8(r, g, b, 255));
    }
    if target.exceptions == ExceptionFormat::InImage {
        let text = format!("{}: {}", error.code, error.message);
        for (row, line) in wrap(&text, (target.width / 7).max(10) as usize)
            .iter()
            .enumerate()
            .take(20)
        {
            write_text(
                &mut pixmap,
                line,
                12.0,
                6.0,
                14.0 + 16.0 * row as f32,
                Color::from_rgba8(160, 20, 20, 255),
            );
        }
    }
    let body = encode(&pixmap, target.format, transparent).ok()?;
    Some(Answer {
        content_type: target.format.content_type().to_owned(),
        body,
    })
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + word.chars().count() + 1 > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// GetFeatureInfo: the public queryable fields of the features at the
/// pixel — never a field marked personal (clause L3).
pub fn get_feature_info(
    view: &CatalogView<'_>,
    request: &GetFeatureInfoRequest,
) -> Result<Answer, WmsError> {
    let lang = lang(request.map.language.as_ref());
    let layers = queryable_layers(view, &request.query_layers)?;
    let frame = frame(&request.map);
    let mut answer = Vec::new();
    for layer in layers {
        let features = layer
            .features_at(&frame, request.i, request.j, request.feature_count as usize)
            .map_err(source_failed)?
            .into_iter()
            .map(|feature| InfoFeature {
                id: feature.id.into_owned(),
                fields: feature
                    .values
                    .into_iter()
                    .map(|(f, value)| {
                        let label = if f.label.is_empty() {
                            f.field.clone()
                        } else {
                            f.label.get(lang).to_owned()
                        };
                        (label, f.field.clone(), value)
                    })
                    .collect(),
                geometry: None,
            })
            .collect();
        answer.push(InfoLayer {
            name: layer.id().to_owned(),
            title: layer.title().get(lang).to_owned(),
            features,
        });
    }
    let (content_type, body) = feature_info(&answer, request.info_format, lang);
    Ok(Answer {
        content_type,
        body: body.into_bytes(),
    })
}

/// The layers a GetFeatureInfo asks: a layer named directly must be
/// queryable; a group stands for its queryable members and is refused only
/// when it has none.
fn queryable_layers<'a>(
    view: &CatalogView<'a>,
    names: &[String],
) -> Result<Vec<VisibleLayer<'a>>, WmsError> {
    let not_queryable = |name: &str| {
        WmsError::new(
            ExceptionCode::LayerNotQueryable,
            format!("layer {name:?} cannot be queried"),
        )
        .with_locator("QUERY_LAYERS")
    };
    let mut out = Vec::new();
    for name in names {
        let members = resolve(view, std::slice::from_ref(name), "QUERY_LAYERS")?;
        // A layer stands for itself, so it must be queryable itself.
        let queryable: Vec<VisibleLayer<'_>> = members
            .into_iter()
            .filter(VisibleLayer::is_queryable)
            .collect();
        if queryable.is_empty() {
            return Err(not_queryable(name));
        }
        out.extend(queryable);
    }
    Ok(out)
}

/// GetLegendGraphic: a layer's legend, a row per named rule; a group's,
/// the legends of its visible members stacked under their titles.
pub fn get_legend(view: &CatalogView<'_>, request: &LegendRequest) -> Result<Answer, WmsError> {
    let node = view
        .node(&request.layer)
        .ok_or_else(|| not_defined(&request.layer, "LAYER"))?;
    let lang = lang(request.language.as_ref());
    let pixmap = legend_image(&node, lang, request.scale)
        .or_else(|| Pixmap::new(1, 1))
        .ok_or_else(|| internal("the legend could not be allocated"))?;
    let transparent = request.format != ImageFormat::Jpeg;
    let body = encode(&pixmap, request.format, transparent).map_err(internal)?;
    Ok(Answer {
        content_type: request.format.content_type().to_owned(),
        body,
    })
}

/// The legend of a layer or group; `None` when it has no named rule.
fn legend_image(node: &Node<'_>, lang: &str, scale: Option<f64>) -> Option<Pixmap> {
    match node {
        Node::Layer(layer) => crate::legend::legend(&layer.draw_layer(), lang, scale),
        Node::Group { .. } => {
            let members: Vec<(&str, DrawLayer<'_>)> = node
                .layers()
                .iter()
                .map(|l| (l.title().get(lang), l.draw_layer()))
                .collect();
            crate::legend::group_legend(&members, lang, scale)
        }
    }
}

/// The LegendURL of the style of `name`: a GetLegendGraphic request in the
/// capabilities' own version, as MapServer writes them (SLD_VERSION is a
/// parameter of SLD 1.1.0, which goes with WMS 1.3.0).
fn legend_url(image: &Pixmap, name: &str, version: Version, lang: &str, online: &str) -> LegendUrl {
    let sld = match version {
        Version::V130 => "&SLD_VERSION=1.1.0",
        Version::V111 => "&STYLE=default",
    };
    LegendUrl {
        width: image.width(),
        height: image.height(),
        format: "image/png".into(),
        href: format!(
            "{online}?SERVICE=WMS&VERSION={version}&REQUEST=GetLegendGraphic&LAYER={name}&FORMAT=image%2Fpng{sld}&LANGUAGE={lang}"
        ),
    }
}

/// GetCapabilities for what `view` shows, in `lang`.
pub fn capabilities(
    view: &CatalogView<'_>,
    version: Version,
    lang: &str,
    online_resource: &str,
    data_url: &DataUrl<'_>,
) -> Answer {
    let catalog = view.catalog();
    let mut root = CapLayer {
        title: catalog.config.service.title.get(lang).to_owned(),
        abstract_: catalog.config.service.abstract_.get(lang).to_owned(),
        ..CapLayer::default()
    };
    let cx = CapContext {
        version,
        lang,
        online: online_resource,
        data_url,
    };
    root.children = view
        .layer_tree()
        .iter()
        .map(|node| cap_node(&cx, node))
        .collect();
    root.bboxes = union_bboxes(&root.children);
    root.lonlat_bbox = union_lonlat(&root.children);
    let visible: Vec<VisibleLayer<'_>> = view.layers().collect();
    let input = CapabilitiesInput {
        version,
        lang,
        online_resource,
        service: &catalog.config.service,
        access_constraints: access_constraints(&catalog.config.service, &visible, lang),
        limits: Limits::from_service(&catalog.config.service),
        root,
        formats: &ImageFormat::MIME_TYPES,
        info_formats: &InfoFormat::MIME_TYPES,
    };
    Answer {
        content_type: capabilities_content_type(version).to_owned(),
        body: capabilities_xml(&input).into_bytes(),
    }
}

/// What every layer of a capabilities document shares.
/// Where a layer's data can be read as features (a `DataURL` of the
/// capabilities), if anywhere: the server knows its own routes, the engine
/// does not.
pub type DataUrl<'a> = dyn Fn(&VisibleLayer<'_>) -> Option<String> + 'a;

struct CapContext<'a> {
    version: Version,
    lang: &'a str,
    online: &'a str,
    data_url: &'a DataUrl<'a>,
}

impl CapContext<'_> {
    fn legend(&self, node: &Node<'_>, name: &str) -> Option<LegendUrl> {
        legend_image(node, self.lang, None)
            .map(|image| legend_url(&image, name, self.version, self.lang, self.online))
    }
}

fn cap_node(cx: &CapContext<'_>, node: &Node<'_>) -> CapLayer {
    let (group, children) = match node {
        Node::Layer(layer) => return layer_node(cx, node, layer),
        Node::Group { group, children } => (group, children),
    };
    let lang = cx.lang;
    let mut cap = CapLayer {
        name: Some(group.id.clone()),
        title: group.title.get(lang).to_owned(),
        abstract_: group.abstract_.get(lang).to_owned(),
        style_legend: cx.legend(node, &group.id),
        children: children.iter().map(|child| cap_node(cx, child)).collect(),
        ..CapLayer::default()
    };
    cap.queryable = cap.children.iter().any(|c| c.queryable);
    cap.bboxes = union_bboxes(&cap.children);
    cap.lonlat_bbox = union_lonlat(&cap.children);
    cap
}

fn to_bbox(rect: Rect<f64>) -> Bbox {
    Bbox {
        min_x: rect.min().x,
        min_y: rect.min().y,
        max_x: rect.max().x,
        max_y: rect.max().y,
    }
}

fn layer_node(cx: &CapContext<'_>, node: &Node<'_>, layer: &VisibleLayer<'_>) -> CapLayer {
    let lang = cx.lang;
    let legend = cx.legend(node, layer.id());
    let note = layer.source_note(lang);
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    CapLayer {
        name: Some(layer.id().to_owned()),
        title: layer.title().get(lang).to_owned(),
        abstract_: layer.abstract_().get(lang).to_owned(),
        keywords: Vec::new(),
        queryable: layer.is_queryable(),
        opaque: false,
        lonlat_bbox: layer.extent(Crs::Crs84).map(to_bbox),
        bboxes: ALL
            .iter()
            .filter_map(|&crs| Some((crs, to_bbox(layer.extent(crs)?))))
            .collect(),
        min_scale: layer.min_scale(),
        max_scale: layer.max_scale(),
        style_legend: legend,
        attribution: (!note.is_empty()).then(|| Attribution {
            title: note,
            online_resource: text(&layer.licence().url),
        }),
        metadata_url: text(layer.metadata_url()),
        data_url: (cx.data_url)(layer),
        data_date: text(layer.data_date()),
        children: Vec::new(),
    }
}

fn union(a: Bbox, b: Bbox) -> Bbox {
    Bbox {
        min_x: a.min_x.min(b.min_x),
        min_y: a.min_y.min(b.min_y),
        max_x: a.max_x.max(b.max_x),
        max_y: a.max_y.max(b.max_y),
    }
}

fn union_bboxes(children: &[CapLayer]) -> Vec<(Crs, Bbox)> {
    ALL.iter()
        .filter_map(|&crs| {
            children
                .iter()
                .filter_map(|c| c.bboxes.iter().find(|(c, _)| *c == crs).map(|(_, b)| *b))
                .reduce(union)
                .map(|b| (crs, b))
        })
        .collect()
}

fn union_lonlat(children: &[CapLayer]) -> Option<Bbox> {
    children.iter().filter_map(|c| c.lonlat_bbox).reduce(union)
}

/// The licences of the visible layers, each once, plus the operator's own
/// constraints.
fn access_constraints(service: &ServiceConfig, visible: &[VisibleLayer<'_>], lang: &str) -> String {
    let mut licences: Vec<String> = Vec::new();
    for layer in visible {
        let licence = layer.licence();
        let name = licence_short_name(&licence.id)
            .map(str::to_owned)
            .unwrap_or_else(|| licence.id.clone());
        if name.is_empty() || name == "NOASSERTION" {
            continue;
        }
        let entry = if licence.url.is_empty() {
            name
        } else {
            format!("{name} ({})", licence.url)
        };
        if !licences.contains(&entry) {
            licences.push(entry);
        }
    }
    let own = service.access_constraints.get(lang);
    let intro = if lang == "en" {
        "Use under the licence of each layer, naming its source as given in its attribution:"
    } else {
        "Nutzung nach der Lizenz der jeweiligen Ebene unter Angabe ihres Quellenvermerks:"
    };
    let mut text = format!("{intro} {}", licences.join("; "));
    if !own.is_empty() {
        text = format!("{own} {text}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::view::Caller;
    use crate::wms::WmsRequest;

    #[test]
    fn get_map_reports_each_layer_drawn_by_id() {
        let dir = crate::catalog::tests::site(
            r##"
            [[layer]]
            id = "below"
            title = "Below"
            source = { type = "geojson", path = "points.geojson" }
            [[layer.rule]]
            symbol_size = 8
            [[layer]]
            id = "above"
            title = "Above"
            source = { type = "geojson", path = "points.geojson" }
            [[layer.rule]]
            symbol_size = 8
            "##,
        );
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller::default();
        let pairs: Vec<(String, String)> = [
            ("SERVICE", "WMS"),
            ("VERSION", "1.3.0"),
            ("REQUEST", "GetMap"),
            ("LAYERS", "above,below"),
            ("STYLES", ""),
            ("CRS", "CRS:84"),
            ("BBOX", "9.6,52.3,9.9,52.5"),
            ("WIDTH", "64"),
            ("HEIGHT", "64"),
            ("FORMAT", "image/png"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let limits = Limits::from_service(&catalog.config.service);
        let Ok(WmsRequest::GetMap(request)) = crate::wms::parse(&pairs, &limits) else {
            panic!("not a GetMap");
        };
        let mut timings = Vec::new();
        let answer = get_map_timed(&catalog.view(&caller), &request, &mut timings).unwrap();
        assert_eq!(answer.content_type, "image/png");
        let drawn: Vec<(&str, bool)> = timings.iter().map(|t| (t.layer.as_str(), t.ok)).collect();
        assert_eq!(drawn, [("above", true), ("below", true)]);
        assert!(timings.iter().all(|t| t.elapsed > Duration::ZERO));
    }
}
