//! The sheet as a screen reader meets it: the tag tree in reading order
//! (title, comment, map, scale, sources, legend, imprint, QR code,
//! disclaimer) and the text alternatives of everything that is a picture
//! (the map, the scale bar, the north arrow, each legend image, the QR
//! code, the permalink's link).
//!
//! The drawing code records what it drew for each part as krilla
//! [`Identifier`]s in [`Parts`]; [`tag_tree`] then puts them in order.
//! Decoration (frames, grid lines, the running header of a legend page)
//! is drawn as artifacts and is not here.

use std::num::NonZeroU16;

use krilla::tagging::{Identifier, ListNumbering, Node, Tag, TagGroup, TagKind, TagTree};

use crate::words::{Words, grouped, scale_text};

/// One legend entry as drawn: its title's line and its image.
#[derive(Debug)]
pub(crate) struct LegendPart {
    pub(crate) title: Identifier,
    pub(crate) image: Identifier,
    /// The image's text alternative: the layer and its rules.
    pub(crate) alt: String,
}

/// The marked content drawn for each part of the sheet, in the order
/// drawn; an empty part (no comment, no legend) is left out of the tree.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    pub(crate) title: Vec<Identifier>,
    pub(crate) comment: Vec<Identifier>,
    pub(crate) map: Vec<Identifier>,
    pub(crate) scale: Vec<Identifier>,
    pub(crate) scale_bar: Vec<Identifier>,
    pub(crate) north_arrow: Vec<Identifier>,
    pub(crate) sources: Vec<Identifier>,
    pub(crate) legend_heading: Vec<Identifier>,
    pub(crate) legend: Vec<LegendPart>,
    pub(crate) portal: Vec<Identifier>,
    pub(crate) date: Vec<Identifier>,
    pub(crate) permalink: Vec<Identifier>,
    /// The permalink's link annotation, when the permalink is a web
    /// address.
    pub(crate) link: Option<Identifier>,
    pub(crate) qr: Vec<Identifier>,
    pub(crate) disclaimer: Vec<Identifier>,
}

/// The text alternatives of the sheet's pictures.
#[derive(Debug, Clone)]
pub(crate) struct Alts {
    /// The sheet's title (the H1's title too).
    pub(crate) title: String,
    pub(crate) map: String,
    pub(crate) scale_bar: String,
    pub(crate) north_arrow: String,
    pub(crate) qr: String,
    /// The legend's heading, which its H2 names as its title.
    pub(crate) legend: String,
}

/// The tag tree of the sheet: below krilla's Document element, in
/// reading order, H1 (title), P (comment), Figure (map), P (scale),
/// Figure (scale bar), Figure (north arrow), P (sources), H2 and L
/// (legend: one LI per layer with its title and its image as a Figure),
/// P (portal), P (date), P with a Link (permalink), Figure (QR code),
/// P (disclaimer).
pub(crate) fn tag_tree(parts: Parts, alts: &Alts, lang: &str) -> TagTree {
    let mut tree = TagTree::new().with_lang(Some(lang.to_owned()));
    let title = Tag::Hn(NonZeroU16::MIN, Some(alts.title.clone()));
    let figure = |alt: &str| Tag::Figure(Some(alt.to_owned()));
    let blocks = [
        group(title, parts.title),
        group(Tag::P, parts.comment),
        group(figure(&alts.map), parts.map),
        group(Tag::P, parts.scale),
        group(figure(&alts.scale_bar), parts.scale_bar),
        group(figure(&alts.north_arrow), parts.north_arrow),
        group(Tag::P, parts.sources),
    ];
    for block in blocks.into_iter().flatten() {
        tree.push(block);
    }
    // The heading stays even when no entry fitted anywhere: every piece
    // of marked content must be in the tree.
    let level_2 = NonZeroU16::MIN.saturating_add(1);
    if let Some(heading) = group(
        Tag::Hn(level_2, Some(alts.legend.clone())),
        parts.legend_heading,
    ) {
        tree.push(heading);
    }
    if !parts.legend.is_empty() {
        let mut list = TagGroup::new(Tag::L(ListNumbering::None));
        for entry in parts.legend {
            // An unnumbered list: each item is its body, the layer's
            // title as a paragraph and its legend image as a figure.
            let body = TagGroup::with_children(
                Tag::LBody,
                vec![
                    TagGroup::with_children(Tag::P, vec![entry.title.into()]).into(),
                    TagGroup::with_children(Tag::Figure(Some(entry.alt)), vec![entry.image.into()])
                        .into(),
                ],
            );
            list.push(TagGroup::with_children(Tag::LI, vec![body.into()]));
        }
        tree.push(list);
    }
    for block in [group(Tag::P, parts.portal), group(Tag::P, parts.date)]
        .into_iter()
        .flatten()
    {
        tree.push(block);
    }
    if !parts.permalink.is_empty() {
        // A link's structure element holds its text and its annotation
        // (PDF/UA: annotations in reading order, inside Link).
        let mut text: Vec<Node> = parts.permalink.into_iter().map(Node::from).collect();
        let paragraph = match parts.link {
            Some(annotation) => {
                text.push(annotation.into());
                vec![TagGroup::with_children(Tag::Link, text).into()]
            }
            None => text,
        };
        tree.push(TagGroup::with_children(Tag::P, paragraph));
    }
    for block in [
        group(figure(&alts.qr), parts.qr),
        group(Tag::P, parts.disclaimer),
    ]
    .into_iter()
    .flatten()
    {
        tree.push(block);
    }
    tree
}

