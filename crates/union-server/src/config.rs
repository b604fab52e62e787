//! The union's configuration (`union.toml` in the data directory): its name, the dated document policy, the
//! validity rule of documents and the sign-in rules.
//!
//! Which document a person receives is a dated policy of the union, so it is configuration, not code
//! (BRIEF "Documents as of 2026"; domain-anchors §1.6): from 2024-12-02 every 後期 insured gets a 資格確認書
//! (暫定運用, extended to 2026-07-31); from 2026-08-01 マイナ保険証 holders get a 資格情報のお知らせ and the
//! others a 資格確認書.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Months};
use madoguchi_domain::Date;
use madoguchi_domain::ids::{InsurerNumber, MunicipalityCode};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind};
use serde::{Deserialize, Serialize};

/// Errors reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file (or the data directory that holds it) could not be read or created.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file or directory.
        path: String,
        /// The operating system's error text.
        message: String,
    },
    /// The file does not parse, or a value breaks a rule checked at load (e.g. an empty 広域連合名).
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// One dated rule: from `from` on, holders of a マイナ保険証 get `holders`, everyone else `others`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRule {
    /// First day the rule applies.
    pub from: Date,
    /// Document for holders of a マイナ保険証 (e.g. 資格情報のお知らせ from 2026-08-01).
    pub holders: DocumentKind,
    /// Document for everyone else (資格確認書).
    pub others: DocumentKind,
}

/// How long a document is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityRule {
    /// The 有効期限 is the next occurrence of this month/day on or after the 発効期日 (annual renewal on 8/1,
    /// so 7/31 by default).
    pub until_month: u32,
    /// Day of `until_month` on which documents end.
    pub until_day: u32,
    /// Never longer than this many years (資格確認書: ≤ 5 years, MHLW).
    pub max_years: u32,
}

impl Default for ValidityRule {
    fn default() -> Self {
        ValidityRule {
            until_month: 7,
            until_day: 31,
            max_years: 5,
        }
    }
}

/// Staff sign-in rules. The seeds require personal IDs and passwords but give no numbers (elderly.md §4.1);
/// these defaults are ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthRule {
    /// Consecutive failures before the account locks.
    pub max_failures: u32,
    /// Lock duration.
    pub lockout_minutes: u32,
    /// Session idle timeout.
    pub session_idle_minutes: u32,
    /// Argon2 verifications running at once (each takes ~19 MiB and one core for a fraction of a second);
    /// further attempts wait for a turn instead of starving the decisions.
    #[serde(default = "default_concurrent_hashes")]
    pub max_concurrent_hashes: u32,
    /// Password attempts one terminal certificate may make per minute (sign-in, re-authentication,
    /// supervisor approval), refilled continuously; beyond it the terminal is told to wait (429).
    #[serde(default = "default_attempts_per_minute")]
    pub attempts_per_terminal_per_minute: u32,
    /// How many attempts a terminal may make at once before the per-minute rate applies.
    #[serde(default = "default_attempts_burst")]
    pub attempts_per_terminal_burst: u32,
}

fn default_concurrent_hashes() -> u32 {
    4
}
/// Two a second: far above what staff at one terminal type, far below a flood.
fn default_attempts_per_minute() -> u32 {
    120
}
/// A morning's sign-ins of a whole counter at once, or a test's 64 parallel guesses.
fn default_attempts_burst() -> u32 {
    100
}

impl Default for AuthRule {
    fn default() -> Self {
        AuthRule {
            max_failures: 5,
            lockout_minutes: 15,
            session_idle_minutes: 30,
            max_concurrent_hashes: default_concurrent_hashes(),
            attempts_per_terminal_per_minute: default_attempts_per_minute(),
            attempts_per_terminal_burst: default_attempts_burst(),
        }
    }
}

