//! Search and roster: resident search, the record view, the 個人番号 reveal for a purpose, and the offline
//! roster for when the line is down.

use chrono::Utc;
use madoguchi_audit::Operation;
use madoguchi_domain::Date;
use madoguchi_domain::ids::{InsuredNumber, MyNumber};
use madoguchi_domain::kana::SeionKey;
use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::reveal::RevealRequest;
use madoguchi_protocol::v1::{
    MyNumberResponse, QualificationState, ResidentDetail, ResidentId, ResidentSearchRequest,
    ResidentSearchResponse, RosterResponse,
};
use madoguchi_vault::{Qualification, RosterEntry};
use serde::Serialize;

use crate::context::Counter;
use crate::error::CounterError;

/// One answer from the offline roster: "is this person insured?" while the line is down. No name, no
/// address: the clerk compares 生年月日 and 被保険者番号 with the resident in front of them.
#[derive(Debug, Clone, Serialize)]
pub struct RosterAnswer {
    /// 被保険者番号.
    pub insured_number: String,
    /// 生年月日.
    pub birth_date: Date,
    /// 資格あり / 資格喪失.
    pub state_ja: &'static str,
    /// Insured.
    pub insured: bool,
    /// The day the roster describes (it may be up to a day old).
    pub as_of: Date,
}

/// What a roster refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RosterRefresh {
    /// The union's policy allows a roster; this many residents are listed.
    Refreshed {
        /// Residents in the roster.
        count: u64,
    },
    /// The union's policy does not allow one; any copy was erased.
    Disabled,
}

impl Counter {
    /// Whether the roster is missing or describes a day before today (Japan time).
    pub(crate) fn roster_needs_refresh(&self) -> bool {
        let today = madoguchi_domain::jst::date(Utc::now());
        match self.inner.vault.roster().info() {
            Ok(Some(info)) => info.is_stale(today),
            _ => true,
        }
    }
}

/// 住民検索 — resident search (online, or the offline roster while the line is down), the record view,
/// 個人番号 on request, the offline roster and who a case is about.
///
/// Obtained from the shared context with [`Counter::search`]; cheap, borrow it per call.
#[derive(Clone, Copy)]
pub struct Search<'a> {
    pub(crate) ctx: &'a Counter,
}

impl Counter {
    /// The search use cases (住民検索・住民情報・名簿).
    pub fn search(&self) -> Search<'_> {
        Search { ctx: self }
    }
}

