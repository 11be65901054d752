//! The agreement as a PDF for the case file (`GET /api/cases/{id}/agreement.pdf`): A4, the
//! title centred, the body in a Song face (Noto Serif SC, which `cargo xtask build-frontend`
//! installs from npm into the served folder; `CONCORD_PDF_FONT` names another file), subset
//! into the file by krilla so that it holds only the characters used. Amounts appear in
//! figures and capitals (the signed text says both), the signatures in place as vector
//! strokes, and every page is numbered "第 1 页 共 2 页".
//!
//! Layout is a small line breaker over the font's own advances: CJK text breaks between any
//! two characters, a closing punctuation mark never starts a line (it hangs), and a page
//! breaks before a line that would not fit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{LineCap, LineJoin, Stroke};
use krilla::text::{Font, TextDirection};
use shared::agreement::{Agreement, Signer, chinese_punctuation};
use shared::model::{AgreementForm, SignMethod};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// A4 in points, and its margins.
const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN_X: f32 = 72.0;
const MARGIN_TOP: f32 = 72.0;
const MARGIN_BOTTOM: f32 = 80.0;
const BODY: f32 = 12.0;
const LEADING: f32 = 1.75;

/// Why no PDF could be made.
#[derive(Debug)]
pub enum PdfError {
    /// The font file is missing or unreadable (the set-up did not install it).
    Font(PathBuf, String),
    /// krilla failed to write the document.
    Write(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Font(path, e) => write!(f, "the PDF font {}: {e}", path.display()),
            PdfError::Write(e) => write!(f, "writing the PDF: {e}"),
        }
    }
}

/// The font's bytes, read once per path.
static FONT: Mutex<Option<(PathBuf, Arc<Vec<u8>>)>> = Mutex::new(None);

fn font_bytes(path: &Path) -> Result<Arc<Vec<u8>>, PdfError> {
    let mut slot = FONT
        .lock()
        .map_err(|_| PdfError::Font(path.to_owned(), "poisoned".into()))?;
    if let Some((p, bytes)) = slot.as_ref()
        && p == path
    {
        return Ok(Arc::clone(bytes));
    }
    let bytes =
        Arc::new(std::fs::read(path).map_err(|e| PdfError::Font(path.to_owned(), e.to_string()))?);
    *slot = Some((path.to_owned(), Arc::clone(&bytes)));
    Ok(bytes)
}

/// One thing drawn on a page.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
    Signature {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        strokes: Vec<Vec<[f32; 3]>>,
    },
}

/// Measures text in the font.
struct Measure<'a> {
    font: FontRef<'a>,
}

impl Measure<'_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let metrics = self
            .font
            .glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size)
            })
            .sum()
    }

    /// Breaks a paragraph into lines no wider than `width` (after a first-line indent).
    fn lines(&self, text: &str, size: f32, width: f32, indent: f32) -> Vec<String> {
        const NO_START: &str = ",。、;:!?)」』】》,.;:!?)%";
        let mut out = Vec::new();
        let mut line = String::new();
        let mut used = indent;
        for c in text.chars() {
            let w = self.width(c.encode_utf8(&mut [0; 4]), size);
            if used + w > width && !line.is_empty() && !NO_START.contains(c) {
                out.push(std::mem::take(&mut line));
                used = 0.0;
            }
            line.push(c);
            used += w;
        }
        if !line.is_empty() || out.is_empty() {
            out.push(line);
        }
        out
    }
}