/// `[retention]`: what the server removes once it is no longer needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionRule {
    /// Days an idempotency record is kept after its decision. After that a replay of the same key would
    /// be decided again, so this must be longer than any terminal's queue can wait: a terminal keeps its
    /// queue through a weekend or 年末年始 (offline sign-in allows 96 h), so the default, 90 days, leaves a
    /// wide margin. 0 = keep forever.
    pub idempotency_days: u32,
    /// Days the server's own audit trail (操作記録) is kept. The seeds leave the period to each union's
    /// 文書管理規程; the default, 2,557 days (7 years), outlasts the usual 5-year retention of such records.
    /// 0 = keep forever. The decision ledger and the terminals' audit chains are never removed.
    pub audit_days: u32,
}

impl Default for RetentionRule {
    fn default() -> Self {
        RetentionRule {
            idempotency_days: 90,
            audit_days: 2557,
        }
    }
}

impl RetentionRule {
    fn cutoff(
        days: u32,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        (days > 0).then(|| now - chrono::Duration::days(i64::from(days)))
    }
    /// Idempotency records decided before this are removed (`None`: keep).
    pub fn idempotency_cutoff(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        Self::cutoff(self.idempotency_days, now)
    }
    /// Audit entries before this are removed (`None`: keep).
    pub fn audit_cutoff(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        Self::cutoff(self.audit_days, now)
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnionConfig {
    /// 広域連合名, printed as 保険者の名称.
    pub union_name: String,
    /// Dated document rules; the latest whose `from` is on or before the day applies.
    pub document_rules: Vec<DocumentRule>,
    /// How the 有効期限 of a document is set.
    #[serde(default)]
    pub validity: ValidityRule,
    /// Sign-in rules: lockout, session idle timeout, password attempt limits.
    #[serde(default)]
    pub auth: AuthRule,
    /// Password policy (length, reuse, expiry); see `crate::accounts::PasswordPolicy` for the why.
    #[serde(default)]
    pub password: crate::accounts::PasswordPolicy,
    /// 一部負担金の割合 used when the union has no income data for the person yet (e.g. just moved in).
    #[serde(default = "default_ratio")]
    pub default_burden_ratio: BurdenRatio,
    /// 保険者番号 per municipality (後期: one per 市町村). Missing ones are derived from the municipality
    /// code: 39 + prefecture + its 3 digits + check digit.
    #[serde(default)]
    pub insurer_numbers: BTreeMap<String, InsurerNumber>,
    /// A training (研修) server: documents carry `sample = true` (見本).
    #[serde(default)]
    pub training: bool,
    /// Union policy: terminals may keep an offline roster (id, 氏名, カナ, 被保険者番号, birth date, state — no
    /// address, no 個人番号), refreshed daily, to answer "is this person insured?" while the line is down.
    #[serde(default)]
    pub offline_roster: bool,
    /// Union policy: a reprint or correction of an issued document needs a 監督者's approval first
    /// (four-eyes; K:3697–3698 has a second person confirm every input, correction or deletion).
    #[serde(default)]
    pub reprint_needs_supervisor: bool,
    /// How long idempotency records and the server's audit trail are kept.
    #[serde(default)]
    pub retention: RetentionRule,
    /// Directory of the union's 後期 料率表 (one file per 年度, schema in `crates/rules/README.md`; a relative
    /// path is taken from the data directory). Absent: a training server uses the shipped training tables
    /// (`assets/rates/kouki-training-*.toml`), any other server has none and refuses the 負担割合 判定 and
    /// the 保険料 file until one is configured. See [`crate::rates`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates_dir: Option<std::path::PathBuf>,
    /// Terminal enrolment listener (端末登録); absent = no enrolment over the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment: Option<EnrolmentConfig>,
}

/// `[enrolment]`: where terminals enrol with a one-time code (server-authenticated TLS, no client
/// certificate), and the API endpoint handed to an enrolled terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentConfig {
    /// Address and port of the enrolment listener, e.g. `"0.0.0.0:8444"`.
    pub listen: std::net::SocketAddr,
    /// The mutual-TLS API endpoint as terminals reach it, e.g. `"https://union.example.lg.jp:8443"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<String>,
}

/// Comment written at the top of `union.toml`.
const TOML_HEADER: &str = "\
# union.toml — configuration of the union (広域連合) server.
#
# [auth]     max_failures consecutive wrong passwords lock the account for lockout_minutes (the lockout is
#            written to the union's audit trail); sessions end after session_idle_minutes without a request.
# [password] The seeds require personal IDs and passwords, no reuse and a maximum validity but give no
#            figures. Defaults follow NIST SP 800-63B: min_chars = 12 and no composition rules (no forced
#            mix of digits and symbols), max_chars = 128 so passphrases fit, a blocklist of common passwords
#            (extend it with `blocklist`), history = 5 (the last passwords cannot be used again), and
#            max_age_days = 365: the assessments state a maximum validity (N:3896, 3981), NIST advises
#            against frequent forced changes, so the period is long; 0 switches expiry off.
#            New accounts and administrator resets must change their password at the next sign-in.
# [retention] idempotency_days (default 90) must outlast any terminal's offline queue; audit_days
#            (default 2557, 7 years) follows the union's 文書管理規程; 0 keeps forever.

";

fn default_ratio() -> BurdenRatio {
    BurdenRatio::One
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap_or(Date::MIN)
}

impl UnionConfig {
    /// The configuration a fresh data directory gets: the national 後期 policy as of 2026.
    pub fn default_for(union_name: &str) -> Self {
        UnionConfig {
            union_name: union_name.to_string(),
            document_rules: vec![
                // 暫定運用: 資格確認書 for everyone in 後期 (2024-12-02 .. 2026-07-31).
                DocumentRule {
                    from: date(2024, 12, 2),
                    holders: DocumentKind::ShikakuKakuninsho,
                    others: DocumentKind::ShikakuKakuninsho,
                },
                // From 2026-08-01: 資格情報のお知らせ for マイナ保険証 holders.
                DocumentRule {
                    from: date(2026, 8, 1),
                    holders: DocumentKind::ShikakuJohoOshirase,
                    others: DocumentKind::ShikakuKakuninsho,
                },
            ],
            validity: ValidityRule::default(),
            auth: AuthRule::default(),
            password: crate::accounts::PasswordPolicy::default(),
            default_burden_ratio: BurdenRatio::One,
            insurer_numbers: BTreeMap::new(),
            training: false,
            offline_roster: false,
            reprint_needs_supervisor: false,
            retention: RetentionRule::default(),
            rates_dir: None,
            enrolment: None,
        }
    }

