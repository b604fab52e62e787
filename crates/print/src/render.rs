//! Rendering records onto pages with printpdf, then the pre-flight check, then the PDF bytes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use printpdf::{
    Color, ExtendedGraphicsState, FontId, Line, LineDashPattern, LinePoint, Op, PaintMode,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, RawImage, RawImageData,
    RawImageFormat, Rect, Rgb, TextItem, TextMatrix, XObjectId, XObjectTransform,
};

use crate::error::PrintError;
use crate::fonts::{FontFace, FontSet, fit};
use crate::items::{GAIJI_PLACEHOLDER, ItemKey, ItemValue};
use crate::kind::PrintKind;
use crate::layout::{Align, Colour, Layout, PaperClass};
use crate::preflight::{self, PageExpectation};

const PT_PER_MM: f32 = 72.0 / 25.4;

fn pt(mm: f32) -> Pt {
    Pt(mm * PT_PER_MM)
}

/// Data of one document (one page) of a given kind. Implemented by the typed document structs in
/// [`crate::documents`]; values are already formatted for print (和暦, 「1割」, grouped yen).
pub trait DocumentRecord {
    /// Which kind of document this data is for; must match the layout's kind.
    fn kind(&self) -> PrintKind;
    /// The formatted value of an item, `None` when the record has no such item.
    fn item(&self, key: ItemKey) -> Option<ItemValue>;
    /// Consistency of the record itself (e.g. dates in order); checked before anything is drawn.
    fn validate(&self) -> Result<(), RecordProblem> {
        Ok(())
    }
}

/// Why a record cannot be printed although every item is present. No personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordProblem {
    #[error("the 資格確認書 did not exist before 2024-12-02 (issue date too early)")]
    /// Issue date before 2024-12-02.
    IssuedBeforeCertificatesExisted,
    #[error("the expiry date is before the effective date")]
    /// Expiry before effective date.
    ExpiryBeforeEffective,
    #[error("the validity exceeds five years")]
    /// Validity over five years.
    ValidityOverFiveYears,
    #[error("the effective date is before the qualification was acquired")]
    /// Effective before acquisition.
    EffectiveBeforeAcquisition,
    #[error("the burden ratio before and after the change is the same")]
    /// Same ratio before and after.
    RatioUnchanged,
    #[error("the notice date is after the day the change takes effect")]
    /// Notice after the change took effect.
    NoticeAfterEffective,
}

impl RecordProblem {
    /// What staff read.
    pub fn message_ja(self) -> &'static str {
        match self {
            Self::IssuedBeforeCertificatesExisted => {
                "交付年月日が資格確認書の交付開始日（令和6年12月2日）より前です"
            }
            Self::ExpiryBeforeEffective => "有効期限が発効期日より前です",
            Self::ValidityOverFiveYears => "有効期間が5年を超えています",
            Self::EffectiveBeforeAcquisition => "発効期日が資格取得年月日より前です",
            Self::RatioUnchanged => "変更前と変更後の負担割合が同じです",
            Self::NoticeAfterEffective => "通知日が適用開始日より後です",
        }
    }
}

/// Where the print assets live. Defaults to `<repo>/assets/{fonts,layouts,seal}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintAssets {
    /// BIZUDGothic-Regular.ttf, BIZUDGothic-Bold.ttf, BIZUDMincho-Regular.ttf.
    pub fonts_dir: PathBuf,
    /// `<name>.toml` layout files.
    pub layouts_dir: PathBuf,
    /// `<name>.png` seal images (印影), one per seal name used by the layouts.
    pub seal_dir: PathBuf,
}

impl PrintAssets {
    /// `<root>/fonts`, `<root>/layouts`, `<root>/seal`.
    pub fn under(root: &Path) -> Self {
        Self {
            fonts_dir: root.join("fonts"),
            layouts_dir: root.join("layouts"),
            seal_dir: root.join("seal"),
        }
    }

    /// The repository's `assets/` directory (development, tests, `print-sample`).
    pub fn repo_default() -> Self {
        Self::under(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets"))
    }
}

/// Whether pages are real documents or training samples (研修モード: every page carries 「見本」).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderMode {
    /// Real documents.
    Production,
    /// 研修: every page marked 見本.
    Training,
}

