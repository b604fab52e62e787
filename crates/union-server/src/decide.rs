//! Immediate decision (即時に受付・審査・決定, N:163–165; flow 1-④): from a notification and what the union
//! knows, decide the qualification, assign the 被保険者番号, the 一部負担金の割合, and which document to issue
//! with which validity — and collect every change into one [`Commit`].
//!
//! Nothing here writes: the caller commits the result atomically together with the idempotency record.

use chrono::{DateTime, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::eligibility::{Eligibility, KoukiFacts, Reason, evaluate_kouki};
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind};
use madoguchi_domain::qualification::{self, Cause, Change};
use madoguchi_domain::wareki::WarekiDate;
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::v1::{
    DocumentId, DocumentState, DocumentSummary, Notification, NotificationDecision, NotificationId,
    NotificationRequest, Outcome, Qualification, ReissueReason, ResidentId,
};
use uuid::Uuid;

use crate::config::UnionConfig;
use crate::store::{
    Commit, DocumentRecord, PendingReview, QualificationRecord, ResidentRecord, StoreError,
    UnionStore,
};

/// Why a notification was refused. Nothing is written for any of these.
#[derive(Debug)]
pub enum Refusal {
    /// A business refusal with a stable code.
    Code(ErrorCode),
    /// A business refusal about one field: its JSON path and a message that names it (e.g. which of two
    /// dates contradicting each other to correct), never its value.
    Field {
        /// Stable code.
        code: ErrorCode,
        /// JSON path of the field, e.g. `notification.details.moved_in_on`.
        field: &'static str,
        /// For the clerk, naming the field as the counter's form does.
        message_ja: &'static str,
        /// For logs.
        message_en: &'static str,
    },
    /// A storage failure.
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

impl From<ErrorCode> for Refusal {
    fn from(c: ErrorCode) -> Self {
        Refusal::Code(c)
    }
}

/// Who decides and when.
pub struct Context<'a> {
    /// 市区町村コード the request is scoped to (the signed-in session's, never one from the request body).
    pub municipality: &'a MunicipalityCode,
    /// The terminal that sent the notification.
    pub terminal_id: &'a str,
    /// The signed-in staff user who entered it.
    pub user_id: &'a str,
    /// Today in Japan.
    pub today: Date,
    /// The moment of the decision (`decided_at`).
    pub now: DateTime<Utc>,
    /// The idempotency key the terminal sent the notification with.
    pub idempotency_key: Uuid,
}

/// The decision and the changes it makes.
pub struct Decided {
    /// The decision answered to the terminal.
    pub decision: NotificationDecision,
    /// Everything to store for it, atomically ([`UnionStore::commit`]).
    pub commit: Commit,
}

mod documents;
pub(crate) use documents::{document_record, qualification_of, summary, wareki};

/// The changes of one decision being collected.
pub(crate) struct Work<'s> {
    store: &'s dyn UnionStore,
    config: &'s UnionConfig,
    pub(crate) commit: Commit,
}

impl<'s> Work<'s> {
    pub(crate) fn new(store: &'s dyn UnionStore, config: &'s UnionConfig) -> Self {
        Work {
            store,
            config,
            commit: Commit::default(),
        }
    }

    fn resident_in_scope(
        &self,
        id: ResidentId,
        municipality: &MunicipalityCode,
    ) -> Result<ResidentRecord, Refusal> {
        let r = self
            .store
            .resident(id)?
            .ok_or(Refusal::Code(ErrorCode::NotFound))?;
        if &r.municipality != municipality {
            return Err(ErrorCode::OutOfScope.into());
        }
        Ok(r)
    }

    /// Current documents that must be withdrawn: handed-over ones come back (回収), undelivered ones are void.
    pub(crate) fn withdraw_documents(
        &mut self,
        r: &ResidentRecord,
        lost: bool,
    ) -> Result<Vec<DocumentSummary>, Refusal> {
        let mut to_return = Vec::new();
        for id in &r.documents {
            let Some(mut d) = self.store.document(*id)? else {
                continue;
            };
            if !d.kind.is_insurance_document() {
                continue; // a 負担区分等証明書 is kept by the person
            }
            match d.state {
                DocumentState::ToIssue => d.state = DocumentState::Voided,
                DocumentState::Issued if lost => d.state = DocumentState::Lost,
                DocumentState::Issued => {
                    d.state = DocumentState::ToReturn;
                    to_return.push(summary(&d));
                }
                _ => continue,
            }
            self.commit.documents.push(d);
        }
        Ok(to_return)
    }

