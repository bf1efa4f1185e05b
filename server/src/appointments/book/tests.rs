//! The booking transaction against calendars in memory: staff chosen and then taken, times off
//! the grid or in time off refused, the address limit, and what is queued. (The same against
//! SQLite and PostgreSQL, with concurrent requests, is in the integration tests.)

use super::reserve::{reserve, Request, Reserved};
use super::*;
use crate::appointments::fake::{at, catalog, now, sealer, Calendars};
use crate::appointments::model::Staff;
use app::booking::Span;

/// Books the catalog's service at `start` for `email`, from `address`.
async fn book_at(tx: &mut Calendars, catalog: &Catalog, start: i64, address: Option<&str>, teams: bool) -> Reserved {
    let service = &catalog.services[0];
    let staff: Vec<&Staff> = catalog.staff.iter().collect();
    let checked = Checked {
        service,
        start,
        name: "Cy Customer".into(),
        email: "cy@example.com".into(),
        phone: None,
        time_zone: "UTC".into(),
        answers: Vec::new(),
    };
    let request = Request {
        catalog,
        checked: &checked,
        staff: &staff,
        key: None,
        hash: "h",
        address,
        teams,
    };
    reserve(tx, &sealer(), &request).await.unwrap()
}

fn booked(reserved: Reserved) -> Booking {
    match reserved {
        Reserved::Booked(b) => b,
        other => panic!("not booked: {other:?}"),
    }
}

#[tokio::test]
async fn one_time_goes_to_each_free_staff_member_once_and_is_then_taken() {
    let (catalog, mut tx) = (catalog(), Calendars::default());
    let ten = at("2026-12-08T10:00:00Z");
    let first = booked(book_at(&mut tx, &catalog, ten, None, false).await);
    let second = booked(book_at(&mut tx, &catalog, ten, None, false).await);
    assert_eq!(
        (first.staff_ids.as_slice(), second.staff_ids.as_slice()),
        (&["ana".to_string()][..], &["ben".to_string()][..])
    );
    assert_eq!((first.end - first.start, first.status.as_str()), (1_800, "booked"));
    assert!(matches!(
        book_at(&mut tx, &catalog, ten, None, false).await,
        Reserved::Refused(SlotRefusal::Taken)
    ));
    // The next half hour is free again.
    booked(book_at(&mut tx, &catalog, ten + 1_800, None, false).await);
    assert_eq!(tx.appointments.len(), 3);
}

#[tokio::test]
async fn a_time_off_the_grid_in_time_off_or_too_far_ahead_is_refused() {
    let (catalog, mut tx) = (catalog(), Calendars::default());
    let ten = at("2026-12-08T10:00:00Z");
    let refused = |r: Reserved| match r {
        Reserved::Refused(why) => why,
        other => panic!("not refused: {other:?}"),
    };
    assert_eq!(
        refused(book_at(&mut tx, &catalog, ten + 600, None, false).await),
        SlotRefusal::NotOffered
    );
    assert_eq!(
        refused(book_at(&mut tx, &catalog, now() + 31 * 86_400, None, false).await),
        SlotRefusal::TooFarAhead
    );
    for id in ["ana", "ben"] {
        tx.off.push((id.into(), Span::new(ten - 3_600, ten + 3_600)));
    }
    assert_eq!(refused(book_at(&mut tx, &catalog, ten, None, false).await), SlotRefusal::Taken);
    assert!(tx.appointments.is_empty() && tx.jobs.jobs.is_empty(), "a refusal writes nothing");
}

#[tokio::test]
async fn past_the_address_limit_nothing_is_read_or_written() {
    let (catalog, mut tx) = (catalog(), Calendars::default());
    let nine = at("2026-12-08T09:00:00Z");
    for i in 0..crate::limits::BOOKINGS.hits {
        booked(book_at(&mut tx, &catalog, nine + (i / 2) * 1_800, Some("192.0.2.9"), false).await);
    }
    let locks = tx.locks;
    let Reserved::Limited(wait) = book_at(&mut tx, &catalog, at("2026-12-08T16:00:00Z"), Some("192.0.2.9"), false).await else {
        panic!("not limited")
    };
    assert!(wait > 0);
    assert_eq!(tx.locks, locks, "no staff held for a refused request");
    booked(book_at(&mut tx, &catalog, at("2026-12-08T16:00:00Z"), Some("192.0.2.10"), false).await);
}

#[tokio::test]
async fn a_booking_queues_its_emails_reminders_and_what_microsoft_must_learn() {
    let (mut catalog, mut tx) = (catalog(), Calendars::default());
    catalog.business.bookings_business_id = Some("contoso@contoso.example".into());
    let start = at("2026-12-10T10:00:00Z");
    let booking = booked(book_at(&mut tx, &catalog, start, None, true).await);
    let jobs: Vec<_> = tx
        .jobs
        .jobs
        .iter()
        .map(|j| (j.label.as_deref().unwrap_or(""), j.recipient.as_str(), j.due_ms))
        .collect();
    let staff = format!("{}@contoso.example", booking.staff_ids[0]);
    let (now_ms, reminder_ms) = (now() * 1000, (start - 86_400) * 1000);
    assert_eq!(
        jobs,
        [
            ("appointmentBooked", "cy@example.com", now_ms),
            ("appointmentBooked", staff.as_str(), now_ms),
            ("appointmentReminder", "cy@example.com", reminder_ms),
            ("appointmentReminder", staff.as_str(), reminder_ms),
            (crate::jobs::teams::TOPIC_BOOKINGS, "", now_ms),
        ]
    );
}