/// A 外字 placeholder 「●」 printed in a record's item: staff must complete the character by hand or
/// request its 同定. Carries no personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GaijiNotice {
    /// 0-based index of the record in the job.
    pub record: usize,
    /// The item printed with the placeholder.
    pub item: ItemKey,
}

/// A PDF that passed the pre-flight check. The only way to obtain one is [`Renderer::render`], so a
/// printer back end that takes a `RenderedDocument` cannot be handed pages that were not checked.
pub struct RenderedDocument {
    kind: PrintKind,
    layout: String,
    title: String,
    paper: PaperClass,
    page_mm: (f32, f32),
    mode: RenderMode,
    pdf: Vec<u8>,
    pages: usize,
    gaiji: Vec<GaijiNotice>,
}

impl std::fmt::Debug for RenderedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedDocument")
            .field("kind", &self.kind)
            .field("layout", &self.layout)
            .field("pages", &self.pages)
            .field("bytes", &self.pdf.len())
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl RenderedDocument {
    /// What kind of document.
    pub fn kind(&self) -> PrintKind {
        self.kind
    }
    /// The layout used.
    pub fn layout_name(&self) -> &str {
        &self.layout
    }
    /// Title for the print queue (from the layout; no personal data).
    pub fn title(&self) -> &str {
        &self.title
    }
    /// Card or A4.
    pub fn paper(&self) -> PaperClass {
        self.paper
    }
    /// Page width and height in millimetres.
    pub fn page_size_mm(&self) -> (f32, f32) {
        self.page_mm
    }
    /// Production or training.
    pub fn mode(&self) -> RenderMode {
        self.mode
    }
    /// The PDF bytes. They contain personal data: keep them in memory, never write them to disk in plaintext.
    pub fn pdf(&self) -> &[u8] {
        &self.pdf
    }
    /// The PDF bytes.
    pub fn into_pdf(self) -> Vec<u8> {
        self.pdf
    }
    /// Number of pages (= number of records).
    pub fn page_count(&self) -> usize {
        self.pages
    }
    /// Items printed with the 外字 placeholder 「●」, for the caller to show to staff.
    pub fn gaiji(&self) -> &[GaijiNotice] {
        &self.gaiji
    }
}

/// A decoded seal image, ready to place.
struct SealImage {
    image: RawImage,
}

fn load_seal(dir: &Path, name: &str) -> Result<SealImage, PrintError> {
    let path = dir.join(format!("{name}.png"));
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PrintError::SealMissing { path });
        }
        Err(source) => return Err(PrintError::Io { path, source }),
    };
    let invalid = |reason: String| PrintError::SealInvalid {
        path: path.clone(),
        reason,
    };
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| invalid(e.to_string()))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| invalid("image too large".into()))?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| invalid(e.to_string()))?;
    buf.truncate(info.buffer_size());
    let (w, h) = (info.width as usize, info.height as usize);
    if w == 0 || h == 0 {
        return Err(invalid("empty image".into()));
    }
    let rgba: Vec<u8> = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Indexed => return Err(invalid("indexed colour not expanded".into())),
    };
    // A seal that is fully transparent would pass as "placed" but print nothing.
    if !rgba.chunks_exact(4).any(|p| p[3] > 32) {
        return Err(invalid("image has no visible pixels".into()));
    }
    let image = RawImage {
        width: w,
        height: h,
        data_format: RawImageFormat::RGBA8,
        pixels: RawImageData::U8(rgba),
        tag: Vec::new(),
    };
    Ok(SealImage { image })
}

/// Renders records with layouts. Create once (fonts are parsed here) and reuse.
pub struct Renderer {
    fonts: FontSet,
    assets: PrintAssets,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("assets", &self.assets)
            .finish_non_exhaustive()
    }
}

/// Pre-computed text placement: everything needed to emit the ops.
struct PlacedText {
    face: FontFace,
    size_pt: f32,
    colour: Colour,
    x_pt: f32,
    y_pt: f32,
    text: String,
}