/// Lays out pages of ops.
struct Layout<'a> {
    m: Measure<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Room for `h` more points, or a new page.
    fn room(&mut self, h: f32) {
        if self.y + h > PAGE_H - MARGIN_BOTTOM {
            self.pages.push(Vec::new());
            self.y = MARGIN_TOP;
        }
    }

    fn text_at(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y + size;
        self.page().push(Op::Text {
            x,
            y,
            size,
            text: text.to_owned(),
        });
    }

    fn centred(&mut self, text: &str, size: f32) {
        let text = &chinese_punctuation(text);
        let h = size * LEADING;
        self.room(h);
        let w = self.m.width(text, size);
        self.text_at((PAGE_W - w) / 2.0, size, text);
        self.y += h;
    }

    fn right(&mut self, text: &str, size: f32) {
        let text = &chinese_punctuation(text);
        let h = size * LEADING;
        self.room(h);
        let w = self.m.width(text, size);
        self.text_at(PAGE_W - MARGIN_X - w, size, text);
        self.y += h;
    }

    /// A paragraph, its first line indented by `indent` characters' width.
    fn para(&mut self, text: &str, indent: f32) {
        let text = &chinese_punctuation(text);
        let width = PAGE_W - 2.0 * MARGIN_X;
        for (i, raw) in text.lines().enumerate() {
            let first = if i == 0 { indent * BODY } else { 0.0 };
            for (j, line) in self.m.lines(raw, BODY, width, first).iter().enumerate() {
                self.room(BODY * LEADING);
                let x = MARGIN_X + if j == 0 { first } else { 0.0 };
                self.text_at(x, BODY, line);
                self.y += BODY * LEADING;
            }
        }
    }

    fn heading(&mut self, text: &str) {
        self.gap(4.0);
        // Keep a heading with the first line after it.
        self.room(BODY * LEADING * 2.0 + 4.0);
        self.text_at(MARGIN_X, BODY + 1.0, &format!("【{text}】"));
        self.y += BODY * LEADING + 2.0;
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }

    /// A signature line: who, the drawn strokes (or the fingerprint note), the date.
    fn signature(&mut self, who: &str, strokes: Option<Vec<Vec<[f32; 3]>>>, note: &str) {
        let (who, note) = (&chinese_punctuation(who), &chinese_punctuation(note));
        let h = 54.0;
        self.room(h);
        let label_y = self.y + 22.0;
        let y = self.y;
        self.page().push(Op::Text {
            x: MARGIN_X,
            y: label_y,
            size: BODY,
            text: who.to_owned(),
        });
        let box_x = MARGIN_X + 190.0;
        match strokes {
            Some(strokes) if !strokes.is_empty() => self.page().push(Op::Signature {
                x: box_x,
                y,
                w: 150.0,
                h: 50.0,
                strokes,
            }),
            _ => {}
        }
        self.page().push(Op::Rule {
            x1: box_x,
            x2: box_x + 150.0,
            y: y + 46.0,
        });
        if !note.is_empty() {
            self.page().push(Op::Text {
                x: box_x + 160.0,
                y: label_y,
                size: BODY - 1.5,
                text: note.to_owned(),
            });
        }
        self.y += h;
    }
}

/// A date in Chinese: 2026年12月5日.
fn cn_date(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

fn signed_on(ms: i64, tz: chrono::FixedOffset) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| cn_date(t.with_timezone(&tz).date_naive()))
        .unwrap_or_default()
}

