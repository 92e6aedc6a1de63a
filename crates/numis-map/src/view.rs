//! The catalogue as one caller sees it: the only place that decides which
//! layers and groups exist for whom (clause L7) and which of a layer's
//! fields may leave the server (clause L3).
//!
//! Every output — WMS capabilities, GetMap, GetFeatureInfo,
//! GetLegendGraphic, the viewer's catalogue and search, attribution — reads
//! the catalogue through a [`CatalogView`]. A [`VisibleLayer`] offers no way
//! to reach a personal field: its queryable fields come without them, and
//! feature values are read out only for those fields.
//!
//! The group tree is walked by one function, [`CatalogView::node`], with one
//! depth limit ([`MAX_GROUP_DEPTH`]); a group that contains itself (directly
//! or through others) is not followed again.

use std::borrow::Cow;

use geo::{BoundingRect, Geometry, Rect};
use serde_json::Value;

use crate::attribution::{is_open_licence, source_note};
use crate::catalog::{Catalog, Layer};
use crate::config::{FieldConfig, GroupConfig, LicenceConfig, MeasurementsConfig, Text};
use crate::crs::Crs;
use crate::data::Properties;
use crate::measurements::Measurements;
use crate::postgis::Fetched;
use crate::query::{HIT_TOLERANCE_PX, features_at};
use crate::render::{DrawLayer, Frame};

/// The area around pixel `(i, j)` of `frame` in which feature info finds
/// features, in `storage` (the whole frame where that fails: the database
/// still answers, only with more rows).
fn click_area(frame: &Frame, i: u32, j: u32, storage: crate::data::Storage) -> Rect<f64> {
    let (x, y) = frame.to_map(f64::from(i), f64::from(j));
    let reach = frame.resolution() * HIT_TOLERANCE_PX;
    let around = Rect::new(
        geo::coord! { x: x - reach, y: y - reach },
        geo::coord! { x: x + reach, y: y + reach },
    );
    storage
        .area(frame.crs, around)
        .or_else(|| storage.area(frame.crs, frame.bbox))
        .unwrap_or(around)
}

/// Groups nest at most this deep; deeper members are left out.
pub const MAX_GROUP_DEPTH: usize = 16;

/// Who is asking: decides which restricted layers exist for them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Caller {
    /// Roles the caller holds (the operator token grants all).
    pub roles: Vec<String>,
    /// The operator token was presented.
    pub operator: bool,
}

impl Caller {
    /// May this caller see a layer with `access`? Private: only the view
    /// asks it.
    fn may_see(&self, access: &str) -> bool {
        access == "public" || self.operator || self.roles.iter().any(|r| r == access)
    }
}

/// What makes two views show the same layers: the operator flag and the
/// roles, sorted. Part of the render cache key, so one caller's image is
/// never served to a caller who may see less.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewIdentity {
    operator: bool,
    roles: Vec<String>,
}

/// Why a layer list cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// No such layer or group — or one the caller may not see, or a group
    /// with no member the caller may see.
    NotDefined(String),
}

/// The catalogue for one caller. Cheap: two references.
#[derive(Debug, Clone, Copy)]
pub struct CatalogView<'a> {
    catalog: &'a Catalog,
    caller: &'a Caller,
}

/// A node of the layer tree as the caller sees it.
#[derive(Debug, Clone)]
pub enum Node<'a> {
    /// A layer.
    Layer(VisibleLayer<'a>),
    /// A group with at least one visible member.
    Group {
        /// Its configuration (id, title, abstract).
        group: &'a GroupConfig,
        /// Its visible members, in configuration order.
        children: Vec<Node<'a>>,
    },
}

impl<'a> Node<'a> {
    /// The layers below this node (or the layer itself), first drawn first.
    pub fn layers(&self) -> Vec<VisibleLayer<'a>> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<VisibleLayer<'a>>) {
        match self {
            Self::Layer(layer) => out.push(*layer),
            Self::Group { children, .. } => children.iter().for_each(|c| c.collect(out)),
        }
    }
}

impl Catalog {
    /// The catalogue as `caller` sees it.
    pub fn view<'a>(&'a self, caller: &'a Caller) -> CatalogView<'a> {
        CatalogView {
            catalog: self,
            caller,
        }
    }
}

