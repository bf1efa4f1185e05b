//! A business imported from Microsoft Bookings, against the simulator: Atrium's bookings,
//! moves and cancels reach Bookings through the queue (a crash after Bookings made one leaves
//! one), and moves, new appointments and cancels made in Bookings reach Atrium when its
//! calendar is read back.

use crate::appointments::next_monday;
use crate::common::{Backend, TestApp};
use crate::teams_appointments::{import, seed_bookings, AGE, BENTO, DANA, LUNCH, SAM};
use crate::teams_meetings::{due_now, microsoft_app, seed_account, sync_for};
use graphsim::{Fault, Sim};
use serde_json::{json, Value};
use server::microsoft::delegated::Account;
use server::microsoft::sync::TeamsSync;

pub(crate) const SLUG: &str = "contoso-lunch-delivery";
pub(crate) const CHICAGO: &str = "America/Chicago";

pub(crate) fn held(sim: &Sim) -> Vec<Value> {
    sim.state
        .lock()
        .unwrap()
        .booking_appointments
        .get(LUNCH)
        .cloned()
        .unwrap_or_default()
}

/// `hour:00` on `day` in `zone`, as RFC 3339 and as Graph's UTC text.
pub(crate) fn at(day: jiff::civil::Date, hour: i8, zone: &str) -> (String, String) {
    let t = day.at(hour, 0, 0, 0).to_zoned(jiff::tz::TimeZone::get(zone).unwrap()).unwrap();
    (
        t.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        t.timestamp().strftime("%Y-%m-%dT%H:%M:%S.0000000Z").to_string(),
    )
}

async fn starts(app: &TestApp, staff: &str, day: jiff::civil::Date, zone: &str) -> Vec<String> {
    let url = format!(
        "/api/v1/businesses/{SLUG}/slots?serviceId={BENTO}&staffId={staff}&start={day}&end={}&timeZone={zone}",
        day.tomorrow().unwrap()
    );
    let body: Value = app.client.get(app.url(&url)).send().await.unwrap().json().await.unwrap();
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_string())
        .collect()
}

/// The documentation's Bookings business imported (hours read in Chicago), given a longer
/// maximum advance than Bookings' P10D (to reach the Monday the tests book) and published.
async fn imported(backend: Backend) -> (Sim, TestApp, TeamsSync) {
    imported_with(backend, |_| {}).await
}

