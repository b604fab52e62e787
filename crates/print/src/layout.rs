//! Layouts as data: one TOML file per layout in the layouts directory (`assets/layouts/<name>.toml`).
//! Coordinates are millimetres from the TOP-LEFT corner of the page (as a designer measures a form);
//! a text's `y_mm` is its baseline. A union changes size, colours, wording and optional items here,
//! without code.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::PrintError;
use crate::fonts::FontFace;
use crate::items::ItemKey;
use crate::kind::PrintKind;

/// A parsed, validated layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Filled from the file name, not from the file.
    #[serde(skip)]
    pub name: String,
    /// What the layout prints.
    pub kind: PrintKind,
    /// Document title for the print queue and PDF metadata (no personal data).
    pub title: String,
    /// Which printer takes this paper.
    pub paper: PaperClass,
    /// Page size.
    pub page: PageSize,
    #[serde(default)]
    /// The 公印 (seal), if the document carries one.
    pub seal: Option<SealPlacement>,
    #[serde(default)]
    /// The QR code, if any.
    pub qr: Option<QrPlacement>,
    #[serde(default, rename = "rect")]
    /// Rectangles (frames, shaded cells).
    pub rects: Vec<RectSpec>,
    #[serde(default, rename = "line")]
    /// Rules.
    pub lines: Vec<LineSpec>,
    #[serde(default, rename = "label")]
    /// Fixed texts.
    pub labels: Vec<LabelSpec>,
    #[serde(default, rename = "field")]
    /// Data items.
    pub fields: Vec<FieldSpec>,
}

/// Which configured printer a layout's paper goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaperClass {
    /// Card / はがき stock in the card printer.
    Card,
    /// Plain A4 in the office printer.
    A4,
}

impl PaperClass {
    /// The name in layout files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::A4 => "a4",
        }
    }
}

/// Page size in millimetres.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageSize {
    /// Width.
    pub width_mm: f32,
    /// Height.
    pub height_mm: f32,
}

/// Where the seal image goes; `name` selects `<seal dir>/<name>.png`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealPlacement {
    /// The seal image's name.
    pub name: String,
    /// Left edge, from the page's left.
    pub x_mm: f32,
    /// Top edge, from the page's top.
    pub y_mm: f32,
    /// Side length.
    pub size_mm: f32,
}

/// Where the QR code of an item goes (square, top-left corner, quiet zone included in `size_mm`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrPlacement {
    /// The item encoded.
    pub item: ItemKey,
    /// Left edge.
    pub x_mm: f32,
    /// Top edge.
    pub y_mm: f32,
    /// Side length.
    pub size_mm: f32,
}

/// A colour as `"#RRGGBB"`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "String")]
pub struct Colour {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Colour {
    /// Black.
    pub const BLACK: Colour = Colour { r: 0, g: 0, b: 0 };
}

impl TryFrom<String> for Colour {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let hex = s
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.is_ascii())
            .ok_or_else(|| format!("colour {s:?} is not #RRGGBB"))?;
        let byte = |i: usize| {
            u8::from_str_radix(&hex[i..i + 2], 16)
                .map_err(|_| format!("colour {s:?} is not #RRGGBB"))
        };
        Ok(Colour {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
        })
    }
}

fn black() -> Colour {
    Colour::BLACK
}

fn default_stroke_pt() -> f32 {
    0.5
}

/// A rectangle.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectSpec {
    /// Left edge.
    pub x_mm: f32,
    /// Top edge.
    pub y_mm: f32,
    /// Width.
    pub w_mm: f32,
    /// Height.
    pub h_mm: f32,
    #[serde(default)]
    /// Fill colour, if filled.
    pub fill: Option<Colour>,
    #[serde(default)]
    /// Outline colour, if outlined.
    pub stroke: Option<Colour>,
    #[serde(default = "default_stroke_pt")]
    /// Outline width in points.
    pub stroke_pt: f32,
}

/// A straight rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineSpec {
    /// Start, from the left.
    pub x1_mm: f32,
    /// Start, from the top.
    pub y1_mm: f32,
    /// End, from the left.
    pub x2_mm: f32,
    /// End, from the top.
    pub y2_mm: f32,
    #[serde(default = "black")]
    /// Colour.
    pub colour: Colour,
    #[serde(default = "default_stroke_pt")]
    /// Width in points.
    pub stroke_pt: f32,
    /// Dashed (e.g. the キリトリ cut line).
    #[serde(default)]
    pub dashed: bool,
}