impl<'a> CatalogView<'a> {
    /// The catalogue behind the view (service metadata, viewer settings).
    pub fn catalog(&self) -> &'a Catalog {
        self.catalog
    }

    /// What distinguishes this view from others for caching.
    pub fn identity(&self) -> ViewIdentity {
        let mut roles = self.caller.roles.clone();
        roles.sort();
        roles.dedup();
        ViewIdentity {
            operator: self.caller.operator,
            roles,
        }
    }

    /// A layer by name, if it exists for the caller.
    pub fn layer(&self, name: &str) -> Option<VisibleLayer<'a>> {
        self.catalog
            .layer_by_name(name)
            .filter(|l| self.caller.may_see(&l.config.access))
            .map(|layer| VisibleLayer { layer })
    }

    /// Every layer the caller may see, in configuration order.
    pub fn layers(&self) -> impl Iterator<Item = VisibleLayer<'a>> + use<'a> {
        let caller = self.caller;
        self.catalog
            .all_layers()
            .iter()
            .filter(move |l| caller.may_see(&l.config.access))
            .map(|layer| VisibleLayer { layer })
    }

    /// The layer or group `name` with what the caller sees of it; `None`
    /// when it does not exist for the caller (a group with no visible
    /// member included). The one walker of the group tree.
    pub fn node(&self, name: &str) -> Option<Node<'a>> {
        self.walk(name, &mut Vec::new())
    }

    fn walk(&self, name: &str, path: &mut Vec<&'a str>) -> Option<Node<'a>> {
        if let Some(layer) = self.layer(name) {
            return Some(Node::Layer(layer));
        }
        let group = self.catalog.group(name)?;
        // Deeper than the limit, or a group inside itself: not followed.
        if path.len() >= MAX_GROUP_DEPTH || path.contains(&group.id.as_str()) {
            return None;
        }
        path.push(&group.id);
        let children: Vec<Node<'a>> = group
            .members
            .iter()
            .filter_map(|member| self.walk(member, path))
            .collect();
        path.pop();
        (!children.is_empty()).then_some(Node::Group { group, children })
    }

    /// The nodes for `names`, leaving out those the caller cannot see.
    pub fn tree<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Vec<Node<'a>> {
        names.into_iter().filter_map(|n| self.node(n)).collect()
    }

    /// The WMS layer tree: the groups without parent, then every visible
    /// layer that none of them contains.
    pub fn layer_tree(&self) -> Vec<Node<'a>> {
        let roots = self
            .catalog
            .config
            .groups
            .iter()
            .filter(|g| g.parent.is_none())
            .map(|g| g.id.as_str());
        let mut tree = self.tree(roots);
        let placed: std::collections::HashSet<&str> =
            tree.iter().flat_map(Node::layers).map(|l| l.id()).collect();
        let loose: Vec<Node<'a>> = self
            .layers()
            .filter(|l| !placed.contains(l.id()))
            .map(Node::Layer)
            .collect();
        tree.extend(loose);
        tree
    }

    /// The layers of `name` (a layer, or a group's visible members); empty
    /// when it does not exist for the caller.
    pub fn members(&self, name: &str) -> Vec<VisibleLayer<'a>> {
        self.node(name).map(|n| n.layers()).unwrap_or_default()
    }

    /// The layers to draw for a WMS `LAYERS` list, bottom first; groups
    /// expand to their visible members. A name the caller may not see is
    /// reported exactly like one that does not exist.
    pub fn resolve(&self, names: &[String]) -> Result<Vec<VisibleLayer<'a>>, ResolveError> {
        let mut out = Vec::new();
        for name in names {
            let node = self
                .node(name)
                .ok_or_else(|| ResolveError::NotDefined(name.clone()))?;
            node.collect(&mut out);
        }
        Ok(out)
    }
}

/// A layer the caller may see. It offers what outputs need and nothing of
/// its personal fields.
#[derive(Debug, Clone, Copy)]
pub struct VisibleLayer<'a> {
    layer: &'a Layer,
}

/// A feature as it may leave the server: its id and the values of the
/// layer's public queryable fields.
#[derive(Debug, Clone)]
pub struct PublicFeature<'a> {
    /// The feature id.
    pub id: Cow<'a, str>,
    /// Each public field with its value (`Null` when the feature has none).
    pub values: Vec<(&'a FieldConfig, serde_json::Value)>,
}

/// A feature as it may leave the server as data (downloads, OGC API –
/// Features): its id and every property except the layer's personal ones
/// (clause L3). Unlike [`PublicFeature`] it is not limited to the fields
/// shown in feature info: open data carry all their attributes.
#[derive(Debug, Clone)]
pub struct DataFeature<'a> {
    /// Position of the feature in the layer (stable until the next reload).
    pub index: usize,
    /// The feature id.
    pub id: Cow<'a, str>,
    properties: Properties<'a>,
    personal: &'a [String],
}