fn colour(c: Colour) -> Color {
    Color::Rgb(Rgb::new(
        f32::from(c.r) / 255.0,
        f32::from(c.g) / 255.0,
        f32::from(c.b) / 255.0,
        None,
    ))
}

impl Renderer {
    /// Load the fonts; fails with [`PrintError::FontMissing`] / [`PrintError::FontInvalid`].
    pub fn new(assets: PrintAssets) -> Result<Self, PrintError> {
        let fonts = FontSet::load(&assets.fonts_dir)?;
        Ok(Self { fonts, assets })
    }

    /// The assets it was made with.
    pub fn assets(&self) -> &PrintAssets {
        &self.assets
    }

    /// The parsed fonts.
    pub fn fonts(&self) -> &FontSet {
        &self.fonts
    }

    /// Load a layout by name from the layouts directory.
    pub fn layout(&self, name: &str) -> Result<Layout, PrintError> {
        Layout::load(&self.assets.layouts_dir, name)
    }

    /// Render one page per record, run the pre-flight check, and produce the PDF.
    /// Any problem (missing required item, text too long, unprintable character, missing seal, page count)
    /// stops the whole job: nothing is returned that could reach a printer.
    pub fn render<R: DocumentRecord>(
        &self,
        layout: &Layout,
        records: &[R],
        mode: RenderMode,
    ) -> Result<RenderedDocument, PrintError> {
        self.render_inner(layout, records, mode, None)
    }

    /// Fault injection for tests of the callers' stop-the-job paths: renders like [`Renderer::render`] but
    /// leaves the seal off the page of record `drop_seal_on` (0-based), as print software under load did
    /// in 出雲市. The pre-flight check still runs, so this can only make a job fail, never let a faulty page
    /// through.
    #[doc(hidden)]
    pub fn render_dropping_seal<R: DocumentRecord>(
        &self,
        layout: &Layout,
        records: &[R],
        mode: RenderMode,
        drop_seal_on: usize,
    ) -> Result<RenderedDocument, PrintError> {
        self.render_inner(layout, records, mode, Some(drop_seal_on))
    }

