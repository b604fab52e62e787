//! 突合表 (reconciliation report) of a bulk job: what the approval covered and what went to the printer,
//! with every reprint and its reason. No personal data: counts, 通し番号, ids, staff ids, the content hash.

use chrono::{DateTime, Utc};
use madoguchi_print::{
    DocumentRecord, ItemKey, ItemValue, PrintKind, RenderMode, RenderedDocument, Renderer,
};
use serde::Serialize;

use crate::approved::ApprovedDistribution;
use crate::job::{JobPhase, JobState, UnitKind};
use crate::pages::control_number;

/// One reprint in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReprintLine {
    /// First 通し番号 printed again.
    pub first_seq: u32,
    /// Last 通し番号 printed again.
    pub last_seq: u32,
    /// Pages printed again.
    pub pages: u32,
    /// 再印刷の理由.
    pub reason: String,
    /// The 監督者 who asked for it.
    pub requested_by: String,
    /// The print system's job id, once submitted.
    pub job_id: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The reconciliation report, as data (the screen, the audit chain) and as printable text ([`Self::to_text`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconciliationReport {
    /// The distribution.
    pub distribution_id: String,
    /// 配信の種類 (label).
    pub kind_ja: String,
    /// The approved content hash (full) and its 確認コード (first 12 hex digits).
    pub content_hash: String,
    /// The first digits of the content hash, as the 確認コード staff compare.
    pub content_code: String,
    /// 照合番号 of the first and last record, as printed on the pages.
    pub first_control_number: String,
    /// 照合番号 of the last record.
    pub last_control_number: String,
    /// 承認者 and when.
    pub approver: String,
    /// When the content was approved.
    pub approved_at: DateTime<Utc>,
    /// Who started the run.
    pub started_by: String,
    /// When.
    pub started_at: DateTime<Utc>,
    /// When the last record was spooled.
    pub finished_at: Option<DateTime<Utc>>,
    /// Records of the approved content.
    pub records_total: u32,
    /// Records spooled in the run (each exactly once).
    pub records_spooled: u32,
    /// Pages spooled in the run.
    pub pages_spooled: u32,
    /// Chunks (print jobs) of the run.
    pub chunks: u32,
    /// The print system's job ids of the run's chunks, in order.
    pub job_ids: Vec<String>,
    /// Every job of this run is titled `<prefix>c00001` (chunks) or `<prefix>r00001` (reprints), so the
    /// spooler's list can be checked against the report.
    pub job_title_prefix: String,
    /// Reprints, in order.
    pub reprints: Vec<ReprintLine>,
    /// Pages printed again in all.
    pub reprint_pages: u32,
    /// Every record 1..=total is in exactly one spooled chunk, in order, and nothing is left half done.
    pub complete: bool,
}

impl ReconciliationReport {
    pub(crate) fn build(dist: &ApprovedDistribution, st: &JobState) -> Self {
        let mut expected = 1u32;
        let mut in_order = true;
        let mut job_ids = Vec::new();
        let mut reprints = Vec::new();
        let mut pages = 0;
        let mut chunks = 0;
        let mut open = false;
        for u in &st.units {
            let released = matches!(u.phase, JobPhase::Released { .. });
            open |= !released;
            match &u.kind {
                UnitKind::Regular => {
                    if released {
                        in_order &= u.first_seq == expected && u.last_seq >= u.first_seq;
                        expected = u.last_seq.saturating_add(1);
                        pages += u.pages;
                        chunks += 1;
                        if let Some(j) = u.job_id() {
                            job_ids.push(j.0.clone());
                        }
                    }
                }
                UnitKind::Reprint {
                    reason,
                    requested_by,
                } => reprints.push(ReprintLine {
                    first_seq: u.first_seq,
                    last_seq: u.last_seq,
                    pages: u.pages,
                    reason: reason.words_ja(),
                    requested_by: requested_by.as_str().to_string(),
                    job_id: u.job_id().map(|j| j.0.clone()),
                    at: u.intended_at,
                }),
            }
        }
        let records_spooled = st.next_seq.saturating_sub(1);
        let hash = dist.content_hash();
        Self {
            distribution_id: st.distribution_id.clone(),
            kind_ja: dist.kind().label_ja().to_string(),
            content_hash: hash.as_str().to_string(),
            content_code: hash.short().to_string(),
            first_control_number: control_number(hash, 1),
            last_control_number: control_number(hash, st.record_count),
            approver: st.approver.clone(),
            approved_at: st.approved_at,
            started_by: st.started_by.as_str().to_string(),
            started_at: st.started_at,
            finished_at: st.finished_at,
            records_total: st.record_count,
            records_spooled,
            pages_spooled: pages,
            chunks,
            job_ids,
            job_title_prefix: format!("mdg-{}-", st.token),
            reprint_pages: reprints.iter().map(|r| r.pages).sum(),
            reprints,
            complete: in_order
                && !open
                && expected == st.record_count.saturating_add(1)
                && records_spooled == st.record_count
                && pages == st.record_count,
        }
    }

    /// The report as printable text (Japanese), for the 監督者's file and the envelope count.
    pub fn to_text(&self) -> String {
        let jst = |t: DateTime<Utc>| {
            madoguchi_domain::jst::datetime(t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        let mut s = String::new();
        s.push_str("一括印刷　突合表\n");
        s.push_str("――――――――――――――――\n");
        s.push_str(&format!("配信の種類　　　：{}\n", self.kind_ja));
        s.push_str(&format!("配信ID　　　　　：{}\n", self.distribution_id));
        s.push_str(&format!("確認コード　　　：{}\n", self.content_code));
        s.push_str(&format!("内容のハッシュ　：{}\n", self.content_hash));
        s.push_str(&format!(
            "承認者　　　　　：{}（{}）\n",
            self.approver,
            jst(self.approved_at)
        ));
        s.push_str(&format!(
            "印刷開始　　　　：{}（{}）\n",
            self.started_by,
            jst(self.started_at)
        ));
        s.push_str(&format!(
            "印刷終了　　　　：{}\n",
            self.finished_at
                .map(jst)
                .unwrap_or_else(|| "（未了）".into())
        ));
        s.push_str(&format!(
            "照合番号　　　　：{} 〜 {}\n",
            self.first_control_number, self.last_control_number
        ));
        s.push_str(&format!("承認件数　　　　：{}件\n", self.records_total));
        s.push_str(&format!("印刷件数　　　　：{}件\n", self.records_spooled));
        s.push_str(&format!("印刷枚数　　　　：{}枚\n", self.pages_spooled));
        s.push_str(&format!("印刷ジョブ数　　：{}\n", self.chunks));
        s.push_str(&format!(
            "再印刷　　　　　：{}回　{}枚\n",
            self.reprints.len(),
            self.reprint_pages
        ));
        for r in &self.reprints {
            s.push_str(&format!(
                "　・{}〜{}番（{}枚）理由：{}　指示：{}　ジョブ：{}　{}\n",
                r.first_seq,
                r.last_seq,
                r.pages,
                r.reason,
                r.requested_by,
                r.job_id.as_deref().unwrap_or("未送信"),
                jst(r.at)
            ));
        }
        s.push_str(&format!(
            "判定　　　　　　：{}\n",
            if self.complete {
                "全件を1回ずつ、通し番号順に印刷に送りました"
            } else {
                "未完了（件数・順序を確認してください）"
            }
        ));
        s.push_str("印刷ジョブ　　　：");
        s.push_str(&self.job_ids.join(", "));
        s.push('\n');
        s
    }

    /// The report as a printable A4 document (layout `ikkatsu-totsugo`), 40 lines per page, long lines
    /// wrapped. Goes through the same rendering and pre-flight as every other document.
    pub fn render(
        &self,
        renderer: &Renderer,
    ) -> Result<RenderedDocument, madoguchi_print::PrintError> {
        let layout = renderer.layout(
            madoguchi_print::PrintConfig::default().layout_for(PrintKind::ReconciliationReport),
        )?;
        // The layout prints the title; the text's own title and rule are for plain-text use.
        let lines: Vec<String> = self
            .to_text()
            .lines()
            .skip(2)
            .flat_map(|l| wrap(l, 48))
            .collect();
        let pages: Vec<ReportPage> = lines
            .chunks(LINES_PER_PAGE)
            .map(|c| ReportPage(c.to_vec()))
            .collect();
        renderer.render(&layout, &pages, RenderMode::Production)
    }
}

const LINES_PER_PAGE: usize = 40;

/// One page of the printed report.
struct ReportPage(Vec<String>);

impl DocumentRecord for ReportPage {
    fn kind(&self) -> PrintKind {
        PrintKind::ReconciliationReport
    }
    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        (key == ItemKey::ReportBody).then(|| {
            // An empty line would be blank text; the layout needs something on each line.
            ItemValue::Lines(
                self.0
                    .iter()
                    .map(|l| {
                        if l.trim().is_empty() {
                            "　".to_string()
                        } else {
                            l.clone()
                        }
                    })
                    .collect(),
            )
        })
    }
}

/// Split `line` so that no piece is wider than `max` full-width characters (half-width counts ½);
/// continuation lines are indented.
fn wrap(line: &str, max: usize) -> Vec<String> {
    let limit = max * 2;
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut width = 0;
    for c in line.chars() {
        let w = if c.is_ascii() { 1 } else { 2 };
        if width + w > limit {
            out.push(std::mem::take(&mut cur));
            cur.push_str("　　");
            width = 4;
        }
        cur.push(c);
        width += w;
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_lines_wrap_by_display_width() {
        assert_eq!(wrap("abc", 48), vec!["abc".to_string()]);
        let long = "あ".repeat(60);
        let w = wrap(&long, 48);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].chars().count(), 48);
        assert!(w[1].starts_with("　　"));
        let ascii = "x".repeat(96);
        assert_eq!(wrap(&ascii, 48).len(), 1);
    }
}
