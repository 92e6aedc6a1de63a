//! The licence note that goes into every download (`LIZENZ.txt` in
//! German, `LICENCE.txt` in English): the layer's title, its source note
//! exactly as the map shows it (clause L1), the licence's name and link,
//! what the licence allows and asks in a few sentences of our own (the
//! licence text itself is at the link), the data's date (clause L6), the
//! metadata link, the portal and the address of the download, and that
//! personal fields were left out (clause L3) where the layer has any.

use crate::attribution::licence_short_name;
use crate::view::VisibleLayer;

/// The licence of a download, written as a text file.
#[derive(Debug, Clone, Copy)]
pub struct LicenceNote<'a> {
    /// The layer.
    pub layer: VisibleLayer<'a>,
    /// "de" or "en".
    pub lang: &'a str,
    /// The portal's name.
    pub portal: &'a str,
    /// Where the download was offered (absolute URL).
    pub download_url: &'a str,
}

impl LicenceNote<'_> {
    /// The file's name in the archive.
    pub fn file_name(&self) -> &'static str {
        if self.lang == "en" {
            "LICENCE.txt"
        } else {
            "LIZENZ.txt"
        }
    }

    /// The note as text (UTF-8, lines ending in CRLF so that every editor
    /// shows them).
    pub fn text(&self) -> String {
        let en = self.lang == "en";
        let layer = &self.layer;
        let lang = self.lang;
        let licence = layer.licence();
        let mut lines: Vec<String> = Vec::new();
        let heading = layer.title().get(lang);
        lines.push(heading.to_owned());
        lines.push("=".repeat(heading.chars().count().max(3)));
        lines.push(String::new());
        let label = |de: &str, english: &str| if en { english } else { de }.to_owned();
        let mut field = |name: String, value: &str| {
            if !value.is_empty() {
                lines.push(format!("{name}: {value}"));
            }
        };
        field(label("Ebene", "Layer"), layer.id());
        field(
            label("Quellenvermerk", "Source note"),
            &layer.source_note(lang),
        );
        field(
            label("Lizenz", "Licence"),
            &licence_title(&licence.id, lang),
        );
        field(label("Lizenztext", "Licence text"), &licence.url);
        field(label("Stand der Daten", "Data as of"), layer.data_date());
        field(label("Metadaten", "Metadata"), layer.metadata_url());
        field(label("Bezogen von", "Obtained from"), self.portal);
        field(label("Download", "Download"), self.download_url);
        lines.push(String::new());
        let summary = licence_summary(&licence.id, lang);
        lines.push(label("Was die Lizenz erlaubt", "What the licence allows"));
        lines.push("-".repeat(if en { 23 } else { 22 }));
        lines.extend(wrap(summary, 72));
        lines.push(String::new());
        let note = if en {
            format!(
                "When you use or pass on these data, name the source as above: \"{}\".",
                layer.source_note(lang)
            )
        } else {
            format!(
                "Wer die Daten nutzt oder weitergibt, nennt die Quelle wie oben: „{}“.",
                layer.source_note(lang)
            )
        };
        lines.extend(wrap(&note, 72));
        if layer.has_personal_fields() {
            lines.push(String::new());
            let removed = if en {
                "Fields with personal data were removed from these data; they are not published (data protection)."
            } else {
                "Felder mit personenbezogenen Daten wurden aus diesen Daten entfernt; sie werden nicht veröffentlicht (Datenschutz)."
            };
            lines.extend(wrap(removed, 72));
        }
        lines.push(String::new());
        let disclaimer = if en {
            "The data are provided as they are, without guarantee of currency, correctness or completeness."
        } else {
            "Die Daten werden so bereitgestellt, wie sie sind, ohne Gewähr für Aktualität, Richtigkeit und Vollständigkeit."
        };
        lines.extend(wrap(disclaimer, 72));
        let mut text = lines.join("\r\n");
        text.push_str("\r\n");
        text
    }
}