    fn render_inner<R: DocumentRecord>(
        &self,
        layout: &Layout,
        records: &[R],
        mode: RenderMode,
        drop_seal_on: Option<usize>,
    ) -> Result<RenderedDocument, PrintError> {
        if records.is_empty() {
            return Err(PrintError::NoRecords);
        }
        // Layout fields are public: validate again so a layout built in code cannot drop the seal or a
        // statutory item.
        layout
            .validate()
            .map_err(|reason| PrintError::LayoutInvalid {
                name: layout.name.clone(),
                reason,
            })?;
        if let Some(r) = records.iter().find(|r| r.kind() != layout.kind) {
            return Err(PrintError::LayoutKindMismatch {
                layout: layout.name.clone(),
                layout_kind: layout.kind.as_str(),
                data_kind: r.kind().as_str(),
            });
        }
        let seal = match &layout.seal {
            Some(s) => Some(load_seal(&self.assets.seal_dir, &s.name)?),
            None => None,
        };

        let mut doc = PdfDocument::new(&layout.title);
        // Only faces the layout uses are added: an added face is embedded even when no glyph is used.
        let mut used_faces: BTreeSet<u8> = BTreeSet::new();
        let face_key = |f: FontFace| f as u8;
        for f in &layout.fields {
            used_faces.insert(face_key(f.font));
        }
        for l in &layout.labels {
            used_faces.insert(face_key(l.font));
        }
        if mode == RenderMode::Training {
            used_faces.insert(face_key(FontFace::GothicBold));
        }
        let mut font_ids: Vec<(FontFace, FontId)> = Vec::new();
        for face in FontFace::ALL {
            if used_faces.contains(&face_key(face)) {
                font_ids.push((face, doc.add_font(&self.fonts.face(face).parsed)));
            }
        }
        let font_id = |face: FontFace| -> FontId {
            font_ids
                .iter()
                .find(|(f, _)| *f == face)
                .map(|(_, id)| id.clone())
                // Every face used below was inserted above; fall back to the first rather than panic.
                .unwrap_or_else(|| font_ids[0].1.clone())
        };
        let seal_id: Option<(XObjectId, usize)> = seal
            .as_ref()
            .map(|s| (doc.add_image(&s.image), s.image.width));
        let watermark_gs =
            doc.add_graphics_state(ExtendedGraphicsState::default().with_current_fill_alpha(0.28));

        let page_w = layout.page.width_mm;
        let page_h = layout.page.height_mm;
        let to_y = |y_mm: f32| pt(page_h - y_mm).0;

        // Static parts, identical on every page: decorations and labels.
        let mut static_ops: Vec<Op> = Vec::new();
        for r in &layout.rects {
            let rect = |mode| Rect {
                x: pt(r.x_mm),
                y: Pt(to_y(r.y_mm + r.h_mm)),
                width: pt(r.w_mm),
                height: pt(r.h_mm),
                mode: Some(mode),
                winding_order: None,
            };
            if let Some(fill) = r.fill {
                static_ops.push(Op::SetFillColor { col: colour(fill) });
                static_ops.push(Op::DrawRectangle {
                    rectangle: rect(PaintMode::Fill),
                });
            }
            if let Some(stroke) = r.stroke {
                static_ops.push(Op::SetOutlineColor {
                    col: colour(stroke),
                });
                static_ops.push(Op::SetOutlineThickness {
                    pt: Pt(r.stroke_pt),
                });
                static_ops.push(Op::DrawRectangle {
                    rectangle: rect(PaintMode::Stroke),
                });
            }
        }
        for l in &layout.lines {
            static_ops.push(Op::SetOutlineColor {
                col: colour(l.colour),
            });
            static_ops.push(Op::SetOutlineThickness {
                pt: Pt(l.stroke_pt),
            });
            if l.dashed {
                static_ops.push(Op::SetLineDashPattern {
                    dash: LineDashPattern::new(0.0, &[3.0, 2.0]),
                });
            }
            static_ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point {
                                x: pt(l.x1_mm),
                                y: Pt(to_y(l.y1_mm)),
                            },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: pt(l.x2_mm),
                                y: Pt(to_y(l.y2_mm)),
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            });
            if l.dashed {
                static_ops.push(Op::SetLineDashPattern {
                    dash: LineDashPattern::new(0.0, &[]),
                });
            }
        }
        let mut static_texts = Vec::new();
        for l in &layout.labels {
            let width =
                self.fonts
                    .advance_em(l.font, &l.text)
                    .map_err(|_| PrintError::LayoutInvalid {
                        name: layout.name.clone(),
                        reason: "label has a character the font lacks".into(),
                    })?;
            let (size, text_w) = match l.width_mm {
                Some(w) => {
                    let f = fit(width, pt(w).0, l.size_pt, l.size_pt * 0.5).ok_or_else(|| {
                        PrintError::LayoutInvalid {
                            name: layout.name.clone(),
                            reason: format!("label {:?} does not fit its width", l.text),
                        }
                    })?;
                    (f.size_pt, f.width_pt)
                }
                None => (l.size_pt, width * l.size_pt),
            };
            let x = aligned_x(
                pt(l.x_mm).0,
                l.width_mm.map(|w| pt(w).0).unwrap_or(text_w),
                text_w,
                l.align,
            );
            static_texts.push(PlacedText {
                face: l.font,
                size_pt: size,
                colour: l.colour,
                x_pt: x,
                y_pt: to_y(l.y_mm),
                text: l.text.clone(),
            });
        }
        for t in &static_texts {
            push_text(&mut static_ops, font_id(t.face), t);
        }

        for (index, record) in records.iter().enumerate() {
            record
                .validate()
                .map_err(|problem| PrintError::InvalidRecord {
                    record: index,
                    problem,
                })?;
        }
        let required = layout.required_items();
        let mut pages = Vec::with_capacity(records.len());
        let mut expectations = Vec::with_capacity(records.len());
        let mut gaiji = Vec::new();
        for (index, record) in records.iter().enumerate() {
            let mut ops = static_ops.clone();
            let mut expected_items: Vec<(ItemKey, Vec<String>)> = Vec::new();
            for field in &layout.fields {
                let value = record.item(field.item).filter(|v| !v.is_blank());
                let Some(value) = value else {
                    if field.required {
                        return Err(PrintError::MissingRequiredItem {
                            record: index,
                            item: field.item,
                        });
                    }
                    continue;
                };
                let box_w = pt(field.width_mm).0;
                let line_h = pt(field
                    .line_height_mm
                    .unwrap_or(field.size_pt / PT_PER_MM * 1.4))
                .0;
                let mut printed_lines = Vec::new();
                for (n, line) in value.lines().into_iter().enumerate() {
                    let width = self
                        .fonts
                        .advance_em(field.font, line)
                        .map_err(|position| PrintError::UnprintableCharacter {
                            record: index,
                            item: field.item,
                            position,
                        })?;
                    let fitted = fit(width, box_w, field.size_pt, field.min_size()).ok_or(
                        PrintError::TextTooLong {
                            record: index,
                            item: field.item,
                            min_size_pt: field.min_size(),
                        },
                    )?;
                    if line.contains(GAIJI_PLACEHOLDER) {
                        let notice = GaijiNotice {
                            record: index,
                            item: field.item,
                        };
                        if !gaiji.contains(&notice) {
                            gaiji.push(notice);
                        }
                    }
                    let placed = PlacedText {
                        face: field.font,
                        size_pt: fitted.size_pt,
                        colour: field.colour,
                        x_pt: aligned_x(pt(field.x_mm).0, box_w, fitted.width_pt, field.align),
                        y_pt: to_y(field.y_mm) - line_h * n as f32,
                        text: line.to_string(),
                    };
                    push_text(&mut ops, font_id(placed.face), &placed);
                    printed_lines.push(line.to_string());
                }
                if field.required {
                    expected_items.push((field.item, printed_lines));
                }
            }
            if let Some(q) = &layout.qr {
                let value = record.item(q.item).filter(|v| !v.is_blank()).ok_or(
                    PrintError::MissingRequiredItem {
                        record: index,
                        item: q.item,
                    },
                )?;
                let data = value.lines().join("\n");
                push_qr(&mut ops, &data, pt(q.x_mm).0, to_y(q.y_mm), pt(q.size_mm).0).map_err(
                    |reason| PrintError::Encoding {
                        record: index,
                        item: q.item,
                        reason,
                    },
                )?;
            }
            let seal_dropped = drop_seal_on == Some(index);
            if let (Some(placement), Some((id, px)), false) = (&layout.seal, &seal_id, seal_dropped)
            {
                // Scale by choosing the dpi at which the image is exactly `size_mm` wide.
                let dpi = *px as f32 * 25.4 / placement.size_mm;
                ops.push(Op::UseXobject {
                    id: id.clone(),
                    transform: XObjectTransform {
                        translate_x: Some(pt(placement.x_mm)),
                        translate_y: Some(Pt(to_y(placement.y_mm + placement.size_mm))),
                        dpi: Some(dpi),
                        ..Default::default()
                    },
                });
            }
            if mode == RenderMode::Training {
                push_watermark(
                    &mut ops,
                    font_id(FontFace::GothicBold),
                    &watermark_gs,
                    page_w,
                    page_h,
                    &self.fonts,
                );
            }
            debug_assert!(
                required
                    .iter()
                    .all(|k| expected_items.iter().any(|(e, _)| e == k))
            );
            expectations.push(PageExpectation {
                record: index,
                items: expected_items,
                seal: seal_id.as_ref().map(|(id, _)| id.clone()),
                qr: layout
                    .qr
                    .as_ref()
                    .map(|q| (pt(q.x_mm).0, to_y(q.y_mm), pt(q.size_mm).0)),
                watermark: mode == RenderMode::Training,
            });
            pages.push(PdfPage::new(
                printpdf::Mm(page_w),
                printpdf::Mm(page_h),
                ops,
            ));
        }

        preflight::check(
            &pages,
            &expectations,
            records.len(),
            (pt(page_w).0, pt(page_h).0),
        )?;

        let page_count = pages.len();
        let opts = PdfSaveOptions {
            optimize: true,
            subset_fonts: true,
            secure: true,
            image_optimization: None,
        };
        let mut warnings = Vec::new();
        let pdf = doc.with_pages(pages).save(&opts, &mut warnings);
        preflight::check_pdf(
            &pdf,
            records.len(),
            seal.as_ref().map(|s| (s.image.width, s.image.height)),
        )?;
        for w in warnings
            .iter()
            .filter(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
        {
            tracing::warn!(layout = %layout.name, warning = ?w.msg, "printpdf warning while saving");
        }
        tracing::info!(kind = %layout.kind, layout = %layout.name, pages = page_count, bytes = pdf.len(), "rendered");
        gaiji.sort();
        Ok(RenderedDocument {
            kind: layout.kind,
            layout: layout.name.clone(),
            title: layout.title.clone(),
            paper: layout.paper,
            page_mm: (page_w, page_h),
            mode,
            pdf,
            pages: page_count,
            gaiji,
        })
    }
}

