//! `madoguchi-admin`: the administrators' command-line tool (情報システム管理者).
//!
//! Its interface is stable: scripts rely on the subcommands, their arguments, what they print on the first
//! line of stdout and their exit codes (0 success, 1 refused input or failed check, 2 usage error).
//! It must never print personal data it was not asked to show, and never write it to a log.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod check;
mod eligibility;
mod enroll;
mod files;
mod media;
mod money_rules;
mod print_sample;
mod release;
mod wareki;

#[derive(Parser)]
#[command(
    name = "madoguchi-admin",
    version,
    about = "Madoguchi 窓口端末 — 管理者用コマンド"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checks an identifier and its check digit (番号の検査).
    Check(check::Args),
    /// Converts between 和暦 and 西暦 (YYYY-MM-DD).
    Wareki(wareki::Args),
    /// Decides eligibility on a day, as the union server would (資格判定).
    Eligibility(eligibility::Args),
    /// Renders a synthetic sample of a document layout to a PDF (帳票の見本).
    PrintSample(print_sample::Args),
    /// Audit trail tools (監査ログ).
    #[command(subcommand)]
    Audit(audit::Command),
    /// 負担割合 of each insured member of a household on a day (one line each: 1割, 2割 or 3割).
    BurdenRatio(money_rules::BurdenArgs),
    /// Annual 保険料 (後期, per insured member) or 保険税/保険料 (国保, per household) from a rate table.
    Premium(money_rules::PremiumArgs),
    /// Enrols this terminal with the union (端末登録): key made here and kept with the OS keyring.
    Enroll(enroll::Args),
    /// オンラインファイル連携: checks a municipal file against its layout (確認リスト).
    #[command(subcommand)]
    Files(files::Command),
    /// 電子媒体: scans a medium folder with ClamAV and prints its 媒体管理簿 entry.
    #[command(subcommand)]
    Media(media::Command),
    /// 更新プログラムの署名 (offline, on the signing machine): release key pair and package signatures.
    #[command(subcommand)]
    Release(release::Command),
}

/// What a subcommand ends with: text for stdout, or a refusal for stderr.
pub(crate) enum Outcome {
    Ok(String),
    /// A report printed on stdout that found problems (exit 1).
    Findings(String),
    Refused {
        ja: String,
        en: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Wareki(a) => wareki::run(&a),
        Command::Eligibility(a) => eligibility::run(&a),
        Command::Audit(c) => audit::run(&c),
        Command::PrintSample(a) => print_sample::run(&a),
        Command::Enroll(a) => enroll::run(a),
        Command::BurdenRatio(a) => money_rules::run_burden(&a),
        Command::Premium(a) => money_rules::run_premium(&a),
        Command::Files(c) => files::run(&c),
        Command::Media(c) => media::run(&c),
        Command::Release(c) => release::run(&c),
    };
    match outcome {
        Outcome::Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Outcome::Findings(text) => {
            println!("{text}");
            ExitCode::from(1)
        }
        Outcome::Refused { ja, en } => {
            eprintln!("エラー: {ja}");
            eprintln!("error: {en}");
            ExitCode::from(1)
        }
    }
}

impl Outcome {
    pub(crate) fn refused<E: std::fmt::Display + madoguchi_domain::StaffMessage>(e: &E) -> Self {
        Outcome::Refused {
            ja: e.message_ja(),
            en: e.to_string(),
        }
    }
}