    /// A new document for the resident's current qualification, effective from `from`.
    pub(crate) fn new_document(
        &mut self,
        r: &mut ResidentRecord,
        from: Date,
        today: Date,
        kind: Option<DocumentKind>,
    ) -> Result<DocumentRecord, Refusal> {
        let q = r
            .active_qualification(from)
            .ok_or(Refusal::Code(ErrorCode::NotInsured))?;
        let kind = match kind {
            Some(k) => k,
            None => self
                .config
                .document_for(today.max(from), r.mynumber_health_card)
                .ok_or(Refusal::Code(ErrorCode::InvalidDates))?,
        };
        let d = document_record(
            self.config,
            r,
            &q,
            kind,
            from,
            today,
            DocumentId(Uuid::new_v4()),
        )
        .ok_or(Refusal::Code(ErrorCode::Internal))?;
        r.documents.push(d.id);
        self.commit.documents.push(d.clone());
        Ok(d)
    }

    /// Applies an eligibility result to the resident: a qualification (with a 被保険者番号) when eligible.
    /// Records the acquisition in the 資格履歴 (the number is kept from an earlier period).
    pub(crate) fn qualify(
        &mut self,
        r: &mut ResidentRecord,
        e: &Eligibility,
        today: Date,
    ) -> Result<(), Refusal> {
        if let (true, Some(from)) = (e.eligible, e.acquisition_date) {
            let number = match &r.insured_number {
                Some(n) => n.clone(),
                None => self.store.allocate_insured_number()?,
            };
            let cause = match e.reason {
                Reason::Age75 => Cause::Age75,
                Reason::DisabilityCertified => Cause::DisabilityCertified,
                Reason::WelfareEnded => Cause::WelfareEnded,
                _ => Cause::MovedIn,
            };
            r.record(Change::Acquired, cause, from, today, number);
        }
        Ok(())
    }
}

fn facts(r: &ResidentRecord) -> KoukiFacts {
    KoukiFacts {
        birth: Some(r.birth_date),
        disability_certified: r.disability_certified_on,
        on_welfare: r.on_welfare,
        moved_in: r.moved_in_on,
        moved_out: r.moved_out_on,
        died: r.died_on,
    }
}

pub(crate) fn evaluate(r: &ResidentRecord, on: Date) -> Result<Eligibility, Refusal> {
    evaluate_kouki(&facts(r), on).map_err(|_| Refusal::Code(ErrorCode::InvalidDates))
}