fn aligned_x(x: f32, box_w: f32, text_w: f32, align: Align) -> f32 {
    match align {
        Align::Left => x,
        Align::Center => x + (box_w - text_w) / 2.0,
        Align::Right => x + box_w - text_w,
    }
}

/// One text in its own BT/ET section with an absolute text matrix (printpdf 0.12 warns about text outside
/// a text section; `Td` would be relative to the previous line inside one section).
fn push_text(ops: &mut Vec<Op>, font: FontId, t: &PlacedText) {
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(font),
        size: Pt(t.size_pt),
    });
    ops.push(Op::SetFillColor {
        col: colour(t.colour),
    });
    ops.push(Op::SetTextMatrix {
        matrix: TextMatrix::Translate(Pt(t.x_pt), Pt(t.y_pt)),
    });
    ops.push(Op::ShowText {
        items: vec![TextItem::Text(t.text.clone())],
    });
    ops.push(Op::EndTextSection);
}

/// The QR code as filled rectangles (one per horizontal run of dark modules), top-left at (x, y_top).
fn push_qr(ops: &mut Vec<Op>, data: &str, x: f32, y_top: f32, size: f32) -> Result<(), String> {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let n = code.width();
    let quiet = 4;
    let module = size / (n + 2 * quiet) as f32;
    let colors = code.to_colors();
    ops.push(Op::SetFillColor {
        col: colour(Colour::BLACK),
    });
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(x + (quiet + start) as f32 * module),
                        y: Pt(y_top - (quiet + row + 1) as f32 * module),
                        width: Pt((col - start) as f32 * module),
                        height: Pt(module),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            } else {
                col += 1;
            }
        }
    }
    Ok(())
}

