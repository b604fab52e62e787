//! Synthetic residents and staff for training and tests. Every name is generated from syllable and kanji
//! lists: no real person's data is used.
//!
//! Per municipality the mix is: most residents 75 or older and insured (born in 大正 or 昭和), some about to
//! turn 75, some 65–74 with a 障害認定, some 65–74 not insured, some on 生活保護 (excluded), younger household
//! members born in 平成, and a few names with a 外字 placeholder 「●」. 個人番号 carry valid check digits.
//! Each resident also gets synthetic 所得情報 for the 年度 of `--as-of` ([`crate::seed_income`]): the union's
//! only income source until the file-linkage issue. The same `--seed` and `--as-of` give the same data.

use chrono::Datelike;
use madoguchi_domain::Date;
use madoguchi_domain::age::{age_on, kouki_age_date, kouki_disability_earliest};
use madoguchi_domain::eligibility::Reason;
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, MunicipalityCode, MyNumber};
use madoguchi_domain::insurance::{BurdenRatio, LimitCategory, Sex};
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_protocol::v1::{
    DocumentId, DocumentState, IssuanceRecord, IssueMethod, ResidentId, Role,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::auth::{HashCost, hash_password};
use crate::config::UnionConfig;
use crate::store::{
    Commit, DocumentRecord, QualificationRecord, ResidentRecord, StaffRecord, StoreError,
    UnionStore,
};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// 市町村コード of the municipalities to populate.
    pub municipalities: Vec<MunicipalityCode>,
    /// Residents per municipality.
    pub residents: usize,
    /// Random seed: the same seed and `as_of` give the same data.
    pub seed: u64,
    /// The day the data describes (ages and qualifications are as of this day).
    pub as_of: Date,
    /// Password hashing cost of the staff accounts (light only for tests and training, where speed matters).
    pub hash_cost: HashCost,
}

/// A training staff account (the password is for training data only and is printed on purpose).
#[derive(Debug, Clone)]
pub struct TrainingAccount {
    /// Sign-in id, `<市町村コード>-<role suffix>`.
    pub user_id: String,
    /// Known training password, derived from the user id.
    pub password: String,
    /// 氏名 shown on the terminal (`研修 …`).
    pub display_name: String,
    /// 市町村コード (municipality code) the account belongs to.
    pub municipality: MunicipalityCode,
    /// Roles granted (窓口担当, 監督者, …).
    pub roles: Vec<Role>,
    /// Whether the account may see and enter 個人番号 (My Number).
    pub my_number_permission: bool,
}

/// Counts of what was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Residents (住民) generated, insured or not.
    pub residents: usize,
    /// Households (世帯) generated.
    pub households: usize,
    /// Residents holding a 被保険者 qualification (insured) on `as_of`.
    pub insured: usize,
    /// Residents aged 74 on `as_of` who turn 75 soon (年齢到達 cases).
    pub turning_75_soon: usize,
    /// Insured aged 65–74 through a 障害認定 (disability certification).
    pub disability_insured: usize,
    /// Residents on 生活保護 (welfare), excluded from insurance.
    pub welfare: usize,
    /// Names with a 外字 placeholder 「●」.
    pub gaiji: usize,
    /// Current documents (資格確認書 / 資格情報のお知らせ) issued.
    pub documents: usize,
    /// 所得情報 records of the 年度 of `as_of` ([`crate::seed_income`]).
    pub incomes: usize,
    /// Training staff accounts written, for the training note.
    pub accounts: Vec<TrainingAccountSummary>,
}

/// An account as reported (same as [`TrainingAccount`]; kept separate so the report can be compared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingAccountSummary {
    /// Sign-in id.
    pub user_id: String,
    /// Training password.
    pub password: String,
    /// Roles as Japanese labels joined by 「・」 (for the note only, never parsed back).
    pub roles: String,
}

/// Seeding failures.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Writing to the union store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A generated value was rejected (a generator invariant broke, or no 保険者番号 for a municipality).
    #[error("generation failed: {0}")]
    Generate(String),
}