/// Lays out the agreement (as its reader may see it) and writes the PDF.
pub fn render(
    a: &Agreement,
    font_path: &Path,
    tz: chrono::FixedOffset,
) -> Result<Vec<u8>, PdfError> {
    let bytes = font_bytes(font_path)?;
    let skrifa_font = FontRef::from_index(bytes.as_slice(), 0)
        .map_err(|e| PdfError::Font(font_path.to_owned(), e.to_string()))?;
    let font = Font::new(Arc::clone(&bytes).into(), 0)
        .ok_or_else(|| PdfError::Font(font_path.to_owned(), "not a font krilla reads".into()))?;
    let mut l = Layout {
        m: Measure { font: skrifa_font },
        pages: Vec::new(),
        y: MARGIN_TOP,
    };
    l.centred(
        if a.form == AgreementForm::Oral {
            "口头调解协议记录"
        } else {
            "人民调解协议书"
        },
        22.0,
    );
    l.gap(6.0);
    l.right(&format!("编号:{}", a.number), BODY);
    l.para(&format!("调解委员会:{}", a.committee), 0.0);
    l.heading("当事人");
    let parties: Vec<String> = a
        .parties
        .iter()
        .map(|p| shared::agreement::party_line(p.position, &p.party, p.representative.as_deref()))
        .collect();
    l.para(&parties.join("\n"), 0.0);
    let t = &a.text;
    if a.form == AgreementForm::Written {
        for (title, body) in [
            ("纠纷主要事实", t.facts.trim()),
            ("争议事项", t.disputes.trim()),
            ("各方当事人的责任", t.responsibility.trim()),
        ] {
            l.heading(title);
            l.para(body, 2.0);
        }
    }
    l.heading("协议内容");
    l.para("经调解,各方当事人自愿达成如下协议:", 2.0);
    l.para(&shared::agreement::terms_lines(t).join("\n"), 0.0);
    if a.form == AgreementForm::Written {
        l.heading("履行");
        let due = t.performance_due.map(cn_date).unwrap_or_default();
        l.para(
            &format!(
                "履行方式:{}\n履行地点:{}\n履行期限:{due}前",
                t.performance_manner.trim(),
                t.performance_place.trim()
            ),
            0.0,
        );
        l.heading("生效与司法确认");
        l.para(
            &format!(
                "本协议自各方当事人签名(盖章或按指印)、人民调解员签名并加盖人民调解委员会印章之日起生效。\
                 当事人可以自本协议生效之日起三十日内共同向{}申请司法确认。",
                t.court.trim()
            ),
            2.0,
        );
        l.para(
            &format!(
                "本协议一式{}份,当事人各执一份,人民调解委员会留存一份。",
                a.copies
            ),
            2.0,
        );
        l.gap(10.0);
        for p in &a.parties {
            if p.party.side == shared::model::PartySide::Representative {
                continue;
            }
            let signer = Signer::Party {
                position: p.position,
            };
            let who = format!("{}:{}", p.party.side.label(shared::Lang::Zh), p.party.name);
            let sig = a
                .signatures
                .iter()
                .find(|s| s.signer == signer && s.matches);
            let (strokes, note) = match sig {
                Some(s) if s.method == SignMethod::Fingerprint => (
                    None,
                    format!("按指印(见纸面原件) {}", signed_on(s.signed_at, tz)),
                ),
                Some(s) => (
                    Some(s.strokes.iter().map(|k| k.points.clone()).collect()),
                    signed_on(s.signed_at, tz),
                ),
                None => (None, "未签名".to_owned()),
            };
            l.signature(&who, strokes, &note);
        }
        let mediator = a
            .signatures
            .iter()
            .find(|s| s.signer == Signer::Mediator && s.matches);
        l.signature(
            &format!(
                "人民调解员:{}",
                mediator.map(|s| s.name.as_str()).unwrap_or("")
            ),
            mediator.map(|s| s.strokes.iter().map(|k| k.points.clone()).collect()),
            &mediator.map_or_else(|| "未签名".to_owned(), |s| signed_on(s.signed_at, tz)),
        );
        l.gap(8.0);
        l.para(
            &format!(
                "{}(印章){}",
                a.committee,
                if a.sealed_at.is_some() {
                    "  已盖章"
                } else {
                    "  未盖章"
                }
            ),
            0.0,
        );
    }
    if let Some(d) = a.effective_on {
        l.right(&format!("生效日期:{}", cn_date(d)), BODY);
    }
    let total = l.pages.len();
    let footers: Vec<(String, f32)> = (1..=total)
        .map(|n| {
            let text = format!("第 {n} 页 共 {total} 页");
            let width = l.m.width(&text, 9.0);
            (text, width)
        })
        .collect();
    write(&l.pages, &footers, &font)
}

fn write(pages: &[Vec<Op>], footers: &[(String, f32)], font: &Font) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::new();
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError::Write("page size".into()))?;
    for (i, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, text } => surface.draw_text(
                    Point::from_xy(*x, *y),
                    font.clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                ),
                Op::Rule { x1, x2, y } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y);
                    pb.line_to(*x2, *y);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: 0.6,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(krilla::paint::Fill::default()));
                    }
                }
                Op::Signature {
                    x,
                    y,
                    w,
                    h,
                    strokes,
                } => {
                    surface.set_fill(None);
                    for points in strokes {
                        let mean =
                            points.iter().map(|p| p[2]).sum::<f32>() / points.len().max(1) as f32;
                        let mut pb = PathBuilder::new();
                        let at = |p: &[f32; 3]| (x + p[0] * w, y + p[1] * h);
                        let Some(first) = points.first() else {
                            continue;
                        };
                        let (x0, y0) = at(first);
                        pb.move_to(x0, y0);
                        if points.len() == 1 {
                            pb.line_to(x0 + 0.1, y0);
                        }
                        for pair in points.windows(2).skip(1) {
                            let (cx, cy) = at(&pair[0]);
                            let (nx, ny) = at(&pair[1]);
                            pb.quad_to(cx, cy, (cx + nx) / 2.0, (cy + ny) / 2.0);
                        }
                        if let Some(last) = points.last()
                            && points.len() > 1
                        {
                            let (lx, ly) = at(last);
                            pb.line_to(lx, ly);
                        }
                        if let Some(path) = pb.finish() {
                            surface.set_stroke(Some(Stroke {
                                width: 0.6 + 1.6 * mean,
                                line_cap: LineCap::Round,
                                line_join: LineJoin::Round,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                    surface.set_stroke(None);
                    surface.set_fill(Some(krilla::paint::Fill::default()));
                }
            }
        }
        // The page number, centred at the foot.
        if let Some((number, width)) = footers.get(i) {
            surface.draw_text(
                Point::from_xy((PAGE_W - width) / 2.0, PAGE_H - 40.0),
                font.clone(),
                9.0,
                number,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}