/// The text of the training watermark.
pub const WATERMARK_TEXT: &str = "見本";

fn push_watermark(
    ops: &mut Vec<Op>,
    font: FontId,
    gs: &printpdf::ExtendedGraphicsStateId,
    page_w_mm: f32,
    page_h_mm: f32,
    fonts: &FontSet,
) {
    let (w, h) = (pt(page_w_mm).0, pt(page_h_mm).0);
    let size = w.min(h) * 0.42;
    let text_w = fonts
        .advance_em(FontFace::GothicBold, WATERMARK_TEXT)
        .unwrap_or(2.0)
        * size;
    let angle: f32 = 30.0;
    let rad = angle.to_radians();
    // Centre the rotated text on the page.
    let cx = w / 2.0 - (text_w / 2.0) * rad.cos() + (size * 0.35) * rad.sin();
    let cy = h / 2.0 - (text_w / 2.0) * rad.sin() - (size * 0.35) * rad.cos();
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::LoadGraphicsState { gs: gs.clone() });
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(font),
        size: Pt(size),
    });
    ops.push(Op::SetFillColor {
        col: Color::Rgb(Rgb::new(0.85, 0.1, 0.1, None)),
    });
    // printpdf 0.12's TranslateRotate(angle) yields [cos, sin, -sin, cos]: counter-clockwise.
    ops.push(Op::SetTextMatrix {
        matrix: TextMatrix::TranslateRotate(Pt(cx), Pt(cy), angle),
    });
    ops.push(Op::ShowText {
        items: vec![TextItem::Text(WATERMARK_TEXT.into())],
    });
    ops.push(Op::EndTextSection);
    ops.push(Op::RestoreGraphicsState);
}