const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("渡辺", "ワタナベ"),
    ("伊藤", "イトウ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("五十嵐", "イガラシ"),
    ("星野", "ホシノ"),
    ("丸山", "マルヤマ"),
    ("長谷川", "ハセガワ"),
    ("本間", "ホンマ"),
    ("阿部", "アベ"),
    ("金子", "カネコ"),
    ("近藤", "コンドウ"),
    ("樋口", "ヒグチ"),
    ("小池", "コイケ"),
    ("大橋", "オオハシ"),
    ("白井", "シライ"),
    ("土田", "ツチダ"),
    ("関", "セキ"),
    ("風間", "カザマ"),
];

const MALE_HEADS: &[(&str, &str)] = &[
    ("正", "マサ"),
    ("和", "カズ"),
    ("義", "ヨシ"),
    ("清", "キヨ"),
    ("秀", "ヒデ"),
    ("勝", "カツ"),
    ("茂", "シゲ"),
    ("武", "タケ"),
    ("昭", "アキ"),
    ("博", "ヒロ"),
    ("幸", "ユキ"),
    ("信", "ノブ"),
    ("健", "ケン"),
    ("光", "ミツ"),
    ("俊", "トシ"),
    ("孝", "タカ"),
];
const MALE_TAILS: &[(&str, &str)] = &[
    ("夫", "オ"),
    ("雄", "オ"),
    ("男", "オ"),
    ("一", "イチ"),
    ("治", "ジ"),
    ("司", "ジ"),
    ("吉", "キチ"),
];
const FEMALE_HEADS: &[(&str, &str)] = &[
    ("春", "ハル"),
    ("文", "フミ"),
    ("良", "ヨシ"),
    ("和", "カズ"),
    ("敏", "トシ"),
    ("清", "キヨ"),
    ("光", "ミツ"),
    ("花", "ハナ"),
    ("千代", "チヨ"),
    ("道", "ミチ"),
    ("幸", "サチ"),
    ("芳", "ヨシ"),
];
const FEMALE_TAILS: &[(&str, &str)] = &[
    ("子", "コ"),
    ("江", "エ"),
    ("代", "ヨ"),
    ("枝", "エ"),
    ("", ""),
];
const TOWNS: &[&str] = &[
    "本町",
    "昭和町",
    "新町",
    "栄町",
    "緑町",
    "中央町",
    "旭町",
    "若葉町",
    "桜町",
    "東町",
    "西町",
    "上町",
];

/// Names of a few municipalities used in training; others are shown by code.
fn municipality_name(code: &MunicipalityCode) -> String {
    match code.as_str() {
        "152021" => "長岡市".into(),
        "152111" => "見附市".into(),
        "151009" => "新潟市".into(),
        other => format!("市町村{other}"),
    }
}