/// Horizontal alignment of a text in its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Align {
    #[default]
    /// Left-aligned.
    Left,
    /// Centred.
    Center,
    /// Right-aligned.
    Right,
}

/// Fixed wording printed on every page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    /// The text.
    pub text: String,
    /// Left edge (or anchor, by alignment).
    pub x_mm: f32,
    /// Baseline, from the top.
    pub y_mm: f32,
    #[serde(default)]
    /// Font.
    pub font: FontFace,
    /// Size in points.
    pub size_pt: f32,
    #[serde(default = "black")]
    /// Colour.
    pub colour: Colour,
    /// Box width for alignment; labels are shrunk to fit like fields when given.
    #[serde(default)]
    pub width_mm: Option<f32>,
    #[serde(default)]
    /// Alignment.
    pub align: Align,
}

/// A data item placed in a box. Long values shrink down to `min_size_pt`, never past the box.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The item printed.
    pub item: ItemKey,
    /// Left edge (or anchor, by alignment).
    pub x_mm: f32,
    /// Baseline, from the top.
    pub y_mm: f32,
    /// Width available.
    pub width_mm: f32,
    #[serde(default)]
    /// Font.
    pub font: FontFace,
    /// Size in points.
    pub size_pt: f32,
    /// Smallest size the text may shrink to; defaults to `size_pt` (no shrinking).
    #[serde(default)]
    pub min_size_pt: Option<f32>,
    #[serde(default = "black")]
    /// Colour.
    pub colour: Colour,
    #[serde(default)]
    /// Alignment.
    pub align: Align,
    /// A required item missing from a record stops the job; an optional one is left out.
    #[serde(default)]
    pub required: bool,
    /// Distance between lines of a multi-line item.
    #[serde(default)]
    pub line_height_mm: Option<f32>,
}

impl FieldSpec {
    /// The smallest size the text may shrink to.
    pub fn min_size(&self) -> f32 {
        self.min_size_pt.unwrap_or(self.size_pt).min(self.size_pt)
    }
}

impl Layout {
    /// Parse and validate layout text; `name` is used in errors.
    pub fn parse(name: &str, text: &str) -> Result<Self, PrintError> {
        let invalid = |reason: String| PrintError::LayoutInvalid {
            name: name.to_string(),
            reason,
        };
        let mut layout: Layout =
            toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        layout.name = name.to_string();
        layout.validate().map_err(invalid)?;
        Ok(layout)
    }