    /// Reads and checks a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let config: UnionConfig =
            toml::from_str(&text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// The configuration as TOML, with a header that says why the sign-in and password rules are what
    /// they are (the file is read by the union's administrators).
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!("{TOML_HEADER}{body}")
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.union_name.trim().is_empty() {
            return Err(ConfigError::Invalid("union_name is empty".into()));
        }
        if self.document_rules.is_empty() {
            return Err(ConfigError::Invalid("document_rules is empty".into()));
        }
        for rule in &self.document_rules {
            for kind in [rule.holders, rule.others] {
                if !kind.issuable_on(rule.from) {
                    return Err(ConfigError::Invalid(format!(
                        "{} cannot be issued from {}",
                        kind.name_ja(),
                        rule.from
                    )));
                }
            }
        }
        let v = &self.validity;
        if v.max_years == 0 || v.max_years > 5 {
            return Err(ConfigError::Invalid(
                "validity.max_years must be 1..=5".into(),
            ));
        }
        if Date::from_ymd_opt(2001, v.until_month, v.until_day).is_none() {
            return Err(ConfigError::Invalid(
                "validity.until_month/until_day is not a day".into(),
            ));
        }
        if self.auth.max_failures == 0 || self.auth.session_idle_minutes == 0 {
            return Err(ConfigError::Invalid("auth values must be positive".into()));
        }
        let p = &self.password;
        if p.min_chars < 8 || p.max_chars < 64 || p.min_chars > p.max_chars || p.history > 24 {
            return Err(ConfigError::Invalid(
                "password: min_chars must be at least 8 (NIST SP 800-63B), max_chars at least 64 and not below min_chars, history at most 24".into(),
            ));
        }
        Ok(())
    }

