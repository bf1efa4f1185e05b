//! Canceling, confirming and releasing against tables in memory. (The same against SQLite and
//! PostgreSQL, with the waitlist actually moving up, is in the integration tests.)

use super::*;
use crate::registrations::fake::{event, labels, tables, Tables, NOW};
use RegistrationStatus::{Canceled, PendingApproval, Registered, Unconfirmed, Waitlisted};

fn status(t: &Tables, id: &str) -> RegistrationStatus {
    t.row(id).expect("a registration").0.status
}

fn counts(t: &Tables) -> (i64, i64, i64) {
    let e = &t.events["e1"];
    (e.registered_count, e.waitlisted_count, e.held_count)
}

#[tokio::test]
async fn canceling_a_seat_frees_it_for_the_waitlist_tells_teams_and_is_harmless_twice() {
    let mut e = event("e1", Some(1), true);
    e.teams_webinar_id = Some("w1".into());
    let mut t = tables([e]);
    t.add("e1", "r1", Registered, None);
    t.add("e1", "r2", Waitlisted, None);
    let canceled = cancel(&mut t, "e1", "r1", NOW).await.unwrap();
    assert_eq!((canceled.status, status(&t, "r1")), (Canceled, Canceled));
    // The first person waiting has the seat, is told, and Teams hears of both.
    assert_eq!((status(&t, "r2"), counts(&t)), (Registered, (1, 0, 0)));
    use crate::jobs::teams::{TOPIC_REGISTER, TOPIC_UNREGISTER};
    assert_eq!(labels(&t), ["canceled", TOPIC_UNREGISTER, "promoted", TOPIC_REGISTER]);
    assert_eq!(t.jobs.jobs[2].registration_id.as_deref(), Some("r2"));
    cancel(&mut t, "e1", "r1", NOW).await.unwrap();
    assert_eq!((labels(&t).len(), counts(&t)), (4, (1, 0, 0)), "nothing more the second time");
}

#[tokio::test]
async fn canceling_a_waitlisted_place_moves_nobody_up() {
    let mut t = tables([event("e1", Some(1), true)]);
    t.add("e1", "r1", Registered, None);
    t.add("e1", "r2", Waitlisted, None);
    t.add("e1", "r3", Waitlisted, None);
    cancel(&mut t, "e1", "r2", NOW).await.unwrap();
    assert_eq!((counts(&t), status(&t, "r3")), ((1, 1, 0), Waitlisted), "the seat is still taken");
    assert_eq!(t.row("r2").unwrap().0.waitlist_seq, None);
}

#[tokio::test]
async fn an_unconfirmed_address_gets_no_email_when_canceled_but_its_held_seat_is_freed() {
    let mut t = tables([event("e1", Some(1), true)]);
    t.add("e1", "u1", Unconfirmed, Some((Registered, NOW + 600)));
    t.add("e1", "w1", Waitlisted, None);
    assert_eq!(counts(&t), (0, 1, 1));
    cancel(&mut t, "e1", "u1", NOW).await.unwrap();
    assert_eq!((counts(&t), status(&t, "w1")), ((1, 0, 0), Registered));
    assert_eq!(labels(&t), ["promoted"], "nothing to the address never confirmed");
}

#[tokio::test]
async fn confirming_makes_a_held_seat_the_persons_own_once() {
    let mut t = tables([event("e1", Some(1), true)]);
    t.add("e1", "u1", Unconfirmed, Some((Registered, NOW + 600)));
    assert_eq!(confirm_in(&mut t, "e1", "u1", NOW).await.unwrap(), Confirmed::Now(Registered));
    assert_eq!(counts(&t), (1, 0, 0));
    assert_eq!((t.row("u1").unwrap().0.confirm_by, t.row("u1").unwrap().0.confirm_as), (None, None));
    assert_eq!(confirm_in(&mut t, "e1", "u1", NOW).await.unwrap(), Confirmed::Already(Registered));
    assert_eq!(labels(&t), ["confirmation"]);
}

#[tokio::test]
async fn a_confirmation_after_the_hold_expired_changes_nothing() {
    let mut t = tables([event("e1", Some(1), true)]);
    t.add("e1", "u1", Unconfirmed, Some((Registered, NOW + 600)));
    assert_eq!(confirm_in(&mut t, "e1", "u1", NOW + 601).await.unwrap(), Confirmed::Expired);
    assert_eq!((status(&t, "u1"), counts(&t)), (Unconfirmed, (0, 0, 1)));
    assert!(labels(&t).is_empty());
}

#[tokio::test]
async fn a_confirmation_headed_for_the_waitlist_takes_the_next_number_and_place() {
    let mut t = tables([event("e1", Some(1), true)]);
    t.add("e1", "r1", Registered, None);
    t.add("e1", "w1", Waitlisted, None);
    t.add("e1", "u2", Unconfirmed, Some((Waitlisted, NOW + 600)));
    let number = t.events["e1"].next_waitlist_seq;
    assert_eq!(confirm_in(&mut t, "e1", "u2", NOW).await.unwrap(), Confirmed::Now(Waitlisted));
    assert_eq!(t.row("u2").unwrap().0.waitlist_seq, Some(number));
    assert_eq!((t.events["e1"].next_waitlist_seq, counts(&t)), (number + 1, (1, 2, 0)));
    let job = &t.jobs.jobs[0];
    assert_eq!(
        (job.label.as_deref(), &job.payload["waitlistPosition"]),
        (Some("waitlisted"), &serde_json::json!(2))
    );
}

#[tokio::test]
async fn a_confirmation_after_the_event_filled_up_cancels_the_registration() {
    let mut t = tables([event("e1", Some(1), false)]);
    t.add("e1", "r1", Registered, None);
    t.add("e1", "u2", Unconfirmed, Some((PendingApproval, NOW + 600)));
    assert_eq!(confirm_in(&mut t, "e1", "u2", NOW).await.unwrap(), Confirmed::Full);
    assert_eq!((status(&t, "u2"), counts(&t)), (Canceled, (1, 0, 0)));
}

#[tokio::test]
async fn only_places_held_past_their_time_are_released() {
    let mut t = tables([event("e1", Some(3), true)]);
    t.add("e1", "late", Unconfirmed, Some((Registered, NOW - 1)));
    t.add("e1", "soon", Unconfirmed, Some((Registered, NOW + 60)));
    t.add("e1", "r1", Registered, None);
    t.add("e1", "w1", Waitlisted, None);
    assert!(release(&mut t, "e1", "late", NOW).await.unwrap());
    assert!(!release(&mut t, "e1", "soon", NOW).await.unwrap());
    assert!(!release(&mut t, "e1", "late", NOW).await.unwrap(), "released once");
    assert_eq!((status(&t, "late"), status(&t, "soon")), (Canceled, Unconfirmed));
    assert_eq!(
        (status(&t, "w1"), counts(&t)),
        (Registered, (2, 0, 1)),
        "the released seat went to the first waiting"
    );
}