/// The licence's name for people: the short name with the SPDX id, or the
/// id alone for licences numis does not know.
pub fn licence_title(spdx: &str, lang: &str) -> String {
    let en = lang == "en";
    let name = match spdx.to_ascii_uppercase().as_str() {
        "DL-DE-BY-2.0" => Some(if en {
            "Data licence Germany – attribution – version 2.0"
        } else {
            "Datenlizenz Deutschland – Namensnennung – Version 2.0"
        }),
        "DL-DE-ZERO-2.0" => Some(if en {
            "Data licence Germany – Zero – version 2.0"
        } else {
            "Datenlizenz Deutschland – Zero – Version 2.0"
        }),
        "CC-BY-4.0" => Some(if en {
            "Creative Commons Attribution 4.0 International"
        } else {
            "Creative Commons Namensnennung 4.0 International"
        }),
        "CC-BY-SA-4.0" => Some(if en {
            "Creative Commons Attribution-ShareAlike 4.0 International"
        } else {
            "Creative Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0 International"
        }),
        "CC0-1.0" => Some(if en {
            "Creative Commons Zero 1.0 Universal (public domain dedication)"
        } else {
            "Creative Commons Zero 1.0 Universell (Verzicht auf Rechte)"
        }),
        "ODBL-1.0" => Some("Open Database License 1.0"),
        "ODC-BY-1.0" => Some("Open Data Commons Attribution License 1.0"),
        "PDDL-1.0" => Some("Open Data Commons Public Domain Dedication and License 1.0"),
        _ => None,
    };
    match (name, licence_short_name(spdx)) {
        (Some(name), Some(short)) => format!("{name} ({short})"),
        (Some(name), None) => format!("{name} ({spdx})"),
        (None, _) if spdx.is_empty() => {
            if en { "not stated" } else { "nicht angegeben" }.to_owned()
        }
        (None, _) => spdx.to_owned(),
    }
}

/// What a licence allows and asks, in a few sentences of our own; the
/// licence's own text is at its link.
pub fn licence_summary(spdx: &str, lang: &str) -> &'static str {
    let en = lang == "en";
    match spdx.to_ascii_uppercase().as_str() {
        "DL-DE-BY-2.0" | "CC-BY-4.0" | "ODC-BY-1.0" => {
            if en {
                "You may copy, pass on, change and combine the data and use them for any purpose, commercial ones included. In return you name the source as given in the source note, link the licence, and say when you changed the data."
            } else {
                "Sie dürfen die Daten vervielfältigen, weitergeben, verändern, mit anderen Daten verbinden und für jeden Zweck nutzen, auch kommerziell. Dafür nennen Sie die Quelle wie im Quellenvermerk angegeben, verweisen auf die Lizenz und kennzeichnen, wenn Sie die Daten verändert haben."
            }
        }
        "CC-BY-SA-4.0" | "ODBL-1.0" => {
            if en {
                "You may copy, pass on, change and combine the data and use them for any purpose, commercial ones included. You name the source as given in the source note and link the licence; what you make from the data and pass on must be offered under the same licence."
            } else {
                "Sie dürfen die Daten vervielfältigen, weitergeben, verändern, mit anderen Daten verbinden und für jeden Zweck nutzen, auch kommerziell. Sie nennen die Quelle wie im Quellenvermerk angegeben und verweisen auf die Lizenz; was Sie aus den Daten machen und weitergeben, muss unter derselben Lizenz stehen."
            }
        }
        "CC0-1.0" | "DL-DE-ZERO-2.0" | "PDDL-1.0" => {
            if en {
                "You may use the data for any purpose without conditions, commercial ones included. Naming the source is not required, but welcome."
            } else {
                "Sie dürfen die Daten ohne Bedingungen für jeden Zweck nutzen, auch kommerziell. Eine Quellenangabe ist nicht vorgeschrieben, aber erwünscht."
            }
        }
        _ => {
            if en {
                "The terms of use are those at the licence link; ask the data's provider when in doubt."
            } else {
                "Es gelten die Nutzungsbedingungen unter dem Verweis auf die Lizenz; fragen Sie im Zweifel beim Datenanbieter nach."
            }
        }
    }
}

/// `text` broken into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::with_catalog;

    #[test]
    fn the_note_names_source_licence_portal_url_and_removed_fields() {
        with_catalog(|layer| {
            let note = LicenceNote {
                layer,
                lang: "de",
                portal: "Umweltkarten",
                download_url: "https://portal.example/api/data/orte/csv",
            };
            assert_eq!(note.file_name(), "LIZENZ.txt");
            let text = note.text();
            for expected in [
                "Orte",
                "Quellenvermerk: Beispiel, CC BY 4.0",
                "Creative Commons Namensnennung 4.0 International (CC BY 4.0)",
                "https://creativecommons.org/licenses/by/4.0/",
                "Bezogen von: Umweltkarten",
                "Download: https://portal.example/api/data/orte/csv",
                "personenbezogenen",
            ] {
                assert!(text.contains(expected), "{expected:?} in {text}");
            }
            let english = LicenceNote { lang: "en", ..note };
            assert_eq!(english.file_name(), "LICENCE.txt");
            assert!(english.text().contains("Source note: Beispiel, CC BY 4.0"));
        });
    }

    #[test]
    fn long_sentences_wrap_at_spaces() {
        let lines = wrap("aaa bbb ccc ddd", 7);
        assert_eq!(lines, ["aaa bbb", "ccc ddd"]);
    }
}