impl<'a> DataFeature<'a> {
    /// The feature's properties, personal ones left out, in name order
    /// (properties are held sorted by name, not as the source wrote them).
    pub fn properties(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + use<'a> {
        let personal = self.personal;
        self.properties
            .iter()
            .filter(move |(name, _)| !personal.iter().any(|p| p == name))
    }

    /// One property by name; `None` when missing or personal.
    pub fn property(&self, name: &str) -> Option<&'a Value> {
        if self.personal.iter().any(|p| p == name) {
            return None;
        }
        self.properties.get(name)
    }
}

impl<'a> VisibleLayer<'a> {
    /// Are the layer's data offered as open data (downloads, OGC API –
    /// Features; clause L5)? As configured by `open_data`, else when the
    /// licence is an open one.
    ///
    /// A PostGIS layer is drawn and queried per request but not (yet)
    /// offered whole: never open data here.
    pub fn is_open_data(&self) -> bool {
        let config = &self.layer.config;
        self.layer.postgis.is_none()
            && config
                .open_data
                .unwrap_or_else(|| is_open_licence(&config.licence.id))
    }

    /// Does the layer read its features from a database per request?
    pub fn is_remote(&self) -> bool {
        self.layer.postgis.is_some()
    }

    /// Number of features.
    pub fn feature_count(&self) -> usize {
        self.layer.data.len()
    }