/// [`imported`] with `more` added to what Bookings holds first.
pub(crate) async fn imported_with(backend: Backend, more: impl FnOnce(&mut graphsim::SimState)) -> (Sim, TestApp, TeamsSync) {
    let sim = Sim::start().await;
    seed_bookings(&sim);
    more(&mut sim.state.lock().unwrap());
    let app = microsoft_app(backend, &sim).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    assert_eq!(import(&app, LUNCH, json!({"timeZone": CHICAGO})).await.0, 201);
    let bearer = app.owner_token().await;
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/businesses/{SLUG}")))
        .bearer_auth(&bearer)
        .json(&json!({"schedulingPolicy": {"maximumAdvance": "P60D"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/businesses/{SLUG}/publish")))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    (sim, app, sync)
}

both_backends!(appointments_are_kept_in_bookings_both_ways, |backend| async move {
    let (sim, app, sync) = imported(backend).await;
    let monday = next_monday(&app);
    let (ten, ten_utc) = at(monday, 10, CHICAGO);
    let r = crate::appointments::book(
        &app,
        SLUG,
        json!({"serviceId": BENTO, "staffId": DANA, "start": ten, "customer": {"name": "Jordan Miller", "email": "jordanm@example.com", "timeZone": CHICAGO},
               "answers": [{"questionId": AGE, "answer": "25"}]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    let (id, token) = (
        made["id"].as_str().unwrap().to_string(),
        made["manageToken"].as_str().unwrap().to_string(),
    );

    // The first answer breaks off after Bookings made the appointment: the retry finds it.
    sim.inject([Fault::Drop]);
    due_now(&app).await;
    assert_eq!(sync.sync_bookings_appointments().await.unwrap(), 1);
    assert_eq!(held(&sim).len(), 1, "Bookings made it once");
    due_now(&app).await;
    assert_eq!(sync.sync_bookings_appointments().await.unwrap(), 1);
    let list = held(&sim);
    assert_eq!(list.len(), 1, "the retry found it instead of making another");
    let a = &list[0];
    assert_eq!(a["serviceId"], BENTO);
    assert_eq!(a["staffMemberIds"], json!([DANA]));
    assert_eq!(a["startDateTime"]["dateTime"], ten_utc.as_str());
    assert_eq!(a["customers"][0]["emailAddress"], "jordanm@example.com");
    assert_eq!(a["optOutOfCustomerEmail"], true, "Atrium emails the customer itself");
    assert_eq!(
        a["customers"][0]["customQuestionAnswers"],
        json!([{"questionId": AGE, "question": "What is your age?", "answerInputType": "text", "answerOptions": [],
                "isRequired": true, "answer": "25", "selectedOptions": []}]),
        "the answer, as the documentation's example gives it"
    );
    let row = server::appointments::store::by_id(&app.state.db, &id).await.unwrap().unwrap();
    assert_eq!(row.bookings_appointment_id.as_deref(), a["id"].as_str());
    assert_eq!(row.teams_join_url.as_deref(), a["joinWebUrl"].as_str(), "staff join in Teams");
    let read: Value = app
        .client
        .get(app.url(&format!("/api/v1/appointments/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        read["joinUrl"], a["joinWebUrl"],
        "without an anonymous link, the customer's is the Teams link Bookings made"
    );

    // Moved in Atrium: moved in Bookings.
    let (one, one_utc) = at(monday, 13, CHICAGO);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{token}/reschedule")))
        .json(&json!({"start": one}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Until Bookings has it, reading Bookings back does not undo the move.
    assert_eq!(sync.read_bookings_calendars().await.unwrap(), 0);
    assert_eq!(
        server::appointments::store::by_id(&app.state.db, &id).await.unwrap().unwrap().start,
        one.parse::<jiff::Timestamp>().unwrap().as_second()
    );
    due_now(&app).await;
    assert_eq!(sync.sync_bookings_appointments().await.unwrap(), 1);
    assert_eq!(held(&sim)[0]["startDateTime"]["dateTime"], one_utc.as_str());

    // Moved in Bookings: moved in Atrium, and the customer is told.
    let (_, three_utc) = at(monday, 15, CHICAGO);
    let (_, half_past_four_utc) = (0, at(monday, 16, CHICAGO).1.replace(":00:00.", ":30:00."));
    {
        let mut s = sim.state.lock().unwrap();
        let a = &mut s.booking_appointments.get_mut(LUNCH).unwrap()[0];
        a["startDateTime"] = json!({"dateTime": three_utc, "timeZone": "UTC"});
        a["endDateTime"] = json!({"dateTime": half_past_four_utc, "timeZone": "UTC"});
    }
    let before = app.flush_outbox().await.len();
    assert_eq!(sync.read_bookings_calendars().await.unwrap(), 1);
    let row = server::appointments::store::by_id(&app.state.db, &id).await.unwrap().unwrap();
    assert_eq!(row.start, three_utc.parse::<jiff::Timestamp>().unwrap().as_second());
    let emails = app.flush_outbox().await;
    assert!(emails.len() > before);
    assert!(emails[before..]
        .iter()
        .any(|e| e.contains("Subject: New time") && e.contains("jordanm@example.com")));
    assert_eq!(sync.read_bookings_calendars().await.unwrap(), 0, "read again, nothing more changes");

    // Made in Bookings: its time is taken in Atrium (Samantha, Monday 10:00 Pacific).
    let (_, sam_ten_utc) = at(monday, 10, "America/Los_Angeles");
    let sam_half_past_eleven = at(monday, 11, "America/Los_Angeles").1.replace(":00:00.", ":30:00.");
    assert_eq!(starts(&app, SAM, monday, "America/Los_Angeles").await, ["09:00", "10:00"]);
    sim.state.lock().unwrap().booking_appointments.get_mut(LUNCH).unwrap().push(json!({
        "id": "AAMkADmadeinbookings=", "serviceId": BENTO, "staffMemberIds": [SAM], "isLocationOnline": true,
        "startDateTime": {"dateTime": sam_ten_utc, "timeZone": "UTC"}, "endDateTime": {"dateTime": sam_half_past_eleven, "timeZone": "UTC"},
        "customerTimeZone": "Pacific Standard Time",
        "customers": [{"@odata.type": "#microsoft.graph.bookingCustomerInformation", "name": "Walk In", "emailAddress": "walkin@example.com",
                       "customQuestionAnswers": [{"questionId": AGE, "question": "How old are you?", "answerInputType": "text", "answer": "41", "selectedOptions": []}]}],
    }));
    let before = app.flush_outbox().await.len();
    assert_eq!(sync.read_bookings_calendars().await.unwrap(), 1);
    assert!(
        starts(&app, SAM, monday, "America/Los_Angeles").await.is_empty(),
        "both of Samantha's times overlap it"
    );
    assert_eq!(app.flush_outbox().await.len(), before, "Bookings told its customer itself");
    let theirs = server::appointments::store::by_bookings_id(&app.state.db, "AAMkADmadeinbookings=")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(theirs.customer_time_zone, "America/Los_Angeles");
    let answered: Vec<(&str, &str)> = theirs.answers.iter().map(|a| (a.question_id.as_str(), a.answer.as_str())).collect();
    assert_eq!(answered, [(AGE, "41")], "the customer's answer in Bookings is kept");

    // Canceled in Bookings: canceled in Atrium, and the customer is told.
    sim.state
        .lock()
        .unwrap()
        .booking_appointments
        .get_mut(LUNCH)
        .unwrap()
        .retain(|a| a["id"] != row.bookings_appointment_id.as_deref().unwrap());
    assert_eq!(sync.read_bookings_calendars().await.unwrap(), 1);
    let row = server::appointments::store::by_id(&app.state.db, &id).await.unwrap().unwrap();
    assert_eq!(row.status, "canceled");
    let emails = app.flush_outbox().await;
    assert!(emails
        .iter()
        .any(|e| e.contains("Subject: Canceled") && e.contains("jordanm@example.com")));
    // Its cancel is not sent back to Bookings as a new change.
    due_now(&app).await;
    assert_eq!(sync.sync_bookings_appointments().await.unwrap(), 0);
});

#[tokio::test]
async fn staff_busy_in_their_own_calendar_are_not_offered_those_times() {
    let (sim, app, sync) = imported(Backend::Sqlite).await;
    let monday = next_monday(&app);
    assert_eq!(starts(&app, SAM, monday, "America/Los_Angeles").await, ["09:00", "10:00"]);
    // Samantha is busy 09:30–09:50 Pacific in her own calendar (the service keeps 5 minutes free
    // before it), written as Bookings writes it:
    // local times with the zone's display name. A Bookings appointment's own item (with its
    // service) and her free time are not busy times.
    let local = |h: i8, m: i8| day_time(monday, h, m);
    let pacific = "(UTC-08:00) Pacific Time (US & Canada)";
    let item = |status: &str, from: String, to: String, service: &str| json!({"status": status, "startDateTime": {"dateTime": from, "timeZone": pacific}, "endDateTime": {"dateTime": to, "timeZone": pacific}, "serviceId": service});
    sim.state.lock().unwrap().staff_availability.insert(
        SAM.into(),
        vec![
            item("Available", local(8, 0), local(9, 30), ""),
            item("Busy", local(9, 30), local(9, 50), ""),
            item("Busy", local(11, 0), local(12, 0), BENTO),
        ],
    );
    assert_eq!(sync.read_bookings_calendars().await.unwrap(), 1);
    assert_eq!(
        starts(&app, SAM, monday, "America/Los_Angeles").await,
        ["10:00"],
        "09:00 would overlap it, 10:00 (from 09:55) does not"
    );
    assert_eq!(sync.read_bookings_calendars().await.unwrap(), 0, "unchanged, nothing to apply");
    // Free again in her calendar: free again here.
    sim.state.lock().unwrap().staff_availability.clear();
    assert_eq!(sync.read_bookings_calendars().await.unwrap(), 1);
    assert_eq!(starts(&app, SAM, monday, "America/Los_Angeles").await, ["09:00", "10:00"]);
}

fn day_time(day: jiff::civil::Date, hour: i8, minute: i8) -> String {
    day.at(hour, minute, 0, 0).strftime("%Y-%m-%dT%H:%M:%S").to_string()
}