impl Search<'_> {
    /// Resident search (被保険者番号, カナ, 生年月日). Rows never carry the 個人番号.
    pub async fn search(
        &self,
        req: &ResidentSearchRequest,
    ) -> Result<ResidentSearchResponse, CounterError> {
        let token = self.ctx.token()?;
        let result = self
            .ctx
            .inner
            .client
            .send(&ep::SEARCH_RESIDENTS, &[], Some(&token), None, Some(req))
            .await
            .map_err(CounterError::from);
        let resp: ResidentSearchResponse = self
            .ctx
            .audited(None, Operation::Search, None, result)
            .await?;
        self.ctx.remember_summaries(&resp.residents);
        Ok(resp)
    }

    /// The record view of one resident (個人番号 masked: only a flag says whether one is linked).
    pub async fn resident(&self, id: ResidentId) -> Result<ResidentDetail, CounterError> {
        let token = self.ctx.token()?;
        let result = self
            .ctx
            .inner
            .client
            .send(&ep::RESIDENT, &[&id.to_string()], Some(&token), None, None)
            .await
            .map_err(CounterError::from);
        let detail: ResidentDetail = self
            .ctx
            .audited(
                None,
                Operation::ViewResident,
                Some(format!("resident:{id}")),
                result,
            )
            .await?;
        self.ctx
            .inner
            .seen
            .remember([crate::cases::CaseSubject::new(
                Some(detail.resident_id),
                detail.name.as_str(),
                detail.kana.as_str(),
                detail.birth_date,
                detail
                    .qualification
                    .as_ref()
                    .map(|q| q.insured_number.as_str()),
            )]);
        Ok(detail)
    }

    /// Reveals a resident's 個人番号 for a purpose (利用目的): a request of its own, refused by the union
    /// without the 個人番号 permission or a valid purpose, and recorded with the purpose in both audit
    /// trails, refused or done (N:3886–3888, N:4040–4043; never on search screens, K:3640–3641). An invalid
    /// purpose is refused here before anything is sent.
    pub async fn reveal_my_number(
        &self,
        id: ResidentId,
        purpose: &RevealRequest,
    ) -> Result<MyNumber, CounterError> {
        let token = self.ctx.token()?;
        let target = Some(format!("resident:{id}"));
        let checked = match purpose.check() {
            Ok(c) => c,
            Err(e) => {
                let refused: Result<MyNumber, CounterError> = Err(CounterError::RevealPurpose(e));
                return self
                    .ctx
                    .audited(None, Operation::RevealMyNumber, target, refused)
                    .await;
            }
        };
        let result: Result<MyNumberResponse, CounterError> = self
            .ctx
            .inner
            .client
            .send(
                &ep::REVEAL_MY_NUMBER,
                &[&id.to_string()],
                Some(&token),
                None,
                Some(&checked.request()),
            )
            .await
            .map_err(CounterError::from);
        let resp = self
            .ctx
            .audited_with_purpose(
                None,
                Operation::RevealMyNumber,
                target,
                Some(checked.label_ja()),
                result,
            )
            .await?;
        Ok(resp.my_number)
    }

    /// Fetches the offline roster when the union's policy allows one (off by default) and replaces the
    /// vault's copy; erases it when the policy says no. Meant to run once a day, online.
    pub async fn refresh_roster(&self) -> Result<RosterRefresh, CounterError> {
        let token = self.ctx.token()?;
        let resp: RosterResponse = self
            .ctx
            .inner
            .client
            .send(&ep::ROSTER, &[], Some(&token), None, None)
            .await?;
        let settings = self.ctx.inner.vault.settings();
        if !resp.enabled {
            // Switching the setting off erases the roster (vault: settings::set_roster_enabled).
            settings.set_roster_enabled(false)?;
            return Ok(RosterRefresh::Disabled);
        }
        settings.set_roster_enabled(true)?;
        let entries = resp
            .entries
            .into_iter()
            .map(|r| {
                let q = match r.state {
                    QualificationState::Insured | QualificationState::LossScheduled => {
                        Qualification::Qualified
                    }
                    QualificationState::Lost
                    | QualificationState::NotInsured
                    | QualificationState::AcquisitionScheduled => Qualification::Lost,
                };
                let entry = RosterEntry::new(r.insured_number, &r.kana_key, r.birth_date, q)?;
                match (r.resident_id, &r.name, &r.kana) {
                    (Some(id), Some(name), Some(kana)) => {
                        entry.with_person(id.0, name.as_str(), kana.as_str())
                    }
                    _ => Ok(entry),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let info = self.ctx.inner.vault.roster().replace(entries, resp.as_of)?;
        Ok(RosterRefresh::Refreshed { count: info.count })
    }

    /// Looks residents up in the offline roster by カナ prefix or 被保険者番号 (for the line being down).
    pub fn roster_lookup(
        &self,
        kana: Option<&SeionKey>,
        insured_number: Option<&InsuredNumber>,
        limit: usize,
    ) -> Result<Vec<RosterAnswer>, CounterError> {
        let roster = self.ctx.inner.vault.roster();
        let Some(info) = roster.info()? else {
            return Ok(Vec::new());
        };
        let found = match (insured_number, kana) {
            (Some(n), _) => roster.find_insured_number(n)?.into_iter().collect(),
            (None, Some(k)) => roster.search_kana_prefix(k, limit)?,
            (None, None) => Vec::new(),
        };
        Ok(found
            .into_iter()
            .map(|e| RosterAnswer {
                insured_number: e.insured_number().as_str().to_owned(),
                birth_date: e.birth_date,
                state_ja: e.qualification.label_ja(),
                insured: e.qualification == Qualification::Qualified,
                as_of: info.as_of,
            })
            .collect())
    }
}