    /// Feature `index` as data, personal properties left out.
    pub fn data_feature(&self, index: usize) -> Option<DataFeature<'a>> {
        let data = &self.layer.data;
        Some(DataFeature {
            index,
            id: data.id(index)?,
            properties: data.properties(index)?,
            personal: &self.layer.config.personal,
        })
    }

    /// Every feature as data, in source order.
    pub fn data_features(&self) -> impl Iterator<Item = DataFeature<'a>> + use<'a> {
        let layer = *self;
        (0..self.layer.data.len()).filter_map(move |i| layer.data_feature(i))
    }

    /// Positions of the features whose envelopes meet `area` (in `crs`),
    /// in source order.
    pub fn data_features_in(&self, crs: Crs, area: Rect<f64>) -> Vec<usize> {
        self.layer.data.features_in(crs, area)
    }

    /// Feature `index` in `crs`, with every vertex.
    pub fn geometry(&self, crs: Crs, index: usize) -> Option<Geometry<f64>> {
        self.layer.data.geometry(crs, index)
    }

    /// The names of the properties the features carry, personal ones left
    /// out: each feature's in name order, new names after those seen on
    /// earlier features.
    pub fn property_names(&self) -> Vec<&'a str> {
        let personal = &self.layer.config.personal;
        let data = &self.layer.data;
        let all = data.property_names();
        // Once every public name is found, the rest of the rows add none.
        let public = all.iter().filter(|n| !personal.contains(n)).count();
        let mut names: Vec<&'a str> = Vec::new();
        for index in 0..data.len() {
            let Some(properties) = data.properties(index) else {
                continue;
            };
            for name in properties.keys() {
                if !personal.iter().any(|p| p == name) && !names.contains(&name) {
                    names.push(name);
                }
            }
            if names.len() >= public {
                break;
            }
        }
        names
    }

    /// Has the layer fields marked personal, which its data leave out
    /// (clause L3)? Downloads say so in their licence note.
    pub fn has_personal_fields(&self) -> bool {
        !self.layer.config.personal.is_empty()
    }

    /// The position in [`VisibleLayer::rules`] of the first rule that
    /// draws feature `index` (labels aside, at any scale), as the map
    /// matches it: for outputs with one style per feature (KML).
    pub fn style_rule(&self, index: usize) -> Option<usize> {
        let properties = self.layer.data.properties(index)?;
        self.layer.style.first_drawing_rule(&properties)
    }

    /// The layer's configuration of rules, for outputs that carry styles
    /// of their own (KML).
    pub fn rules(&self) -> &'a [crate::config::RuleConfig] {
        &self.layer.config.rules
    }

    /// The layer id (its WMS name).
    pub fn id(&self) -> &'a str {
        &self.layer.config.id
    }

    /// Title.
    pub fn title(&self) -> &'a Text {
        &self.layer.config.title
    }

    /// Abstract.
    pub fn abstract_(&self) -> &'a Text {
        &self.layer.config.abstract_
    }

    /// Licence (SPDX id and link).
    pub fn licence(&self) -> &'a LicenceConfig {
        &self.layer.config.licence
    }

    /// The source note (clause L1).
    pub fn source_note(&self, lang: &str) -> String {
        source_note(&self.layer.config, lang)
    }

    /// Are the data marked as modified?
    pub fn modified(&self) -> bool {
        self.layer.config.modified
    }

    /// Date of the data ("Stand"); empty when not configured.
    pub fn data_date(&self) -> &'a str {
        &self.layer.config.data_date
    }

    /// Link to the metadata record; empty when not configured.
    pub fn metadata_url(&self) -> &'a str {
        &self.layer.config.metadata_url
    }

    /// Shown from this scale denominator on.
    pub fn min_scale(&self) -> Option<f64> {
        self.layer.config.min_scale
    }

    /// Shown below this scale denominator.
    pub fn max_scale(&self) -> Option<f64> {
        self.layer.config.max_scale
    }

    /// The queryable fields that may be shown: never a personal one.
    pub fn public_fields(&self) -> impl Iterator<Item = &'a FieldConfig> + use<'a> {
        let config = &self.layer.config;
        config
            .queryable
            .iter()
            .filter(|f| !config.personal.contains(&f.field))
    }

    /// Has the layer a field to show in feature info?
    pub fn is_queryable(&self) -> bool {
        self.public_fields().next().is_some()
    }

    /// The extent of the data in `crs`.
    pub fn extent(&self, crs: Crs) -> Option<Rect<f64>> {
        match &self.layer.postgis {
            Some(postgis) => postgis.extent(crs),
            None => self.layer.data.extent(crs),
        }
    }

    /// What the renderer needs of this layer (for a PostGIS layer, whose
    /// features come per map, see [`VisibleLayer::fetch`]).
    pub fn draw_layer(&self) -> DrawLayer<'a> {
        self.layer.draw_layer()
    }

    /// What a PostGIS layer draws in `frame`, asked of its database;
    /// `None` for a layer held in memory, or one not shown at the frame's
    /// scale. The error is the database's.
    pub fn fetch(&self, frame: &Frame) -> Result<Option<Fetched>, String> {
        let Some(postgis) = &self.layer.postgis else {
            return Ok(None);
        };
        if !self.draw_layer().in_scale(frame.scale_denominator()) {
            return Ok(None);
        }
        let Some((area, resolution)) = frame.lookup_in(postgis.storage()) else {
            return Ok(None);
        };
        let config = &self.layer.config;
        postgis
            .fetch_map(
                area,
                resolution,
                config.min_pixel_size,
                config.aggregate,
                &self.layer.style,
            )
            .map(Some)
            .map_err(|e| format!("layer {:?}: {e}", config.id))
    }

    /// [`VisibleLayer::draw_layer`] with the features `fetched` for this
    /// map, when the layer's come per map.
    pub fn draw_layer_from<'b>(&self, fetched: Option<&'b Fetched>) -> DrawLayer<'b>
    where
        'a: 'b,
    {
        match fetched {
            Some(fetched) => DrawLayer {
                data: &fetched.data,
                marks: &fetched.marks,
                ..self.layer.draw_layer()
            },
            None => self.layer.draw_layer(),
        }
    }

    /// The features at pixel `(i, j)` of `frame`, topmost first, at most
    /// `limit`, with their public values only.
    pub fn features_at(
        &self,
        frame: &Frame,
        i: u32,
        j: u32,
        limit: usize,
    ) -> Result<Vec<PublicFeature<'a>>, String> {
        let fetched;
        let data = match &self.layer.postgis {
            Some(postgis) => {
                fetched = postgis
                    .fetch_area(click_area(frame, i, j, postgis.storage()))
                    .map_err(|e| format!("layer {:?}: {e}", self.id()))?;
                &fetched
            }
            None => &self.layer.data,
        };
        Ok(features_at(data, frame, i, j, limit)
            .into_iter()
            .filter_map(|index| {
                let properties = data.properties(index)?;
                Some(PublicFeature {
                    id: Cow::Owned(data.id(index)?.into_owned()),
                    values: self
                        .public_fields()
                        .map(|f| {
                            let value = properties
                                .get(&f.field)
                                .cloned()
                                .unwrap_or(serde_json::Value::Null);
                            (f, value)
                        })
                        .collect(),
                })
            })
            .collect())
    }

    /// The measured values of the layer's features, with their
    /// configuration, if the layer has any.
    pub fn measurements(&self) -> Option<(&'a MeasurementsConfig, &'a Measurements)> {
        match (&self.layer.config.measurements, &self.layer.measurements) {
            (Some(config), Some(values)) => Some((config, values)),
            _ => None,
        }
    }

    /// The field joining features and measurements, if configured.
    pub fn measurement_key(&self) -> Option<&'a str> {
        self.layer
            .config
            .measurements
            .as_ref()
            .map(|m| m.key.as_str())
    }

    /// The stations of a layer with measurements, for choosing one to
    /// compare: each feature's key, name (the search's name field, else
    /// `name`, else the key) and position in EPSG:25832 (the point, or the
    /// middle of a larger shape's envelope), in name order. Empty for a
    /// layer without measurements or whose features are read per request
    /// (PostGIS).
    pub fn stations(&self) -> Vec<Station> {
        let Some(key) = self.measurement_key() else {
            return Vec::new();
        };
        let name_field = self
            .layer
            .config
            .search
            .as_ref()
            .map_or("name", |s| s.name.as_str());
        let text = |value: &Value| match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let mut stations: Vec<Station> = self
            .data_features()
            .filter_map(|f| {
                let key = f.property(key).and_then(text)?;
                let name = f
                    .property(name_field)
                    .and_then(text)
                    .unwrap_or_else(|| key.clone());
                let at = self
                    .geometry(Crs::Utm32, f.index)
                    .and_then(|g| g.bounding_rect())
                    .map(|r| (r.center().x, r.center().y));
                Some(Station { key, name, at })
            })
            .collect();
        stations.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.key.cmp(&b.key)));
        stations.dedup_by(|a, b| a.key == b.key && a.name == b.name);
        stations
    }
}

