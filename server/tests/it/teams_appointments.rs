//! Microsoft mode with Atrium's own scheduling, against the simulator: each online appointment
//! gets one Teams meeting (createOrGet keyed by the appointment), the customer's browser join
//! link is stored and shown, a move keeps the meeting and a cancel removes it; a crash between
//! Atrium's commit and Teams' answer leaves one meeting and one email.

use crate::appointments::{at, book, booking, next_monday, shop};
use crate::common::{Backend, TestApp};
use crate::teams_meetings::{due_now, microsoft_app, seed_account, sync_for};
use graphsim::Sim;
use serde_json::{json, Value};
use server::microsoft::delegated::Account;

fn offset_of(start: &str) -> String {
    start.parse::<jiff::Timestamp>().unwrap().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn appointment(app: &TestApp, token: &str) -> Value {
    app.client
        .get(app.url(&format!("/api/v1/appointments/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

both_backends!(an_appointment_gets_one_teams_meeting_that_follows_it, |backend| async move {
    let sim = Sim::start().await;
    let app = microsoft_app(backend, &sim).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let ten = at(monday, 10, 0);
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &ten, 1)).await;
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    assert!(made.get("joinUrl").is_none(), "Teams has not made the meeting yet: {made}");
    let (id, token) = (
        made["id"].as_str().unwrap().to_string(),
        made["manageToken"].as_str().unwrap().to_string(),
    );

    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    let meeting_id = {
        let s = sim.state.lock().unwrap();
        assert_eq!(s.meetings.len(), 1);
        let (meeting_id, meeting) = s.meetings.iter().next().unwrap();
        assert_eq!(meeting["externalId"], id.as_str());
        assert_eq!(meeting["startDateTime"], offset_of(&ten));
        assert_eq!(meeting["subject"], "Consultation with Customer 1");
        meeting_id.clone()
    };
    let read = appointment(&app, &token).await;
    let join = read["joinUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("a join link: {read}"))
        .to_string();
    assert!(join.starts_with("https://visit.teams.microsoft.com/"), "{join}");
    assert!(join.contains(&meeting_id), "the link of this appointment's meeting: {join}");
    let page = app.page(&format!("/appointments/{token}"), None).await;
    let doc = crate::html::Page::parse(&page);
    assert_eq!(doc.link("Join the meeting").as_deref(), Some(join.as_str()));

    // Moved: the same meeting at the new time.
    let eleven = at(monday, 11, 0);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{token}/reschedule")))
        .json(&json!({"start": eleven}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    {
        let s = sim.state.lock().unwrap();
        assert_eq!(s.meetings.len(), 1, "still one meeting");
        assert_eq!(s.meetings[&meeting_id]["startDateTime"], offset_of(&eleven));
    }
    assert_eq!(appointment(&app, &token).await["joinUrl"], join.as_str(), "the same link");

    // Canceled: the meeting is removed from Teams.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    assert!(sim.state.lock().unwrap().meetings.is_empty());
});

#[tokio::test]
async fn a_crash_between_the_booking_and_teams_leaves_one_meeting_and_one_email() {
    let sim = Sim::start().await;
    let app = microsoft_app(Backend::Sqlite, &sim).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    let shop = shop(&app).await;
    let start = at(next_monday(&app), 14, 0);
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, None, &start, 7)).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    let first = sim.state.lock().unwrap().meetings.keys().next().cloned().unwrap();
    // Teams made the meeting, then Atrium died before storing it: the job runs again.
    sqlx::query("UPDATE appointments SET teams_meeting_id = NULL, teams_join_url = NULL, join_url = NULL WHERE id = $1")
        .bind(&id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let mut tx = app.state.db.begin_write().await.unwrap();
    server::jobs::teams::appointment(&mut tx, &id).await.unwrap();
    tx.commit().await.unwrap();
    due_now(&app).await;
    assert_eq!(sync.sync_appointments().await.unwrap(), 1);
    assert_eq!(sim.state.lock().unwrap().meetings.len(), 1, "createOrGet found the same meeting");
    let row = server::appointments::store::by_id(&app.state.db, &id).await.unwrap().unwrap();
    assert_eq!(row.teams_meeting_id.as_deref(), Some(first.as_str()));
    assert!(row.join_url.is_some());
    // One confirmation to the customer, one note to the staff member: nothing sent twice.
    let emails = app.flush_outbox().await;
    let to_customer = |e: &&String| e.lines().any(|l| l.starts_with("To:") && l.contains("customer7@example.com"));
    assert_eq!(emails.iter().filter(to_customer).count(), 1, "one email to the customer");
    assert_eq!(emails.iter().filter(|e| e.contains("Subject: New booking")).count(), 1);
}

#[tokio::test]
async fn without_microsoft_mode_no_teams_work_is_queued() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let shop = shop(&app).await;
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, None, &at(next_monday(&app), 9, 0), 1)).await;
    assert_eq!(r.status(), 201);
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE topic = 'graph.appointment'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(queued, 0);
}

pub(crate) const LUNCH: &str = "Contosolunchdelivery@contoso.onmicrosoft.com";
pub(crate) const DANA: &str = "d90d1e8c-5cfe-48cf-a2d5-966267375b6a";
pub(crate) const SAM: &str = "2f5f8794-0b29-45b5-b56a-2eb5ff7aa880";
pub(crate) const BENTO: &str = "57da6774-a087-4d69-b0e6-6fb82c339976";
pub(crate) const AGE: &str = "3bc6fde0-4ad3-445d-ab17-0fc15dba0774";

/// The Bookings business of Graph's documentation examples, in the simulator.
pub(crate) fn seed_bookings(sim: &Sim) {
    let mut s = sim.state.lock().unwrap();
    let hours = |day: &str, from: &str, to: &str| json!({"day": day, "timeSlots": [{"startTime": from, "endTime": to}]});
    s.booking_businesses.insert(
        LUNCH.into(),
        json!({
            "id": LUNCH, "displayName": "Contoso Lunch Delivery", "businessType": "Food delivery",
            "email": "manager@contoso.com", "isPublished": true, "defaultCurrencyIso": "EUR",
            "businessHours": [hours("monday", "08:00:00.0000000", "17:00:00.0000000"), hours("tuesday", "08:00:00.0000000", "17:00:00.0000000")],
            "schedulingPolicy": {"timeSlotInterval": "PT1H", "minimumLeadTime": "PT10H", "maximumAdvance": "P10D", "sendConfirmationsToOwner": true, "allowStaffSelection": true},
        }),
    );
    s.booking_staff.insert(
        LUNCH.into(),
        vec![
            json!({"@odata.type": "#microsoft.graph.bookingStaffMember", "id": DANA, "displayName": "Dana Swope", "emailAddress": "danas@contoso.com",
                   "role": "externalGuest", "timeZone": "America/Chicago", "useBusinessHours": true, "workingHours": []}),
            json!({"@odata.type": "#microsoft.graph.bookingStaffMember", "id": SAM, "displayName": "Samantha Booth", "emailAddress": "samanthab@contoso.com",
                   "role": "administrator", "timeZone": "Pacific Standard Time", "useBusinessHours": false,
                   "workingHours": [hours("monday", "09:00:00.0000000", "12:00:00.0000000")]}),
        ],
    );
    s.booking_services.insert(
        LUNCH.into(),
        vec![json!({
            "id": BENTO, "displayName": "Bento", "defaultDuration": "PT1H30M", "defaultPrice": 10.0, "defaultPriceType": "fixedPrice",
            "preBuffer": "PT5M", "postBuffer": "PT10M", "staffMemberIds": [DANA, SAM], "isLocationOnline": true, "maximumAttendeesCount": 0,
            "defaultReminders": [{"offset": "P1D", "recipients": "allAttendees", "message": "Please be reminded that this service is tomorrow."}],
            "customQuestions": [{"questionId": AGE, "isRequired": true}],
        })],
    );
    s.booking_questions.insert(
        LUNCH.into(),
        vec![
            json!({"id": AGE, "displayName": "What is your age?", "answerInputType": "text", "answerOptions": [],
                    "createdDateTime": "2022-01-10T09:00:00Z", "lastUpdatedDateTime": "2022-01-10T09:00:00Z"}),
        ],
    );
}

pub(crate) async fn import(app: &TestApp, id: &str, body: Value) -> (u16, Value) {
    let id = id.replace('@', "%40");
    let r = app
        .client
        .post(app.url(&format!("/api/v1/organizer/bookingBusinesses/{id}/import")))
        .bearer_auth(app.owner_token().await)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_bookings_business_is_imported_with_its_services_and_staff() {
    let sim = Sim::start().await;
    seed_bookings(&sim);
    let app = microsoft_app(Backend::Sqlite, &sim).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let (status, made) = import(&app, LUNCH, json!({"timeZone": "America/New_York"})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["slug"], "contoso-lunch-delivery");
    assert_eq!(made["displayName"], "Contoso Lunch Delivery");
    assert_eq!(made["isPublished"], false, "published in Atrium only when the organizer says");
    assert_eq!(made["schedulingPolicy"]["timeSlotInterval"], "PT1H");
    assert_eq!(made["schedulingPolicy"]["minimumLeadTime"], "PT10H");
    assert_eq!(made["businessHours"].as_array().unwrap().len(), 2);
    assert_eq!(made["customQuestionsImported"], 1);
    assert_eq!(made["customQuestionsLeftOut"], json!([]));
    assert_eq!(made["customersImported"], 0);
    assert_eq!(made["defaultCurrencyIso"], "EUR");

    let staff = server::appointments::setup::staff(&app.state.db, &app.owner, "contoso-lunch-delivery")
        .await
        .unwrap();
    let sam = staff
        .iter()
        .find(|s| s.id == SAM)
        .expect("the staff member keeps their Bookings id");
    assert_eq!(sam.time_zone, "America/Los_Angeles", "Windows zone names are mapped");
    assert!(!sam.use_business_hours);
    assert!(staff.iter().any(|s| s.id == DANA && s.email_address == "danas@contoso.com"));
    let services = server::appointments::setup::services(&app.state.db, &app.owner, "contoso-lunch-delivery")
        .await
        .unwrap();
    assert_eq!(services.len(), 1);
    let bento = &services[0];
    assert_eq!(
        (bento.id.as_str(), bento.duration, bento.pre_buffer, bento.post_buffer),
        (BENTO, 5400, 300, 600)
    );
    assert_eq!(bento.maximum_attendees, 1);
    assert_eq!(
        (bento.price, bento.price_type.as_str()),
        (Some(10.0), "fixedPrice"),
        "the price comes along"
    );
    assert_eq!(bento.reminders[0].offset, "P1D");
    assert_eq!(bento.staff_member_ids.len(), 2);
    assert_eq!(
        bento.questions,
        [server::appointments::model::QuestionAssignment {
            question_id: AGE.into(),
            is_required: true
        }],
        "it asks its question, by its Bookings id"
    );

    // Once is enough; an unknown business is not found; a bad zone is named.
    assert_eq!(
        import(&app, LUNCH, json!({"timeZone": "America/New_York", "slug": "lunch-again"}))
            .await
            .0,
        409
    );
    assert_eq!(
        import(&app, "nobody@contoso.onmicrosoft.com", json!({"timeZone": "UTC"})).await.0,
        404
    );
    let (status, problem) = import(&app, LUNCH, json!({"timeZone": "Mars/Olympus", "slug": "lunch-three"})).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("timeZone")),
        "{problem}"
    );
    // Nothing half-written by the refused imports.
    let mine = server::appointments::setup::businesses(&app.state.db, &app.owner).await.unwrap();
    assert_eq!(mine.len(), 1);

    // Without Microsoft mode there is nothing to import from.
    let plain = TestApp::spawn(Backend::Sqlite).await;
    assert_eq!(import(&plain, LUNCH, json!({"timeZone": "UTC"})).await.0, 409);
}