    /// Load `<dir>/<name>.toml`. Names are restricted to `[a-z0-9-]` so a name cannot leave the directory.
    pub fn load(dir: &Path, name: &str) -> Result<Self, PrintError> {
        let unknown = || PrintError::UnknownLayout {
            name: name.to_string(),
            dir: dir.to_path_buf(),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(unknown());
        }
        let path: PathBuf = dir.join(format!("{name}.toml"));
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(unknown()),
            Err(source) => return Err(PrintError::Io { path, source }),
        };
        Self::parse(name, &text)
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let (w, h) = (self.page.width_mm, self.page.height_mm);
        if !(20.0..=500.0).contains(&w) || !(20.0..=500.0).contains(&h) {
            return Err(format!("page size {w}×{h} mm out of range"));
        }
        let inside = |what: &str, x: f32, y: f32, dx: f32, dy: f32| -> Result<(), String> {
            let ok = x >= 0.0
                && y >= 0.0
                && dx >= 0.0
                && dy >= 0.0
                && x + dx <= w + 0.01
                && y + dy <= h + 0.01;
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "{what} at ({x}, {y}) mm lies outside the {w}×{h} mm page"
                ))
            }
        };
        for f in &self.fields {
            inside(
                &format!("field {}", f.item),
                f.x_mm,
                f.y_mm,
                f.width_mm,
                0.0,
            )?;
            if f.size_pt <= 0.0 || f.min_size() <= 0.0 {
                return Err(format!("field {}: font size must be positive", f.item));
            }
        }
        for l in &self.labels {
            inside("label", l.x_mm, l.y_mm, l.width_mm.unwrap_or(0.0), 0.0)?;
            if l.size_pt <= 0.0 {
                return Err("label: font size must be positive".into());
            }
        }
        for r in &self.rects {
            inside("rect", r.x_mm, r.y_mm, r.w_mm, r.h_mm)?;
        }
        for l in &self.lines {
            inside("line", l.x1_mm, l.y1_mm, 0.0, 0.0)?;
            inside("line", l.x2_mm, l.y2_mm, 0.0, 0.0)?;
        }
        // The statutory items of the kind must be placed, and placed as required.
        for item in self.kind.statutory_items() {
            if !self.fields.iter().any(|f| f.item == *item && f.required) {
                return Err(format!(
                    "{} needs the item {item} as a required field",
                    self.kind
                ));
            }
        }
        match (&self.seal, self.kind.needs_seal()) {
            (None, true) => return Err(format!("{} needs a [seal]", self.kind)),
            (Some(s), _) => {
                inside("seal", s.x_mm, s.y_mm, s.size_mm, s.size_mm)?;
                if s.name.is_empty()
                    || !s
                        .name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    return Err(format!("seal name {:?} must be [a-z0-9-]", s.name));
                }
            }
            (None, false) => {}
        }
        match (&self.qr, self.kind.needs_qr()) {
            (None, true) => return Err(format!("{} needs a [qr]", self.kind)),
            (Some(q), _) => inside("qr", q.x_mm, q.y_mm, q.size_mm, q.size_mm)?,
            (None, false) => {}
        }
        Ok(())
    }

    /// Items that must be present in every record (and on every page).
    pub fn required_items(&self) -> Vec<ItemKey> {
        let mut v: Vec<ItemKey> = self
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.item)
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r##"
kind = "uketsuke-hikae"
title = "受付控"
paper = "a4"
page = { width_mm = 210, height_mm = 297 }
qr = { item = "receipt_number", x_mm = 10, y_mm = 10, size_mm = 30 }
[[field]]
item = "receipt_number"
x_mm = 10
y_mm = 50
width_mm = 100
size_pt = 12
required = true
[[field]]
item = "received_at"
x_mm = 10
y_mm = 60
width_mm = 100
size_pt = 12
required = true
[[field]]
item = "notification_kind"
x_mm = 10
y_mm = 70
width_mm = 100
size_pt = 12
required = true
[[field]]
item = "municipality_name"
x_mm = 10
y_mm = 80
width_mm = 100
size_pt = 12
required = true
colour = "#112233"
"##;

    #[test]
    fn parses_a_minimal_layout() {
        let l = Layout::parse("t", MINIMAL).expect("valid");
        assert_eq!(l.kind, PrintKind::ReceptionReceipt);
        assert_eq!(
            l.fields[3].colour,
            Colour {
                r: 0x11,
                g: 0x22,
                b: 0x33
            }
        );
        assert_eq!(l.required_items().len(), 4);
    }

    #[test]
    fn statutory_item_cannot_be_dropped() {
        let text = MINIMAL.replace("item = \"notification_kind\"", "item = \"name\"");
        let err = Layout::parse("t", &text).expect_err("must fail");
        assert!(err.to_string().contains("notification_kind"), "{err}");
    }

    #[test]
    fn unknown_item_and_bad_colour_are_rejected() {
        assert!(Layout::parse("t", &MINIMAL.replace("\"received_at\"", "\"shoe_size\"")).is_err());
        assert!(Layout::parse("t", &MINIMAL.replace("#112233", "red")).is_err());
    }

    #[test]
    fn field_outside_page_is_rejected() {
        let err =
            Layout::parse("t", &MINIMAL.replace("y_mm = 80", "y_mm = 380")).expect_err("outside");
        assert!(err.to_string().contains("outside"), "{err}");
    }

    #[test]
    fn unknown_layout_name_and_traversal() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            Layout::load(dir.path(), "nope"),
            Err(PrintError::UnknownLayout { .. })
        ));
        assert!(matches!(
            Layout::load(dir.path(), "../etc/passwd"),
            Err(PrintError::UnknownLayout { .. })
        ));
    }
}