/// Decides one notification.
pub fn decide(
    store: &dyn UnionStore,
    config: &UnionConfig,
    ctx: &Context<'_>,
    request: &NotificationRequest,
) -> Result<Decided, Refusal> {
    let received = request.received_on;
    if received > ctx.today {
        return Err(ErrorCode::InvalidDates.into());
    }
    let mut w = Work {
        store,
        config,
        commit: Commit::default(),
    };
    let mut outcome = Outcome::Decided;
    let mut reason = None;
    let mut expected = None;
    let mut document: Option<DocumentRecord> = None;
    let mut to_return = Vec::new();
    let mut message;

    let r = match &request.notification {
        Notification::AcquisitionMoveIn(m) => {
            let n = &m.resident;
            // Each day was plausible on its own (checked before); their order is the union's rule,
            // and the refusal says which date to look at.
            if m.moved_in_on > received {
                return Err(Refusal::Field {
                    code: ErrorCode::InvalidDates,
                    field: "notification.details.moved_in_on",
                    message_ja: "転入日が受付日より後になっています。転入日を確認してください。",
                    message_en: "the move-in day is after the day of receipt",
                });
            }
            if m.moved_in_on < n.birth_date {
                return Err(Refusal::Field {
                    code: ErrorCode::InvalidDates,
                    field: "notification.details.moved_in_on",
                    message_ja: "転入日が生年月日より前になっています。転入日と生年月日を確認してください。",
                    message_en: "the move-in day is before the birth date",
                });
            }
            let existing = store.resident_by_addressee(ctx.municipality, &n.addressee_number)?;
            let mut r = match existing {
                Some(r) => {
                    if r.birth_date != n.birth_date {
                        return Err(ErrorCode::ResidentMismatch.into());
                    }
                    if r.my_number.as_ref().is_some_and(|x| x != &m.my_number) {
                        return Err(ErrorCode::MyNumberMismatch.into());
                    }
                    if r.active_qualification(received).is_some() {
                        return Err(ErrorCode::AlreadyInsured.into());
                    }
                    r
                }
                None => ResidentRecord {
                    id: ResidentId(Uuid::new_v4()),
                    municipality: *ctx.municipality,
                    addressee: n.addressee_number.clone(),
                    household: n.household_number.clone(),
                    name: n.name.clone(),
                    kana: n.kana.clone(),
                    birth_date: n.birth_date,
                    sex: n.sex,
                    address: n.address.clone(),
                    mailing_address: None,
                    my_number: None,
                    on_welfare: n.on_welfare,
                    disability_certified_on: None,
                    mynumber_health_card: false,
                    moved_in_on: None,
                    moved_out_on: None,
                    died_on: None,
                    burden_ratio: config.default_burden_ratio,
                    limit_category: None,
                    long_term_hospitalization_on: None,
                    insured_number: None,
                    qualification: None,
                    documents: Vec::new(),
                    burden_assessment: None,
                    history: Vec::new(),
                    disability_review: None,
                    specific_disease: None,
                },
            };
            r.household = n.household_number.clone();
            r.name = n.name.clone();
            r.kana = n.kana.clone();
            r.sex = n.sex;
            r.address = n.address.clone();
            r.on_welfare = n.on_welfare;
            r.my_number = Some(m.my_number.clone());
            r.mynumber_health_card = m.mynumber_health_card;
            r.moved_in_on = Some(m.moved_in_on);
            // A person moving back in starts a new period: earlier loss events no longer apply.
            r.moved_out_on = None;
            r.died_on = None;
            let e = evaluate(&r, received)?;
            w.qualify(&mut r, &e, ctx.today)?;
            reason = Some(e.reason);
            if e.eligible {
                let from = e.acquisition_date.unwrap_or(received);
                document = Some(w.new_document(&mut r, from, ctx.today, None)?);
                message = format!(
                    "資格取得（転入）を決定しました。資格取得年月日 {}。",
                    wareki(from)
                );
            } else {
                outcome = Outcome::NotEligible;
                expected = e.expected_acquisition_date;
                message = format!(
                    "転入を受け付けました。資格なし（{}）。",
                    e.reason.label_ja()
                );
            }
            r
        }
        Notification::AcquisitionDisability(a) => {
            let mut r = w.resident_in_scope(a.resident_id, ctx.municipality)?;
            if r.my_number.as_ref().is_some_and(|x| x != &a.my_number) {
                return Err(ErrorCode::MyNumberMismatch.into());
            }
            if r.active_qualification(received).is_some() {
                return Err(ErrorCode::AlreadyInsured.into());
            }
            if r.died_on.is_some() || r.moved_out_on.is_some() {
                return Err(ErrorCode::NotInsured.into());
            }
            let mut candidate = r.clone();
            candidate.disability_certified_on = Some(received);
            let e = evaluate(&candidate, received)?;
            reason = Some(e.reason);
            if e.eligible {
                // The union certifies (domain-anchors §1.1: application to the 広域連合 via the 市町村): the
                // application waits for a 広域連合職員 (crate::review), 審査中 until then.
                if r.disability_review.is_some() {
                    return Err(ErrorCode::NothingToChange.into());
                }
                r.my_number = Some(a.my_number.clone());
                r.disability_review = Some(PendingReview {
                    idempotency_key: ctx.idempotency_key,
                    municipality: *ctx.municipality,
                    terminal_id: ctx.terminal_id.to_owned(),
                    user_id: ctx.user_id.to_owned(),
                    received_on: received,
                    evidence: a.evidence,
                });
                outcome = Outcome::UnderReview;
                reason = None;
                message = "障害認定の申請を受け付けました。広域連合で審査します（審査中）。決定は交付待ちの一覧に届きます。"
                    .to_string();
            } else {
                // Not certified (under 65, or excluded): the application is recorded, nothing else changes.
                outcome = Outcome::NotEligible;
                expected = e.expected_acquisition_date;
                message = format!(
                    "障害認定の申請を受け付けました。資格なし（{}）。",
                    e.reason.label_ja()
                );
            }
            r
        }
        Notification::Reissue(x) => {
            let mut r = w.resident_in_scope(x.resident_id, ctx.municipality)?;
            if r.active_qualification(received).is_none() {
                return Err(ErrorCode::NotInsured.into());
            }
            let lost = matches!(x.reason, ReissueReason::Lost | ReissueReason::Stolen);
            to_return = w.withdraw_documents(&r, lost)?;
            let from = r
                .active_qualification(received)
                .map(|q| q.acquired_on.max(received))
                .unwrap_or(received);
            document = Some(w.new_document(&mut r, from, ctx.today, None)?);
            message = "再交付を決定しました。".to_string();
            r
        }
        Notification::ChangeOfParticulars(c) => {
            let mut r = w.resident_in_scope(c.resident_id, ctx.municipality)?;
            if c.changed_on > received || c.changed_on < r.birth_date {
                return Err(ErrorCode::InvalidDates.into());
            }
            let mut changed = false;
            if let Some(n) = &c.name
                && n != &r.name
            {
                r.name = n.clone();
                changed = true;
            }
            if let Some(k) = &c.kana
                && k != &r.kana
            {
                r.kana = k.clone();
                changed = true;
            }
            if let Some(a) = &c.address
                && a.trim() != r.address
                && !a.trim().is_empty()
            {
                r.address = a.trim().to_string();
                changed = true;
            }
            if !changed {
                return Err(ErrorCode::NothingToChange.into());
            }
            message = "記載事項変更を受け付けました。".to_string();
            if let Some(q) = r.active_qualification(received) {
                let from = q.acquired_on.max(c.changed_on);
                r.record(
                    Change::Changed,
                    Cause::Particulars,
                    c.changed_on,
                    ctx.today,
                    q.insured_number.clone(),
                );
                to_return = w.withdraw_documents(&r, false)?;
                document = Some(w.new_document(&mut r, from, ctx.today, None)?);
                message = "記載事項変更により新しい書類の交付を決定しました。".to_string();
            }
            r
        }
        Notification::LossMoveOut(x) => {
            let mut r = w.resident_in_scope(x.resident_id, ctx.municipality)?;
            if r.active_qualification(received).is_none() {
                return Err(ErrorCode::NotInsured.into());
            }
            // 転出届 may be filed up to 14 days before moving (住民基本台帳法第24条 practice); allow a month.
            let latest = received + chrono::Days::new(31);
            if x.moved_out_on > latest
                || x.moved_out_on < r.birth_date
                || r.moved_in_on.is_some_and(|i| x.moved_out_on < i)
            {
                return Err(ErrorCode::InvalidDates.into());
            }
            r.moved_out_on = Some(x.moved_out_on);
            let before = r.active_qualification(x.moved_out_on);
            let at = Loss {
                event: x.moved_out_on,
                cause: Cause::MovedOut,
                today: ctx.today,
            };
            lose(&mut w, &mut r, at, &mut to_return, &mut reason)?;
            // 負担区分等証明書 for the new prefecture's union (domain-anchors §1.1): the insured period as
            // valid_from ..= valid_until (the moving day, the last insured day) and the ratio it carries over.
            if let Some(q) = before {
                let mut d = document_record(
                    config,
                    &r,
                    &q,
                    DocumentKind::FutanKubunShomeisho,
                    q.acquired_on,
                    ctx.today,
                    DocumentId(Uuid::new_v4()),
                )
                .ok_or(Refusal::Code(ErrorCode::Internal))?;
                d.valid_until = x.moved_out_on;
                r.documents.push(d.id);
                w.commit.documents.push(d.clone());
                document = Some(d);
            }
            message = format!(
                "資格喪失（転出）を決定しました。資格喪失年月日 {}。",
                wareki(x.moved_out_on.succ_opt().unwrap_or(x.moved_out_on))
            );
            r
        }
        Notification::LossDeath(x) => {
            let mut r = w.resident_in_scope(x.resident_id, ctx.municipality)?;
            if r.active_qualification(received).is_none() {
                return Err(ErrorCode::NotInsured.into());
            }
            if x.died_on > received || x.died_on < r.birth_date {
                return Err(ErrorCode::InvalidDates.into());
            }
            r.died_on = Some(x.died_on);
            let at = Loss {
                event: x.died_on,
                cause: Cause::Death,
                today: ctx.today,
            };
            lose(&mut w, &mut r, at, &mut to_return, &mut reason)?;
            message = format!(
                "資格喪失（死亡）を決定しました。資格喪失年月日 {}。",
                wareki(x.died_on.succ_opt().unwrap_or(x.died_on))
            );
            r
        }
        Notification::MailingAddressChange(x) => {
            let mut r = w.resident_in_scope(x.resident_id, ctx.municipality)?;
            if r.active_qualification(received).is_none() {
                return Err(ErrorCode::NotInsured.into());
            }
            if r.mailing_address == x.mailing_address {
                return Err(ErrorCode::NothingToChange.into());
            }
            r.mailing_address = x.mailing_address.clone();
            message = "送付先変更を受け付けました。".to_string();
            r
        }
        Notification::OptionalEntries(x) => {
            let mut r = w.resident_in_scope(x.resident_id, ctx.municipality)?;
            let Some(q) = r.active_qualification(received) else {
                return Err(ErrorCode::NotInsured.into());
            };
            if x.limit_category.is_none()
                && x.long_term_hospitalization_on.is_none()
                && x.specific_disease.is_none()
            {
                return Err(ErrorCode::NothingToChange.into());
            }
            if x.long_term_hospitalization_on
                .is_some_and(|d| d > received || d < q.acquired_on)
            {
                return Err(ErrorCode::InvalidDates.into());
            }
            if let Some(typed) = x.limit_category {
                // The 限度区分 follows from the union's 判定 of the income it holds (kept with the 8/1
                // reassessment); what the clerk typed counts only when there is none for this day.
                let derived = r
                    .burden_assessment
                    .as_ref()
                    .and_then(|a| a.limit_on(r.burden_ratio, received));
                r.limit_category = Some(derived.unwrap_or(typed));
            }
            if x.long_term_hospitalization_on.is_some() {
                r.long_term_hospitalization_on = x.long_term_hospitalization_on;
            }
            // 特定疾病区分: recorded from the 受付日 and printed from then on (issue 15).
            if let Some(s) = x.specific_disease {
                r.specific_disease = Some((s, received.max(q.acquired_on)));
            }
            to_return = w.withdraw_documents(&r, false)?;
            // 任意記載事項 are printed only on the 資格確認書, which is issued on application.
            let from = q.acquired_on.max(received);
            document = Some(w.new_document(
                &mut r,
                from,
                ctx.today,
                Some(DocumentKind::ShikakuKakuninsho),
            )?);
            message = "任意記載事項を併記した資格確認書の交付を決定しました。".to_string();
            r
        }
        Notification::MoveWithinUnion(m) => {
            // Found by the number the person keeps, in whichever municipality of the union holds them.
            let mut r = store
                .resident_by_insured_number(&m.insured_number)?
                .ok_or(Refusal::Code(ErrorCode::NotFound))?;
            if r.birth_date != m.birth_date {
                return Err(ErrorCode::ResidentMismatch.into());
            }
            if &r.municipality == ctx.municipality {
                // A move inside one municipality is a 記載事項変更 (address).
                return Err(ErrorCode::NothingToChange.into());
            }
            if m.moved_on > received || m.moved_on < r.birth_date {
                return Err(ErrorCode::InvalidDates.into());
            }
            if store
                .resident_by_addressee(ctx.municipality, &m.addressee_number)?
                .is_some_and(|other| other.id != r.id)
            {
                return Err(ErrorCode::ResidentMismatch.into());
            }
            let q = r
                .active_qualification(m.moved_on)
                .ok_or(Refusal::Code(ErrorCode::NotInsured))?;
            to_return = w.withdraw_documents(&r, false)?;
            r.municipality = *ctx.municipality;
            r.addressee = m.addressee_number.clone();
            r.household = m.household_number.clone();
            r.address = m.address.clone();
            r.record(
                Change::Changed,
                Cause::MovedWithinUnion,
                m.moved_on,
                ctx.today,
                q.insured_number.clone(),
            );
            let from = q.acquired_on.max(m.moved_on);
            document = Some(w.new_document(&mut r, from, ctx.today, None)?);
            reason = Some(q.reason);
            message = "県内転居を受け付けました。被保険者番号は変わりません。".to_string();
            r
        }
        Notification::WelfareStarted(x) => {
            let mut r = w.resident_in_scope(x.resident_id, ctx.municipality)?;
            if r.on_welfare {
                return Err(ErrorCode::NothingToChange.into());
            }
            if x.on < r.birth_date {
                return Err(ErrorCode::InvalidDates.into());
            }
            r.on_welfare = true;
            let loss = qualification::welfare_start_loss_on(x.on);
            // Insured on the start day, or insured later by a scheduled acquisition: both end (a loss dated on
            // or before an acquisition cancels it).
            let ends = match r.qualification_status(loss) {
                qualification::Status::Insured { .. }
                | qualification::Status::LossScheduled { .. } => r
                    .active_qualification(loss)
                    .map(|q| (q.insured_number, loss)),
                qualification::Status::AcquisitionScheduled { from } => {
                    r.insured_number.clone().map(|n| (n, from))
                }
                _ => None,
            };
            message = "生活保護開始を受け付けました。".to_string();
            if let Some((number, on)) = ends {
                r.record(Change::Lost, Cause::WelfareStarted, on, ctx.today, number);
                to_return = w.withdraw_documents(&r, false)?;
                reason = Some(Reason::LostWelfare);
                message = format!(
                    "資格喪失（生活保護開始）を決定しました。資格喪失年月日 {}。",
                    wareki(loss)
                );
            }
            r
        }
        Notification::WelfareEnded(x) => {
            let mut r = w.resident_in_scope(x.resident_id, ctx.municipality)?;
            if !r.on_welfare {
                return Err(ErrorCode::NothingToChange.into());
            }
            let from = qualification::welfare_end_acquisition_on(x.on)
                .ok_or(Refusal::Code(ErrorCode::InvalidDates))?;
            if x.on < r.birth_date {
                return Err(ErrorCode::InvalidDates.into());
            }
            r.on_welfare = false;
            let e = evaluate(&r, from)?;
            if e.eligible {
                // From the day after the 廃止, never before the person is otherwise eligible.
                let on = e.acquisition_date.map_or(from, |a| a.max(from));
                let number = match &r.insured_number {
                    Some(n) => n.clone(),
                    None => store.allocate_insured_number()?,
                };
                r.record(Change::Acquired, Cause::WelfareEnded, on, ctx.today, number);
                document = Some(w.new_document(&mut r, on, ctx.today, None)?);
                reason = Some(Reason::WelfareEnded);
                message = format!(
                    "資格取得（生活保護廃止）を決定しました。資格取得年月日 {}。",
                    wareki(on)
                );
            } else {
                outcome = Outcome::NotEligible;
                expected = e.expected_acquisition_date;
                reason = Some(e.reason);
                message = format!(
                    "生活保護廃止を受け付けました。資格なし（{}）。",
                    e.reason.label_ja()
                );
            }
            r
        }
    };

    if let Some(d) = &document {
        if d.kind.is_insurance_document() {
            message.push_str(&format!(
                "{}（有効期限 {}）を交付してください。",
                d.kind.name_ja(),
                wareki(d.valid_until)
            ));
        } else {
            message.push_str(&format!(
                "{}を交付してください（転出先の広域連合へ提出していただきます）。",
                d.kind.name_ja()
            ));
        }
    }
    if !to_return.is_empty() {
        message.push_str("旧書類を回収してください。");
    }
    if outcome == Outcome::Decided && r.qualification.is_none() {
        reason = None;
    }
    let qualification = qualification_of(&r, config);
    let decision = NotificationDecision {
        notification_id: NotificationId(Uuid::new_v4()),
        idempotency_key: ctx.idempotency_key,
        kind: request.notification.kind(),
        resident_id: r.id,
        decided_at: ctx.now,
        outcome,
        reason,
        expected_acquisition_on: expected,
        qualification,
        document: document.as_ref().map(summary),
        documents_to_return: to_return,
        message_ja: message,
    };
    w.commit.residents.push(r);
    Ok(Decided {
        decision,
        commit: w.commit,
    })
}

/// A loss by 転出 or death: the event's day, its cause, and the day it is recorded.
struct Loss {
    event: Date,
    cause: Cause,
    today: Date,
}

/// Records the loss in the 資格履歴, dated the day after the event (第53条, [`qualification::loss_on_after`]):
/// until then the person stays insured (喪失予定).
fn lose(
    w: &mut Work<'_>,
    r: &mut ResidentRecord,
    at: Loss,
    to_return: &mut Vec<DocumentSummary>,
    reason: &mut Option<madoguchi_domain::eligibility::Reason>,
) -> Result<(), Refusal> {
    let on =
        qualification::loss_on_after(at.event).ok_or(Refusal::Code(ErrorCode::InvalidDates))?;
    let e = evaluate(r, on)?;
    let number = r
        .active_qualification(at.event)
        .map(|q| q.insured_number)
        .ok_or(Refusal::Code(ErrorCode::NotInsured))?;
    r.record(
        Change::Lost,
        at.cause,
        e.loss_date.unwrap_or(on),
        at.today,
        number,
    );
    *reason = Some(e.reason);
    *to_return = w.withdraw_documents(r, false)?;
    Ok(())
}