    /// The document a person gets on `on`, by whether they hold a マイナ保険証. `None` before the first rule.
    pub fn document_for(&self, on: Date, mynumber_health_card: bool) -> Option<DocumentKind> {
        self.document_rules
            .iter()
            .filter(|r| r.from <= on)
            .max_by_key(|r| r.from)
            .map(|r| {
                if mynumber_health_card {
                    r.holders
                } else {
                    r.others
                }
            })
    }

    /// The 有効期限 of a document that takes effect on `from`: the next configured month/day (7/31) on or
    /// after `from`, capped at `max_years`.
    pub fn valid_until(&self, from: Date) -> Date {
        let v = &self.validity;
        let this_year = Date::from_ymd_opt(from.year(), v.until_month, v.until_day);
        let next = match this_year {
            Some(d) if d >= from => d,
            _ => Date::from_ymd_opt(from.year() + 1, v.until_month, v.until_day).unwrap_or(from),
        };
        let cap = from
            .checked_add_months(Months::new(v.max_years * 12))
            .and_then(|d| d.pred_opt())
            .unwrap_or(next);
        next.min(cap)
    }

    /// The 保険者番号 for a municipality.
    pub fn insurer_number(&self, municipality: &MunicipalityCode) -> Option<InsurerNumber> {
        if let Some(n) = self.insurer_numbers.get(municipality.as_str()) {
            return Some(n.clone());
        }
        let insurer: u16 = municipality.as_str().get(2..5)?.parse().ok()?;
        InsurerNumber::kouki(municipality.prefecture(), insurer).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn document_policy_by_date() {
        let c = UnionConfig::default_for("テスト広域連合");
        assert_eq!(c.document_for(d(2024, 12, 1), false), None);
        assert_eq!(
            c.document_for(d(2024, 12, 2), true),
            Some(DocumentKind::ShikakuKakuninsho)
        );
        assert_eq!(
            c.document_for(d(2026, 7, 31), true),
            Some(DocumentKind::ShikakuKakuninsho)
        );
        assert_eq!(
            c.document_for(d(2026, 8, 1), true),
            Some(DocumentKind::ShikakuJohoOshirase)
        );
        assert_eq!(
            c.document_for(d(2026, 8, 1), false),
            Some(DocumentKind::ShikakuKakuninsho)
        );
    }

    #[test]
    fn validity_is_next_july_31() {
        let c = UnionConfig::default_for("x");
        assert_eq!(c.valid_until(d(2026, 11, 21)), d(2027, 7, 31));
        assert_eq!(c.valid_until(d(2026, 7, 31)), d(2026, 7, 31));
        assert_eq!(c.valid_until(d(2026, 8, 1)), d(2027, 7, 31));
        let mut long = c.clone();
        long.validity.until_month = 7;
        long.validity.max_years = 1;
        assert_eq!(long.valid_until(d(2026, 8, 1)), d(2027, 7, 31));
    }

    #[test]
    fn toml_round_trip_and_checks() {
        let c = UnionConfig::default_for("新潟県後期高齢者医療広域連合");
        let text = c.to_toml();
        let back: UnionConfig = toml::from_str(&text).unwrap();
        assert_eq!(back, c);
        let mut bad = c.clone();
        bad.document_rules[0].holders = DocumentKind::Hihokenshasho;
        assert!(bad.check().is_err());
        let mut bad = c;
        bad.validity.max_years = 6;
        assert!(bad.check().is_err());
    }

    #[test]
    fn insurer_number_derived_from_municipality() {
        let c = UnionConfig::default_for("x");
        let m: MunicipalityCode = "152111".parse().unwrap();
        let n = c.insurer_number(&m).unwrap();
        assert!(n.as_str().starts_with("3915211"));
        assert!(n.is_kouki());
    }
}
