//! The offline roster: off unless the union's policy allows it; when allowed, refreshed from the union and
//! answering "is this person insured?" by カナ or 被保険者番号 while the line is down — with nothing more
//! than 被保険者番号, 生年月日 and state.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use madoguchi_counter::RosterRefresh;
use madoguchi_domain::kana::seion_key;
use madoguchi_link::LineState;
use std::time::Duration;

use madoguchi_system_tests::{eventually, insured_residents, start, start_with};
use madoguchi_union_server::training::TrainingOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_follows_the_union_policy() {
    // Policy off (the default): nothing is kept.
    let rig = start().await;
    let clerk = rig
        .union
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with("-clerk"))
        .expect("clerk");
    rig.counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
    assert_eq!(
        rig.counter.search().refresh_roster().await.expect("asked"),
        RosterRefresh::Disabled
    );
    assert!(!rig.vault.settings().roster_enabled().expect("setting"));
    rig.background.abort();
    rig.union.shutdown().await;

    // Policy on.
    let rig = start_with(TrainingOptions {
        offline_roster: true,
        ..TrainingOptions::default()
    })
    .await;
    let counter = &rig.counter;
    let clerk = rig
        .union
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with("-clerk"))
        .expect("clerk");
    counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
    // The counter refreshes the roster by itself once someone signs in.
    let vault = rig.vault.clone();
    eventually(
        Duration::from_secs(10),
        "the roster refreshed after sign-in",
        || matches!(vault.roster().info(), Ok(Some(info)) if info.count > 0),
    )
    .await;
    let RosterRefresh::Refreshed { count } =
        counter.search().refresh_roster().await.expect("refreshed")
    else {
        panic!("the policy allows a roster");
    };
    assert!(count > 0);

    // Someone insured, found online first.
    let someone = insured_residents(counter, 1)
        .await
        .pop()
        .expect("an insured resident in the training data");
    let number = someone
        .insured_number
        .clone()
        .expect("insured residents have a number");

    // The line goes down: the roster still answers.
    counter.simulate_line_failure(true);
    assert_eq!(counter.line_state(), LineState::Offline);
    let by_number = counter
        .search()
        .roster_lookup(None, Some(&number), 10)
        .expect("lookup");
    assert_eq!(by_number.len(), 1);
    assert!(by_number[0].insured);
    assert_eq!(by_number[0].birth_date, someone.birth_date);
    let key = seion_key(someone.kana.as_str()).expect("kana");
    let by_kana = counter
        .search()
        .roster_lookup(Some(&key), None, 50)
        .expect("lookup");
    assert!(by_kana.iter().any(|a| a.insured_number == number.as_str()));
    // Minimal content: the answer type has no name or address to leak.
    let json = serde_json_value(&by_kana[0]);
    assert!(json.get("name").is_none() && json.get("address").is_none());

    rig.background.abort();
    rig.union.shutdown().await;
}

fn serde_json_value<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("serialisable")
}
