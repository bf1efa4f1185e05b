//! The decisions against tables in memory: seats in arrival order, repeats, idempotency keys,
//! the per-address limit and email confirmation. (The same paths against SQLite and PostgreSQL,
//! under concurrency, are in the integration tests.)

use super::*;
use crate::registrations::fake::{event, labels, request, rules, tables, NOW};

/// (status, waitlist position, a manage link was handed out) of each new registration.
fn created(outcomes: &[Outcome]) -> Vec<(RegistrationStatus, Option<i64>, bool)> {
    outcomes
        .iter()
        .map(|o| match o {
            Ok(Registered::Created(s)) => (s.status, s.waitlist_position, s.manage_token.is_some()),
            other => panic!("not created: {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn seats_go_in_arrival_order_then_the_waitlist_and_counters_are_written_once() {
    let mut t = tables([event("e1", Some(2), true), event("e2", Some(1), false)]);
    let batch: Vec<Pending> = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
        .iter()
        .map(|e| request("e1", e, None, None))
        .collect();
    let outcomes = decide_batch(&mut t, &rules(20), &batch, NOW).await.unwrap();
    use RegistrationStatus::{Registered as R, Waitlisted as W};
    assert_eq!(
        created(&outcomes),
        [(R, None, true), (R, None, true), (W, Some(1), true), (W, Some(2), true)]
    );
    let e1 = &t.events["e1"];
    assert_eq!((e1.registered_count, e1.waitlisted_count, e1.next_waitlist_seq), (2, 2, 3));
    assert_eq!(t.counts_saved["e1"], 1, "one write of the counters for the batch");
    assert_eq!(labels(&t), ["confirmation", "confirmation", "waitlisted", "waitlisted"]);

    // Without a waitlist, the one past capacity is refused and nothing is written for them.
    let batch = [request("e2", "a@x.org", None, None), request("e2", "b@x.org", None, None)];
    let outcomes = decide_batch(&mut t, &rules(20), &batch, NOW).await.unwrap();
    assert!(
        matches!(outcomes[1], Err(RegisterError::Refused(Refusal::Full))),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(t.events["e2"].registered_count, 1);
    assert_eq!(t.registrations.iter().filter(|(r, _, _)| r.event_id == "e2").count(), 1);
}

#[tokio::test]
async fn the_same_address_again_gets_the_existing_registration_and_its_details_at_most_every_ten_minutes() {
    let mut t = tables([event("e1", Some(5), false)]);
    let batch = [request("e1", "ada@x.org", None, None), request("e1", "ADA@x.org", None, None)];
    let outcomes = decide_batch(&mut t, &rules(20), &batch, NOW).await.unwrap();
    let Ok(Registered::Existing { status, .. }) = &outcomes[1] else {
        panic!("{:?}", outcomes[1])
    };
    assert_eq!(*status, RegistrationStatus::Registered);
    assert_eq!(t.events["e1"].registered_count, 1, "one seat for one person");
    assert_eq!(labels(&t), ["confirmation", "details"]);
    let again = [request("e1", "ada@x.org", None, None)];
    decide_batch(&mut t, &rules(20), &again, NOW + RESEND_INTERVAL - 1).await.unwrap();
    assert_eq!(labels(&t).len(), 2, "no second resend within the interval");
    decide_batch(&mut t, &rules(20), &again, NOW + RESEND_INTERVAL).await.unwrap();
    assert_eq!(labels(&t), ["confirmation", "details", "details"]);
}

#[tokio::test]
async fn a_key_replays_its_first_answer_refuses_another_request_and_is_forgotten_after_a_day() {
    let mut t = tables([event("e1", Some(5), false)]);
    let first = decide_batch(&mut t, &rules(20), &[request("e1", "ada@x.org", Some(("k1", "fp1")), None)], NOW)
        .await
        .unwrap();
    let Ok(Registered::Created(summary)) = &first[0] else {
        panic!("{:?}", first[0])
    };
    let replayed = decide_batch(
        &mut t,
        &rules(20),
        &[request("e1", "ada@x.org", Some(("k1", "fp1")), None)],
        NOW + 60,
    )
    .await
    .unwrap();
    let Ok(Registered::Replayed(again)) = &replayed[0] else {
        panic!("{:?}", replayed[0])
    };
    assert_eq!(again, summary, "the same id, status and manage link");
    let reused = decide_batch(
        &mut t,
        &rules(20),
        &[request("e1", "bo@x.org", Some(("k1", "fp2")), None)],
        NOW + 60,
    )
    .await
    .unwrap();
    assert!(matches!(reused[0], Err(RegisterError::KeyReused)));
    assert_eq!(
        (t.events["e1"].registered_count, labels(&t).len()),
        (1, 1),
        "neither took a seat or sent mail"
    );
    let later = NOW + IDEMPOTENCY_LIFETIME;
    let fresh = decide_batch(&mut t, &rules(20), &[request("e1", "bo@x.org", Some(("k1", "fp2")), None)], later)
        .await
        .unwrap();
    assert!(matches!(fresh[0], Ok(Registered::Created(_))), "{:?}", fresh[0]);
}

#[tokio::test]
async fn past_the_per_address_limit_a_request_waits_and_takes_nothing() {
    let mut t = tables([event("e1", None, false)]);
    let batch: Vec<Pending> = ["a@x.org", "b@x.org", "c@x.org"]
        .iter()
        .map(|e| request("e1", e, None, Some("192.0.2.7")))
        .collect();
    let outcomes = decide_batch(&mut t, &rules(2), &batch, NOW).await.unwrap();
    assert!(
        matches!(outcomes[2], Err(RegisterError::Limited(wait)) if wait > 0),
        "{:?}",
        outcomes[2]
    );
    assert_eq!(t.registrations.len(), 2);
    // Another address is not held back by this one.
    let other = decide_batch(&mut t, &rules(2), &[request("e1", "d@x.org", None, Some("192.0.2.8"))], NOW)
        .await
        .unwrap();
    assert!(other[0].is_ok());
}

#[tokio::test]
async fn with_email_confirmation_a_seat_is_held_and_the_link_travels_only_by_email() {
    let mut e = event("e1", Some(1), true);
    e.confirm_hold_minutes = 30;
    e.teams_webinar_id = Some("w1".into());
    let mut t = tables([e]);
    let outcomes = decide_batch(
        &mut t,
        &rules(20),
        &[request("e1", "ada@x.org", None, None), request("e1", "bo@x.org", None, None)],
        NOW,
    )
    .await
    .unwrap();
    use RegistrationStatus::Unconfirmed as U;
    assert_eq!(created(&outcomes), [(U, None, false), (U, None, false)]);
    let (ada, bo) = (&t.registrations[0].0, &t.registrations[1].0);
    assert_eq!(
        (ada.confirm_as, ada.confirm_by),
        (Some(RegistrationStatus::Registered), Some(NOW + 1_800))
    );
    assert_eq!(
        bo.confirm_as,
        Some(RegistrationStatus::Waitlisted),
        "the seat is held for the first"
    );
    assert_eq!((t.events["e1"].held_count, t.events["e1"].registered_count), (1, 0));
    // Only confirmation requests: Teams hears of a registration once it is confirmed.
    assert_eq!(labels(&t), ["confirmAddress", "confirmAddress"]);
}

#[tokio::test]
async fn a_registrant_of_a_linked_webinar_is_queued_for_teams() {
    let mut e = event("e1", None, false);
    e.teams_webinar_id = Some("w1".into());
    let mut t = tables([e]);
    decide_batch(&mut t, &rules(20), &[request("e1", "ada@x.org", None, None)], NOW)
        .await
        .unwrap();
    assert_eq!(labels(&t), ["confirmation", crate::jobs::teams::TOPIC_REGISTER]);
}

#[tokio::test]
async fn a_canceled_registration_comes_back_to_life_and_a_declined_one_does_not() {
    let mut t = tables([event("e1", Some(5), false)]);
    t.add("e1", "r1", RegistrationStatus::Canceled, None);
    t.add("e1", "x1", RegistrationStatus::RejectedByOrganizer, None);
    let batch = [
        request("e1", "r1@example.com", None, None),
        request("e1", "x1@example.com", None, None),
    ];
    let outcomes = decide_batch(&mut t, &rules(20), &batch, NOW).await.unwrap();
    let Ok(Registered::Created(summary)) = &outcomes[0] else {
        panic!("{:?}", outcomes[0])
    };
    assert_eq!((summary.id.as_str(), summary.status), ("r1", RegistrationStatus::Registered));
    assert!(summary.manage_token.is_some(), "a fresh link");
    let row = &t.row("r1").unwrap().0;
    assert_eq!((row.status, row.ics_sequence), (RegistrationStatus::Registered, 1));
    assert!(
        matches!(&outcomes[1], Err(RegisterError::Invalid(e)) if e[0].field == "email"),
        "{:?}",
        outcomes[1]
    );
    assert_eq!((t.registrations.len(), t.events["e1"].registered_count), (2, 1));
}