/// A station of a layer with measurements (see [`VisibleLayer::stations`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    /// The value of the measurements' key field.
    pub key: String,
    /// What it is called.
    pub name: String,
    /// Where it is, in EPSG:25832; `None` for a feature without geometry.
    pub at: Option<(f64, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::site;

    const TWO_LAYERS: &str = r##"
        [[group]]
        id = "demo"
        title = "Demo"
        members = ["open", "internal"]
        [[group]]
        id = "secret"
        title = "Secret"
        members = ["internal"]
        [[layer]]
        id = "open"
        title = "Open"
        source = { type = "geojson", path = "points.geojson" }
        queryable = [{ field = "name" }, { field = "owner" }]
        personal = ["owner"]
        [[layer.rule]]
        fill = "#ff0000"
        [[layer]]
        id = "internal"
        title = "Internal"
        access = "staff"
        source = { type = "geojson", path = "points.geojson" }
    "##;

    fn ids(layers: &[VisibleLayer<'_>]) -> Vec<String> {
        layers.iter().map(|l| l.id().to_owned()).collect()
    }

    #[test]
    fn groups_expand_and_restricted_layers_do_not_exist_for_the_public() {
        let dir = site(TWO_LAYERS);
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let public = Caller::default();
        let view = catalog.view(&public);
        assert_eq!(ids(&view.resolve(&["demo".into()]).unwrap()), ["open"]);
        for hidden in ["internal", "secret", "nothing"] {
            assert_eq!(
                view.resolve(&[hidden.into()]).unwrap_err(),
                ResolveError::NotDefined(hidden.into())
            );
        }
        assert_eq!(ids(&view.layers().collect::<Vec<_>>()), ["open"]);
        let staff = Caller {
            roles: vec!["staff".into()],
            operator: false,
        };
        let view = catalog.view(&staff);
        assert_eq!(
            ids(&view.resolve(&["demo".into()]).unwrap()),
            ["open", "internal"]
        );
        assert_eq!(ids(&view.members("secret")), ["internal"]);
        assert!(view.resolve(&["nothing".into()]).is_err());
    }

    #[test]
    fn personal_fields_are_not_among_the_public_fields_nor_read_out() {
        let dir = site(TWO_LAYERS);
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller {
            roles: Vec::new(),
            operator: true,
        };
        let open = catalog.view(&caller).layer("open").unwrap();
        let fields: Vec<&str> = open.public_fields().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name"]);
        let frame = Frame {
            crs: Crs::Crs84,
            bbox: Rect::new(
                geo::coord! { x: 9.63, y: 52.27 },
                geo::coord! { x: 9.83, y: 52.47 },
            ),
            width: 100,
            height: 100,
        };
        let found = open.features_at(&frame, 50, 50, 5).unwrap();
        assert_eq!(found.len(), 1);
        let values: Vec<String> = found[0].values.iter().map(|(_, v)| v.to_string()).collect();
        assert_eq!(values, ["\"Hannover\""]);
    }

    #[test]
    fn data_features_carry_every_property_but_the_personal_ones() {
        let dir = site(TWO_LAYERS);
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller::default();
        let open = catalog.view(&caller).layer("open").unwrap();
        assert_eq!(open.feature_count(), 1);
        assert_eq!(open.property_names(), ["name"]);
        let feature = open.data_features().next().unwrap();
        let properties: Vec<(&str, &Value)> = feature.properties().collect();
        assert_eq!(properties, [("name", &Value::from("Hannover"))]);
        assert_eq!(feature.property("owner"), None);
        let hannover = Rect::new(
            geo::coord! { x: 9.7, y: 52.3 },
            geo::coord! { x: 9.8, y: 52.4 },
        );
        assert_eq!(open.data_features_in(Crs::Crs84, hannover), [0]);
        let elsewhere = Rect::new(
            geo::coord! { x: 8.0, y: 53.0 },
            geo::coord! { x: 8.1, y: 53.1 },
        );
        assert!(open.data_features_in(Crs::Crs84, elsewhere).is_empty());
        assert!(matches!(
            open.geometry(Crs::Crs84, 0),
            Some(Geometry::Point(_))
        ));
    }

    #[test]
    fn open_data_follows_the_licence_unless_configured() {
        let dir = site(
            r##"
            [[layer]]
            id = "cc"
            title = "CC"
            source = { type = "geojson", path = "points.geojson" }
            licence = { id = "CC-BY-4.0" }
            [[layer]]
            id = "unclear"
            title = "Unclear"
            source = { type = "geojson", path = "points.geojson" }
            licence = { id = "NOASSERTION" }
            [[layer]]
            id = "withheld"
            title = "Withheld"
            source = { type = "geojson", path = "points.geojson" }
            licence = { id = "DL-DE-BY-2.0" }
            open_data = false
            [[layer]]
            id = "granted"
            title = "Granted"
            source = { type = "geojson", path = "points.geojson" }
            open_data = true
            "##,
        );
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller::default();
        let view = catalog.view(&caller);
        let open: Vec<&str> = view
            .layers()
            .filter(|l| l.is_open_data())
            .map(|l| l.id())
            .collect();
        assert_eq!(open, ["cc", "granted"]);
    }

    #[test]
    fn a_group_inside_itself_is_walked_once_and_ends() {
        let dir = site(
            r##"
            [[group]]
            id = "a"
            title = "A"
            members = ["b", "open"]
            [[group]]
            id = "b"
            title = "B"
            members = ["a"]
            [[layer]]
            id = "open"
            title = "Open"
            source = { type = "geojson", path = "points.geojson" }
            "##,
        );
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller::default();
        let view = catalog.view(&caller);
        assert_eq!(ids(&view.members("a")), ["open"]);
        assert_eq!(ids(&view.members("b")), ["open"]);
    }

    #[test]
    fn the_layer_tree_puts_loose_layers_after_the_root_groups() {
        let dir = site(
            r##"
            [[group]]
            id = "g"
            title = "G"
            members = ["inner"]
            [[layer]]
            id = "loose"
            title = "Loose"
            source = { type = "geojson", path = "points.geojson" }
            [[layer]]
            id = "inner"
            title = "Inner"
            source = { type = "geojson", path = "points.geojson" }
            "##,
        );
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller::default();
        let tree = catalog.view(&caller).layer_tree();
        let names: Vec<String> = tree
            .iter()
            .map(|n| match n {
                Node::Layer(l) => l.id().to_owned(),
                Node::Group { group, .. } => group.id.clone(),
            })
            .collect();
        assert_eq!(names, ["g", "loose"]);
    }

    #[test]
    fn callers_with_the_same_roles_share_an_identity() {
        let a = Caller {
            roles: vec!["b".into(), "a".into()],
            operator: false,
        };
        let b = Caller {
            roles: vec!["a".into(), "b".into(), "a".into()],
            operator: false,
        };
        let catalog_dir = site(TWO_LAYERS);
        let catalog = Catalog::load(catalog_dir.path()).unwrap().unwrap();
        assert_eq!(catalog.view(&a).identity(), catalog.view(&b).identity());
        assert_ne!(
            catalog.view(&a).identity(),
            catalog.view(&Caller::default()).identity()
        );
    }
}