/// A structure element of `tag` over `content`; `None` for no content
/// (a part the sheet does not show).
fn group(tag: impl Into<TagKind>, content: Vec<Identifier>) -> Option<Node> {
    (!content.is_empty())
        .then(|| TagGroup::with_children(tag, content.into_iter().map(Node::from).collect()).into())
}

/// A sentence describing the map for a screen reader, from what the
/// print knows: `Karte im Maßstab 1:25.000, Mittelpunkt Ost 450.000,
/// Nord 5.820.000 (UTM 32), Ebenen: Gemeinden, Flüsse.` The centre (in
/// EPSG:25832) and the layers (top first) are left out when unknown.
pub fn describe_map(lang: &str, scale: f64, center: Option<(f64, f64)>, layers: &[&str]) -> String {
    let words = Words::of(lang);
    let mut out = format!("{} {}", words.map_at, scale_text(scale, words.thousands));
    if let Some((x, y)) = center {
        out.push_str(&format!(
            ", {} {} {}, {} {} (UTM 32)",
            words.centre,
            words.easting,
            grouped(x, words.thousands),
            words.northing,
            grouped(y, words.thousands),
        ));
    }
    let layers: Vec<&str> = layers
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if !layers.is_empty() {
        out.push_str(&format!(", {}: {}", words.layers, layers.join(", ")));
    }
    out.push('.');
    out
}

/// The sentence the map's text alternative ends with when a coordinate
/// grid is drawn over it (its lines are decoration, its step is not).
pub(crate) fn describe_grid(lang: &str, step: f64) -> String {
    let words = Words::of(lang);
    format!("{} {} m.", words.grid_every, grouped(step, words.thousands))
}

/// The text alternative of one layer's legend image: the layer and what
/// its rows say (`Legende zu Gemeinden: Gemeindegrenze, Kreisgrenze`).
pub(crate) fn describe_legend(lang: &str, title: &str, names: &[String]) -> String {
    let words = Words::of(lang);
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        format!("{} {}", words.legend_of, title.trim())
    } else {
        format!("{} {}: {}", words.legend_of, title.trim(), names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_is_described_by_scale_centre_layers_and_grid() {
        assert_eq!(
            describe_map(
                "de",
                25_000.0,
                Some((450_000.0, 5_820_000.0)),
                &["Gemeinden", " ", "Flüsse"],
            ),
            "Karte im Maßstab 1:25.000, Mittelpunkt Ost 450.000, Nord 5.820.000 (UTM 32), Ebenen: Gemeinden, Flüsse."
        );
        assert_eq!(
            describe_map("en", 250_000.0, None, &[]),
            "Map at a scale of 1:250,000."
        );
        assert_eq!(
            describe_grid("de", 2_000.0),
            "Mit UTM-32-Gitter alle 2.000 m."
        );
        assert_eq!(
            describe_legend("de", "Gemeinden", &["Gemeinde".into(), "Kreis".into()]),
            "Legende zu Gemeinden: Gemeinde, Kreis"
        );
        assert_eq!(describe_legend("en", "Rivers", &[]), "Legend of Rivers");
    }
}