fn random_uuid(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn date_between(rng: &mut StdRng, from: Date, to: Date) -> Date {
    let span = (to - from).num_days().max(0);
    from + chrono::Duration::days(rng.random_range(0..=span))
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn name_for(rng: &mut StdRng, sex: Sex, surname: (&str, &str), gaiji: bool) -> (String, String) {
    let (given, given_kana) = match sex {
        Sex::Male => {
            let h = pick(rng, MALE_HEADS);
            let t = pick(rng, MALE_TAILS);
            (format!("{}{}", h.0, t.0), format!("{}{}", h.1, t.1))
        }
        Sex::Female => {
            let h = pick(rng, FEMALE_HEADS);
            let t = pick(rng, FEMALE_TAILS);
            // Some women of this generation are registered with a katakana given name.
            if t.0.is_empty() || rng.random_bool(0.1) {
                (format!("{}{}", h.1, t.1), format!("{}{}", h.1, t.1))
            } else {
                (format!("{}{}", h.0, t.0), format!("{}{}", h.1, t.1))
            }
        }
    };
    let family = if gaiji {
        // A 外字 not yet identified (同定前) is shown as 「●」.
        let mut chars: Vec<char> = surname.0.chars().collect();
        chars[0] = '●';
        chars.into_iter().collect()
    } else {
        surname.0.to_string()
    };
    (
        format!("{family}\u{3000}{given}"),
        format!("{}\u{3000}{given_kana}", surname.1),
    )
}

fn my_number(
    rng: &mut StdRng,
    used: &mut std::collections::HashSet<String>,
) -> Result<MyNumber, SeedError> {
    loop {
        let mut digits = [0u8; 11];
        for d in digits.iter_mut() {
            *d = rng.random_range(0..10);
        }
        let n =
            MyNumber::from_eleven_digits(digits).map_err(|e| SeedError::Generate(e.to_string()))?;
        if used.insert(n.reveal().to_string()) {
            return Ok(n);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Profile {
    Insured,
    Turning75,
    Disability,
    NotInsured6574,
    Welfare,
    Young,
}

fn profile(rng: &mut StdRng) -> Profile {
    match rng.random_range(0..100) {
        0..=59 => Profile::Insured,
        60..=69 => Profile::Turning75,
        70..=77 => Profile::Disability,
        78..=86 => Profile::NotInsured6574,
        87..=91 => Profile::Welfare,
        _ => Profile::Young,
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap_or(Date::MIN)
}

fn birth_for(rng: &mut StdRng, p: Profile, as_of: Date) -> Date {
    let years_ago = |y: i32| ymd(as_of.year() - y, as_of.month(), 1);
    match p {
        // 75–106: 大正 and 昭和 births.
        Profile::Insured | Profile::Welfare => {
            let taisho = rng.random_bool(0.08);
            if taisho {
                date_between(rng, ymd(1920, 1, 1), ymd(1926, 12, 24))
            } else {
                date_between(rng, ymd(1926, 12, 25), years_ago(76))
            }
        }
        // Turning 75 within the next 60 days.
        Profile::Turning75 => {
            let birthday = as_of + chrono::Duration::days(rng.random_range(1..=60));
            ymd(
                birthday.year() - 75,
                birthday.month(),
                birthday.day().min(28),
            )
        }
        Profile::Disability | Profile::NotInsured6574 => {
            date_between(rng, years_ago(74), years_ago(66))
        }
        // 平成 births: household members.
        Profile::Young => date_between(rng, ymd(1989, 1, 8), ymd(2005, 12, 31)),
    }
}

/// Training staff accounts of one municipality: a clerk with and one without the 個人番号 permission, a
/// supervisor, an administrator and two 広域連合職員.
pub fn training_accounts(municipality: &MunicipalityCode) -> Vec<TrainingAccount> {
    let m = municipality.as_str();
    let account = |suffix: &str, name: &str, roles: Vec<Role>, my_number: bool| TrainingAccount {
        user_id: format!("{m}-{suffix}"),
        password: format!("kensyu-{m}-{suffix}"),
        display_name: format!("研修 {name}"),
        municipality: *municipality,
        roles,
        my_number_permission: my_number,
    };
    vec![
        account("clerk", "窓口担当", vec![Role::Clerk], true),
        account(
            "clerk2",
            "窓口担当（個人番号権限なし）",
            vec![Role::Clerk],
            false,
        ),
        account(
            "supervisor",
            "監督者",
            vec![Role::Clerk, Role::Supervisor],
            true,
        ),
        account("admin", "情報システム管理者", vec![Role::Admin], false),
        // 広域連合職員: one creates a distribution, the other approves it (four-eyes). They sign in on a
        // terminal of this municipality in training; in production on the union office's own terminal.
        account(
            "union-staff1",
            "広域連合職員1",
            vec![Role::UnionStaff],
            false,
        ),
        account(
            "union-staff2",
            "広域連合職員2",
            vec![Role::UnionStaff],
            false,
        ),
    ]
}

/// Writes the training staff accounts (overwriting their passwords and unlocking them).
pub fn seed_staff(
    store: &dyn UnionStore,
    municipality: &MunicipalityCode,
    cost: HashCost,
) -> Result<Vec<TrainingAccount>, SeedError> {
    let accounts = training_accounts(municipality);
    for a in &accounts {
        let hash = hash_password(&a.password, cost).map_err(SeedError::Generate)?;
        store.put_staff(&StaffRecord {
            user_id: a.user_id.clone(),
            display_name: a.display_name.clone(),
            municipality: a.municipality,
            roles: a.roles.clone(),
            my_number_permission: a.my_number_permission,
            password_hash: hash,
            failed_attempts: 0,
            locked_until: None,
            disabled: false,
            grants: Vec::new(),
            must_change_password: None,
            password_changed_at: Some(chrono::Utc::now()),
            password_history: Vec::new(),
            revoked_at: None,
            scope: crate::accounts::scope_of_roles(&a.roles).unwrap_or_default(),
        })?;
    }
    Ok(accounts)
}

fn roles_text(roles: &[Role], my_number: bool) -> String {
    let mut s: Vec<&str> = roles.iter().map(|r| r.label_ja()).collect();
    if my_number {
        s.push("個人番号");
    }
    s.join("・")
}

/// Generates residents, their households, qualifications and current documents, and the staff accounts.
pub fn seed(
    store: &dyn UnionStore,
    config: &UnionConfig,
    options: &SeedOptions,
) -> Result<SeedReport, SeedError> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut report = SeedReport::default();
    let mut used_numbers = std::collections::HashSet::new();
    for municipality in &options.municipalities {
        let prefecture = municipality.prefecture().name_ja().to_string();
        let city = municipality_name(municipality);
        let insurer = config
            .insurer_number(municipality)
            .ok_or_else(|| SeedError::Generate("no insurer number".into()))?;
        let mut addressee_serial: u64 = 1_000_000_001;
        let mut household_serial: u64 = 5_000_000_001;
        let mut made = 0;
        while made < options.residents {
            // A household: one person, or an elderly couple at one address.
            let size = if rng.random_bool(0.3) { 2 } else { 1 }.min(options.residents - made);
            let household = HouseholdNumber::parse(&household_serial.to_string())
                .map_err(|e| SeedError::Generate(e.to_string()))?;
            household_serial += 1;
            report.households += 1;
            let surname = *pick(&mut rng, SURNAMES);
            let address = format!(
                "{prefecture}{city}{}{}丁目{}番{}号",
                pick(&mut rng, TOWNS),
                rng.random_range(1..=5),
                rng.random_range(1..=30),
                rng.random_range(1..=20)
            );
            let first_sex = if rng.random_bool(0.5) {
                Sex::Male
            } else {
                Sex::Female
            };
            let mut commit = Commit::default();
            for member in 0..size {
                let sex = match (member, first_sex) {
                    (0, s) => s,
                    (_, Sex::Male) => Sex::Female,
                    (_, Sex::Female) => Sex::Male,
                };
                let p = profile(&mut rng);
                let birth = birth_for(&mut rng, p, options.as_of);
                let gaiji = rng.random_bool(0.03);
                let (name, kana) = name_for(&mut rng, sex, surname, gaiji);
                let name =
                    PersonName::parse(&name).map_err(|e| SeedError::Generate(e.to_string()))?;
                let kana =
                    KanaName::parse(&kana).map_err(|e| SeedError::Generate(e.to_string()))?;
                let addressee = AddresseeNumber::parse(&addressee_serial.to_string())
                    .map_err(|e| SeedError::Generate(e.to_string()))?;
                addressee_serial += 1;
                let burden_ratio = match rng.random_range(0..100) {
                    0..=74 => BurdenRatio::One,
                    75..=91 => BurdenRatio::Two,
                    _ => BurdenRatio::Three,
                };
                let mut r = ResidentRecord {
                    id: ResidentId(random_uuid(&mut rng)),
                    municipality: *municipality,
                    addressee,
                    household: household.clone(),
                    name,
                    kana,
                    birth_date: birth,
                    sex,
                    address: address.clone(),
                    mailing_address: None,
                    my_number: Some(my_number(&mut rng, &mut used_numbers)?),
                    on_welfare: p == Profile::Welfare,
                    disability_certified_on: None,
                    mynumber_health_card: rng.random_bool(0.6),
                    moved_in_on: None,
                    moved_out_on: None,
                    died_on: None,
                    burden_ratio,
                    limit_category: if rng.random_bool(0.05) {
                        Some(*pick(&mut rng, &LimitCategory::ALL))
                    } else {
                        None
                    },
                    long_term_hospitalization_on: None,
                    insured_number: None,
                    qualification: None,
                    documents: Vec::new(),
                    burden_assessment: None,
                    history: Vec::new(),
                    disability_review: None,
                    specific_disease: None,
                };
                let acquired = match p {
                    Profile::Insured => kouki_age_date(birth),
                    Profile::Disability => {
                        let earliest = kouki_disability_earliest(birth).unwrap_or(birth);
                        let certified = date_between(
                            &mut rng,
                            earliest,
                            options.as_of - chrono::Duration::days(30),
                        );
                        r.disability_certified_on = Some(certified);
                        Some(certified)
                    }
                    _ => None,
                };
                if let Some(from) = acquired.filter(|d| *d <= options.as_of) {
                    let number = store.allocate_insured_number()?;
                    r.insured_number = Some(number.clone());
                    r.qualification = Some(QualificationRecord {
                        insured_number: number.clone(),
                        acquired_on: from,
                        lost_on: None,
                        reason: if p == Profile::Disability {
                            Reason::DisabilityCertified
                        } else {
                            Reason::Age75
                        },
                    });
                    // The current document from the last annual renewal (8/1), mailed in July.
                    let renewal_year = if options.as_of.month() >= 8 {
                        options.as_of.year()
                    } else {
                        options.as_of.year() - 1
                    };
                    let valid_from = ymd(renewal_year, 8, 1).max(from);
                    if let Some(kind) = config.document_for(valid_from, r.mynumber_health_card) {
                        let issue_date = ymd(renewal_year, 7, 15).min(valid_from);
                        let d = DocumentRecord {
                            id: DocumentId(random_uuid(&mut rng)),
                            resident_id: r.id,
                            municipality: *municipality,
                            kind,
                            insured_number: number,
                            insurer_number: insurer.clone(),
                            name: r.name.clone(),
                            kana: r.kana.clone(),
                            birth_date: birth,
                            sex,
                            acquired_on: from,
                            valid_from,
                            valid_until: config.valid_until(valid_from),
                            issue_date,
                            burden_ratio: r.burden_ratio,
                            limit_category: r.limit_category,
                            long_term_hospitalization_on: None,
                            mailing_address: None,
                            specific_disease: None,
                            state: DocumentState::Issued,
                            issuance: Some(IssuanceRecord {
                                issued_on: issue_date,
                                method: IssueMethod::Mail,
                                identity_documents: Vec::new(),
                                recorded_by: "seed".into(),
                            }),
                            returned: None,
                        };
                        r.documents.push(d.id);
                        commit.documents.push(d);
                        report.documents += 1;
                    }
                    report.insured += 1;
                    if p == Profile::Disability {
                        report.disability_insured += 1;
                    }
                }
                if p == Profile::Turning75 && age_on(birth, options.as_of) == Some(74) {
                    report.turning_75_soon += 1;
                }
                if p == Profile::Welfare {
                    report.welfare += 1;
                }
                if r.name.has_gaiji() {
                    report.gaiji += 1;
                }
                commit.residents.push(r);
                made += 1;
                report.residents += 1;
            }
            store.commit(commit)?;
        }
        report.incomes += crate::seed_income::seed_incomes(
            store,
            municipality,
            crate::seed_income::seed_year(options.as_of),
            options.seed,
        )?;
        for a in seed_staff(store, municipality, options.hash_cost)? {
            report.accounts.push(TrainingAccountSummary {
                roles: roles_text(&a.roles, a.my_number_permission),
                user_id: a.user_id,
                password: a.password,
            });
        }
    }
    store.flush()?;
    Ok(report)
}

/// The training note written next to the data and printed by `seed`.
pub fn training_note(report: &SeedReport) -> String {
    let mut s = String::from(
        "# 研修用職員アカウント (training staff accounts)\n\n\
         These accounts and passwords exist only in synthetic training data generated by\n\
         `madoguchi-union seed`. Never use them with real data.\n\n\
         | user id | password | roles |\n|---|---|---|\n",
    );
    for a in &report.accounts {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            a.user_id, a.password, a.roles
        ));
    }
    s.push_str(&format!(
        "\nResidents: {} in {} households; insured {}, of whom by 障害認定 {}; turning 75 within 60 days {}; \
         生活保護 {}; names with 外字 「●」 {}; current documents {}; synthetic income records {}.\n",
        report.residents,
        report.households,
        report.insured,
        report.disability_insured,
        report.turning_75_soon,
        report.welfare,
        report.gaiji,
        report.documents,
        report.incomes
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ResidentQuery, SledStore};

    fn options(seed: u64) -> SeedOptions {
        SeedOptions {
            municipalities: vec!["152111".parse().unwrap(), "152021".parse().unwrap()],
            residents: 120,
            seed,
            as_of: ymd(2026, 11, 21),
            hash_cost: HashCost {
                memory_kib: 256,
                iterations: 1,
            },
        }
    }

    fn run(seed: u64) -> (tempfile::TempDir, SledStore, SeedReport) {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let config = UnionConfig::default_for("研修広域連合");
        let report = seed_fn(&store, &config, &options(seed));
        (dir, store, report)
    }

    fn seed_fn(store: &SledStore, config: &UnionConfig, o: &SeedOptions) -> SeedReport {
        seed(store, config, o).unwrap()
    }

    #[test]
    fn mix_is_as_promised() {
        let (_dir, store, report) = run(7);
        assert_eq!(report.residents, 240);
        assert!(report.insured > 100, "{report:?}");
        assert!(report.turning_75_soon > 5, "{report:?}");
        assert!(report.disability_insured > 5, "{report:?}");
        assert!(report.welfare > 3, "{report:?}");
        assert!(report.gaiji > 0, "{report:?}");
        assert_eq!(report.accounts.len(), 12);
        // Searching by birth date finds the residents of one municipality only.
        let m: MunicipalityCode = "152111".parse().unwrap();
        let kana = KanaName::parse("サ").unwrap().seion_key();
        let (found, _) = store
            .search_residents(
                &m,
                &ResidentQuery {
                    kana_prefix: Some(kana),
                    ..Default::default()
                },
                500,
            )
            .unwrap();
        assert!(!found.is_empty());
        assert!(found.iter().all(|r| r.municipality == m));
        assert!(
            found
                .iter()
                .all(|r| r.kana.as_str().starts_with('サ') || r.kana.as_str().starts_with('ザ'))
        );
    }

    #[test]
    fn no_personal_data_in_plaintext_on_disk() {
        let (dir, store, _) = run(9);
        let m: MunicipalityCode = "152111".parse().unwrap();
        let q = ResidentQuery {
            kana_prefix: Some(KanaName::parse("サ").unwrap().seion_key()),
            ..Default::default()
        };
        let (found, _) = store.search_residents(&m, &q, 5).unwrap();
        assert!(!found.is_empty());
        store.flush().unwrap();
        drop(store);
        let mut bytes = Vec::new();
        for entry in walk(dir.path()) {
            bytes.extend(std::fs::read(entry).unwrap());
        }
        let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        for r in &found {
            for needle in [
                r.name.as_str(),
                r.kana.as_str(),
                r.address.as_str(),
                r.addressee.as_str(),
                r.my_number.as_ref().unwrap().reveal(),
            ] {
                assert!(!contains(needle), "plaintext personal data on disk");
            }
            if let Some(n) = &r.insured_number {
                assert!(!contains(n.as_str()));
            }
        }
        // The check itself finds what is there: staff records are plain.
        assert!(contains("152111-clerk"));
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn same_seed_same_data() {
        let (_d1, s1, r1) = run(42);
        let (_d2, s2, r2) = run(42);
        let (_d3, s3, _r3) = run(43);
        assert_eq!(r1, r2);
        let m: MunicipalityCode = "152021".parse().unwrap();
        let q = ResidentQuery {
            birth_date: None,
            kana_prefix: Some(KanaName::parse("ア").unwrap().seion_key()),
            insured_number: None,
        };
        let a: Vec<_> = s1
            .search_residents(&m, &q, 500)
            .unwrap()
            .0
            .into_iter()
            .map(|r| (r.id, r.kana))
            .collect();
        let b: Vec<_> = s2
            .search_residents(&m, &q, 500)
            .unwrap()
            .0
            .into_iter()
            .map(|r| (r.id, r.kana))
            .collect();
        assert_eq!(a, b);
        let c: Vec<_> = s3
            .search_residents(&m, &q, 500)
            .unwrap()
            .0
            .into_iter()
            .map(|r| (r.id, r.kana))
            .collect();
        assert_ne!(a, c, "another seed gives other data");
    }
}
