//! The BIZ UD fonts, loaded from a configurable directory, and glyph-advance measurement for shrink-to-fit.

use std::path::{Path, PathBuf};

use printpdf::ParsedFont;
use serde::Deserialize;

use crate::error::PrintError;

/// Which face a layout element uses. Layout files say `font = "gothic" | "gothic-bold" | "mincho"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FontFace {
    #[default]
    /// BIZ UDゴシック.
    Gothic,
    /// BIZ UDゴシック Bold.
    GothicBold,
    /// BIZ UD明朝.
    Mincho,
}

impl FontFace {
    /// Every face.
    pub const ALL: [FontFace; 3] = [FontFace::Gothic, FontFace::GothicBold, FontFace::Mincho];

    /// File name inside the fonts directory (Debian packages fonts-morisawa-bizud-gothic / -mincho).
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Gothic => "BIZUDGothic-Regular.ttf",
            Self::GothicBold => "BIZUDGothic-Bold.ttf",
            Self::Mincho => "BIZUDMincho-Regular.ttf",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Gothic => 0,
            Self::GothicBold => 1,
            Self::Mincho => 2,
        }
    }
}

pub(crate) struct LoadedFont {
    pub(crate) parsed: ParsedFont,
    units_per_em: f32,
}

/// The three faces every layout may use, parsed once.
pub struct FontSet {
    faces: [LoadedFont; 3],
    dir: PathBuf,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl FontSet {
    /// Load all faces from `dir`. A missing or unparsable file is an error naming the file.
    pub fn load(dir: &Path) -> Result<Self, PrintError> {
        let load = |face: FontFace| -> Result<LoadedFont, PrintError> {
            let path = dir.join(face.file_name());
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(PrintError::FontMissing { path });
                }
                Err(source) => return Err(PrintError::Io { path, source }),
            };
            let mut warnings = Vec::new();
            let parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings)
                .ok_or_else(|| PrintError::FontInvalid { path: path.clone() })?;
            let upem = parsed.font_metrics.units_per_em;
            // A face without units-per-em or without the glyphs of our own labels is not usable.
            if upem == 0 || parsed.lookup_glyph_index('資' as u32).is_none() {
                return Err(PrintError::FontInvalid { path });
            }
            Ok(LoadedFont {
                parsed,
                units_per_em: f32::from(upem),
            })
        };
        Ok(Self {
            faces: [
                load(FontFace::Gothic)?,
                load(FontFace::GothicBold)?,
                load(FontFace::Mincho)?,
            ],
            dir: dir.to_path_buf(),
        })
    }

    pub(crate) fn face(&self, face: FontFace) -> &LoadedFont {
        &self.faces[face.index()]
    }

    /// Width of `text` at 1 pt, in pt (sum of the hmtx advances; printpdf's plain text path does no
    /// kerning or shaping, so this is exactly what lands on paper).
    /// `Err(position)` names the first character the face has no glyph for.
    pub fn advance_em(&self, face: FontFace, text: &str) -> Result<f32, usize> {
        let f = self.face(face);
        let mut units: u32 = 0;
        for (i, c) in text.chars().enumerate() {
            let gid = f.parsed.lookup_glyph_index(c as u32).ok_or(i)?;
            if gid == 0 {
                return Err(i);
            }
            units += u32::from(f.parsed.get_horizontal_advance(gid));
        }
        Ok(units as f32 / f.units_per_em)
    }
}

/// Outcome of fitting a text into a box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fitted {
    pub size_pt: f32,
    pub width_pt: f32,
}

/// Shrink `text` from `size_pt` down to at most `min_size_pt` so it fits `box_width_pt`.
/// `None` when even the minimum size overflows.
pub(crate) fn fit(
    width_at_1pt: f32,
    box_width_pt: f32,
    size_pt: f32,
    min_size_pt: f32,
) -> Option<Fitted> {
    let natural = width_at_1pt * size_pt;
    if natural <= box_width_pt {
        return Some(Fitted {
            size_pt,
            width_pt: natural,
        });
    }
    // Round down to 0.1 pt so the printed text is never wider than the box.
    let size = (box_width_pt / width_at_1pt * 10.0).floor() / 10.0;
    if size + f32::EPSILON < min_size_pt {
        return None;
    }
    Some(Fitted {
        size_pt: size,
        width_pt: width_at_1pt * size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_size_when_it_fits() {
        let f = fit(4.0, 100.0, 12.0, 6.0).expect("fits");
        assert_eq!(f.size_pt, 12.0);
        assert_eq!(f.width_pt, 48.0);
    }

    #[test]
    fn fit_shrinks_and_never_overflows() {
        let f = fit(10.0, 100.0, 12.0, 6.0).expect("fits when shrunk");
        assert!(f.size_pt < 12.0 && f.size_pt >= 6.0);
        assert!(f.width_pt <= 100.0);
    }

    #[test]
    fn fit_refuses_below_minimum() {
        assert_eq!(fit(30.0, 100.0, 12.0, 6.0), None);
    }

    #[test]
    fn missing_font_dir_names_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        match FontSet::load(dir.path()) {
            Err(PrintError::FontMissing { path }) => {
                assert!(path.ends_with("BIZUDGothic-Regular.ttf"))
            }
            other => panic!("expected FontMissing, got {other:?}"),
        }
    }

    #[test]
    fn garbage_font_is_invalid() {
        let dir = tempfile::tempdir().expect("tempdir");
        for face in FontFace::ALL {
            std::fs::write(dir.path().join(face.file_name()), b"not a font").expect("write");
        }
        assert!(matches!(
            FontSet::load(dir.path()),
            Err(PrintError::FontInvalid { .. })
        ));
    }
}
