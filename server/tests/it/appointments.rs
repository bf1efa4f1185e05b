//! Appointments over HTTP on both databases: slots and their validation, and the promises a
//! booking keeps under concurrency (one staff member, one time, one booking; a group's seats;
//! buffers), idempotent retries and cancelling.

use crate::common::{next_address, TestApp};
use app::booking::{Day, Policy};
use serde_json::{json, Value};
use server::appointments::model::{Business, Service, Staff, WorkHoursJson, WorkTimeSlotJson};
use server::appointments::store;

const NY: &str = "America/New_York";

fn weekdays(start: &str, end: &str) -> Vec<WorkHoursJson> {
    [Day::Monday, Day::Tuesday, Day::Wednesday, Day::Thursday, Day::Friday]
        .into_iter()
        .map(|day| WorkHoursJson {
            day,
            time_slots: vec![WorkTimeSlotJson {
                start_time: format!("{start}:00.0000000"),
                end_time: format!("{end}:00.0000000"),
            }],
        })
        .collect()
}

pub(crate) struct Shop {
    pub(crate) slug: String,
    pub(crate) one_to_one: String,
    pub(crate) buffered: String,
    pub(crate) group: String,
    pub(crate) ada: String,
    pub(crate) bo: String,
}

/// A published business in New York (weekdays 09–17, 15-minute steps, no lead time) with two
/// staff members, a 30-minute one-to-one service, one with a 15-minute buffer after, and a
/// 3-seat group class given by Ada only.
pub(crate) async fn shop(app: &TestApp) -> Shop {
    let id = |p: &str| format!("{p}-{}", uuid::Uuid::new_v4().simple());
    let business = Business {
        id: id("business"),
        organization_id: app.owner.organization_id.clone(),
        slug: id("shop"),
        display_name: "Shop".into(),
        time_zone: NY.into(),
        business_hours: weekdays("09:00", "17:00"),
        policy: Policy {
            interval: 900,
            minimum_lead_time: 0,
            maximum_advance: 90 * 86_400,
        },
        allow_staff_selection: true,
        is_published: true,
        bookings_business_id: None,
        branding: server::appointments::model::Branding {
            currency: "USD".into(),
            ..Default::default()
        },
    };
    let staff = |name: &str| Staff {
        id: id(name),
        business_id: business.id.clone(),
        display_name: name.into(),
        email_address: format!("{name}@example.com"),
        time_zone: NY.into(),
        use_business_hours: true,
        working_hours: Vec::new(),
    };
    let (ada, bo) = (staff("Ada"), staff("Bo"));
    let service = |name: &str, post: i64, seats: i64, staff: Vec<String>| Service {
        id: id(name),
        business_id: business.id.clone(),
        display_name: name.into(),
        duration: 1800,
        pre_buffer: 0,
        post_buffer: post,
        maximum_attendees: seats,
        is_location_online: true,
        staff_member_ids: staff,
        service_hours: None,
        reminders: Vec::new(),
        price: None,
        price_type: "notSet".into(),
        questions: Vec::new(),
    };
    let one = service("Consultation", 0, 1, vec![ada.id.clone(), bo.id.clone()]);
    let buffered = service("Review", 900, 1, vec![ada.id.clone()]);
    let group = service("Class", 0, 3, vec![ada.id.clone()]);
    let mut tx = app.state.db.begin_write().await.unwrap();
    store::insert_business(&mut tx, &business).await.unwrap();
    for s in [&ada, &bo] {
        store::insert_staff(&mut tx, s).await.unwrap();
    }
    for s in [&one, &buffered, &group] {
        store::insert_service(&mut tx, s).await.unwrap();
    }
    tx.commit().await.unwrap();
    Shop {
        slug: business.slug,
        one_to_one: one.id,
        buffered: buffered.id,
        group: group.id,
        ada: ada.id,
        bo: bo.id,
    }
}

/// The Monday at least a week after the app's clock, as `YYYY-MM-DD`.
pub(crate) fn next_monday(app: &TestApp) -> jiff::civil::Date {
    let today = jiff::Timestamp::from_second(app.state.db.now())
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get(NY).unwrap())
        .date();
    let mut d = today.checked_add(jiff::Span::new().days(7)).unwrap();
    while d.weekday() != jiff::civil::Weekday::Monday {
        d = d.tomorrow().unwrap();
    }
    d
}

pub(crate) fn at(d: jiff::civil::Date, hour: i8, minute: i8) -> String {
    d.at(hour, minute, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get(NY).unwrap())
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

async fn slots(app: &TestApp, slug: &str, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/businesses/{slug}/slots?{query}")))
        .send()
        .await
        .unwrap()
}

pub(crate) async fn book(app: &TestApp, slug: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/businesses/{slug}/appointments")))
        .header("x-forwarded-for", next_address())
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub(crate) fn booking(service: &str, staff: Option<&str>, start: &str, n: usize) -> Value {
    json!({
        "serviceId": service,
        "staffId": staff,
        "start": start,
        "customer": {"name": format!("Customer {n}"), "email": format!("customer{n}@example.com"), "timeZone": NY},
    })
}

both_backends!(
    slots_are_offered_in_the_bookers_zone_and_bad_requests_name_their_field,
    |backend| async move {
        let app = TestApp::spawn(backend).await;
        let shop = shop(&app).await;
        let monday = next_monday(&app);
        let tuesday = monday.tomorrow().unwrap();
        let r = slots(
            &app,
            &shop.slug,
            &format!("serviceId={}&start={monday}&end={tuesday}&timeZone=Europe/Berlin", shop.one_to_one),
        )
        .await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        let value = body["value"].as_array().unwrap();
        // New York's 09:00–16:30 starts that fall on the Berlin Monday: 15:00–23:45 Berlin time.
        let first = value[0]["start"].as_str().unwrap();
        assert!(first.ends_with("T15:00:00+01:00"), "{first}");
        assert!(value.iter().all(|s| s["start"].as_str().unwrap().starts_with(&monday.to_string())));
        assert_eq!(value[0]["staffIds"], json!([shop.ada, shop.bo]));
        assert!(value.windows(2).all(|w| w[0]["start"].as_str() < w[1]["start"].as_str()));

        for (query, field) in [
            (
                format!("serviceId={}&start={monday}&end={tuesday}&timeZone=Mars/Olympus", shop.one_to_one),
                "timeZone",
            ),
            (format!("serviceId={}&start={tuesday}&end={monday}", shop.one_to_one), "end"),
            (
                format!(
                    "serviceId={}&start={monday}&end={}",
                    shop.one_to_one,
                    monday.checked_add(jiff::Span::new().days(63)).unwrap()
                ),
                "end",
            ),
            (format!("serviceId=nope&start={monday}&end={tuesday}"), "serviceId"),
            (
                format!("serviceId={}&staffId={}&start={monday}&end={tuesday}", shop.group, shop.bo),
                "staffId",
            ),
            (format!("serviceId={}&start=soon&end={tuesday}", shop.one_to_one), "start"),
        ] {
            let r = slots(&app, &shop.slug, &query).await;
            assert_eq!(r.status(), 422, "{query}");
            let problem: Value = r.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
        }
        assert_eq!(
            slots(&app, "no-such-business", "serviceId=x&start=2030-01-01&end=2030-01-02")
                .await
                .status(),
            404
        );
    }
);

both_backends!(
    twenty_simultaneous_bookings_of_one_staff_slot_make_one_appointment,
    |backend| async move {
        let app = TestApp::spawn(backend).await;
        let shop = shop(&app).await;
        let start = at(next_monday(&app), 10, 0);
        let requests = (0..20).map(|n| book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &start, n)));
        let answers = futures::future::join_all(requests).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");
        let refused = answers.into_iter().find(|r| r.status() == 409).unwrap();
        assert_eq!(refused.headers()["content-type"], "application/problem+json");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["detail"], "This time was just taken. Please choose another one.");
        let fresh: Vec<&str> = problem["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["start"].as_str().unwrap())
            .collect();
        assert!(!fresh.contains(&start.as_str()), "the taken time is not offered again");
        assert!(!fresh.is_empty(), "other times of that day are");
        // Bo is still free then: anyone available gets Bo.
        let r = book(&app, &shop.slug, booking(&shop.one_to_one, None, &start, 99)).await;
        assert_eq!(r.status(), 201);
        let made: Value = r.json().await.unwrap();
        assert_eq!(made["staffIds"], json!([shop.bo]));
        let r = book(&app, &shop.slug, booking(&shop.one_to_one, None, &start, 100)).await;
        assert_eq!(r.status(), 409, "nobody is left at 10:00");
    }
);

both_backends!(a_group_of_three_seats_takes_exactly_three, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let start = at(next_monday(&app), 11, 0);
    let requests = (0..8).map(|n| book(&app, &shop.slug, booking(&shop.group, None, &start, n)));
    let statuses: Vec<u16> = futures::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 5, "{statuses:?}");
});

both_backends!(an_overlap_through_buffers_is_refused, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    assert_eq!(
        book(&app, &shop.slug, booking(&shop.buffered, None, &at(monday, 10, 0), 1))
            .await
            .status(),
        201
    );
    // 10:00–10:30 plus 15 minutes after: a one-to-one with Ada at 10:30 would start in the buffer.
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 10, 30), 2)).await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 10, 45), 3))
            .await
            .status(),
        201
    );
});

both_backends!(a_retry_replays_its_booking_and_a_cancel_frees_the_time, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let start = at(next_monday(&app), 14, 0);
    let send = |body: Value| {
        app.client
            .post(app.url(&format!("/api/v1/businesses/{}/appointments", shop.slug)))
            .header("x-forwarded-for", next_address())
            .header("idempotency-key", "retry-1")
            .json(&body)
            .send()
    };
    let first: Value = send(booking(&shop.one_to_one, Some(&shop.ada), &start, 1))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let again = send(booking(&shop.one_to_one, Some(&shop.ada), &start, 1)).await.unwrap();
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    let other = send(booking(&shop.one_to_one, Some(&shop.ada), &start, 2)).await.unwrap();
    assert_eq!(other.status(), 422, "the same key for another person");
    let token = first["manageToken"].as_str().unwrap();
    assert!(first["manageUrl"].as_str().unwrap().ends_with(token));
    let read: Value = app
        .client
        .get(app.url(&format!("/api/v1/appointments/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["status"], "booked");
    assert!(read.get("manageToken").is_none());
    assert_eq!(
        book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &start, 3))
            .await
            .status(),
        409
    );
    let canceled = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(canceled.status(), 200);
    assert_eq!(canceled.json::<Value>().await.unwrap()["status"], "canceled");
    assert_eq!(
        book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &start, 4))
            .await
            .status(),
        201,
        "free again"
    );
    assert_eq!(
        app.client
            .get(app.url("/api/v1/appointments/not-a-token"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
});

both_backends!(a_customer_books_and_cancels_on_the_pages_without_javascript, |backend| async move {
    use crate::html::Page;
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let home = Page::parse(&app.page(&format!("/book/{}", shop.slug), None).await);
    assert_eq!(
        home.link("Consultation").as_deref(),
        Some(format!("?service={}", shop.one_to_one).as_str())
    );
    let day = format!("/book/{}?service={}&date={monday}&tz=America/New_York", shop.slug, shop.one_to_one);
    let page = Page::parse(&app.page(&day, None).await);
    assert!(
        page.field("09:00").is_some() && page.field("16:30").is_some(),
        "the day's times as choices"
    );
    assert!(page.field("17:00").is_none(), "none that would end after the hours");
    assert_eq!(page.selected("With").as_deref(), Some(""), "anyone available");
    let post = |start: String, email: &'static str| {
        let form = serde_urlencoded::to_string([
            ("service", shop.one_to_one.as_str()),
            ("staff", shop.ada.as_str()),
            ("start", start.as_str()),
            ("tz", "America/New_York"),
            ("name", "Grace Hopper"),
            ("email", email),
            ("phone", ""),
        ])
        .unwrap();
        app.client
            .post(app.url(&format!("/book/{}", shop.slug)))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", next_address())
            .body(form)
            .send()
    };
    let bad = post(at(monday, 9, 0), "not an address").await.unwrap();
    assert_eq!(bad.status(), 422);
    let email = Page::parse(&bad.text().await.unwrap()).field("Email").unwrap();
    assert!(email.invalid && email.value == "not an address", "kept and marked: {email:?}");
    let done = post(at(monday, 9, 0), "grace@example.com").await.unwrap();
    assert_eq!(done.status(), 303);
    let location = done.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/appointments/"));
    let mine = Page::parse(&app.page(&location, None).await);
    assert!(mine.announcements().contains("You're booked"));
    assert!(mine.text().contains("Ada"), "with whom");
    assert!(mine.has_button("Cancel this appointment"));
    // The same time again: refused on the page, with the day's other times.
    let taken = post(at(monday, 9, 0), "someone@example.com").await.unwrap();
    assert_eq!(taken.status(), 409);
    let taken = Page::parse(&taken.text().await.unwrap());
    assert_eq!(taken.announcements(), "This time was just taken. Please choose another one.");
    assert!(taken.field("09:00").is_none() && taken.field("09:30").is_some());
    let token = location.trim_start_matches("/appointments/").split('?').next().unwrap().to_string();
    let canceled = app
        .client
        .post(app.url(&format!("/appointments/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(canceled.status(), 303);
    let after = Page::parse(&app.page(&format!("/appointments/{token}"), None).await);
    assert!(after.text().contains("Canceled") && !after.has_button("Cancel this appointment"));
    assert_eq!(
        app.client.get(app.url("/appointments/not-a-token")).send().await.unwrap().status(),
        404
    );
});

both_backends!(a_reschedule_keeps_the_staff_member_and_refuses_a_busy_time, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let mine: Value = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 9, 0), 1))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 11, 0), 2))
            .await
            .status(),
        201
    );
    let token = mine["manageToken"].as_str().unwrap();
    let move_to = |start: String| {
        app.client
            .post(app.url(&format!("/api/v1/appointments/{token}/reschedule")))
            .json(&json!({ "start": start }))
            .send()
    };
    // 11:00 is Ada's other appointment: refused, with her free times that day.
    let busy = move_to(at(monday, 11, 0)).await.unwrap();
    assert_eq!(busy.status(), 409);
    let problem: Value = busy.json().await.unwrap();
    let fresh: Vec<&str> = problem["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    assert!(fresh.contains(&at(monday, 10, 0).as_str()), "her free times are offered");
    assert!(!fresh.contains(&at(monday, 11, 0).as_str()));
    // 09:15 overlaps its own old time, which it leaves: allowed.
    let moved = move_to(at(monday, 9, 15)).await.unwrap();
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["start"], at(monday, 9, 15));
    assert_eq!(moved["staffIds"], json!([shop.ada]));
    // The old time is free again; the new one is not.
    assert_eq!(
        book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.bo), &at(monday, 9, 0), 3))
            .await
            .status(),
        201
    );
    assert_eq!(
        book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 9, 15), 4))
            .await
            .status(),
        409
    );
    assert_eq!(move_to("soon".into()).await.unwrap().status(), 422);
});

both_backends!(a_customer_moves_an_appointment_from_its_page, |backend| async move {
    use crate::html::Page;
    let app = TestApp::spawn(backend).await;
    let shop = shop(&app).await;
    let monday = next_monday(&app);
    let made: Value = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 9, 0), 1))
        .await
        .json()
        .await
        .unwrap();
    let token = made["manageToken"].as_str().unwrap();
    let mine = Page::parse(&app.page(&format!("/appointments/{token}"), None).await);
    let link = mine.link("Choose another time").unwrap();
    let day = Page::parse(&app.page(&format!("{link}&date={monday}"), None).await);
    assert!(
        day.has_button("Move my appointment") && day.field("Your name").is_none(),
        "only the time is asked"
    );
    assert!(day.form_actions().contains(&format!("/appointments/{token}/reschedule")));
    let form = serde_urlencoded::to_string([("start", at(monday, 11, 0).as_str()), ("tz", "America/New_York")]).unwrap();
    let moved = app
        .client
        .post(app.url(&format!("/appointments/{token}/reschedule")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 303);
    let after = Page::parse(&app.page(&format!("/appointments/{token}?moved=1"), None).await);
    assert_eq!(after.announcements(), "Your appointment is moved to its new time.");
    assert!(after.text().contains("11:00"), "{}", after.text());
});

/// The start times the slots endpoint offers for `query`.
async fn starts(app: &TestApp, slug: &str, query: &str) -> Vec<String> {
    let body: Value = slots(app, slug, query).await.json().await.unwrap();
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_string())
        .collect()
}

// Free times are read through a cache of staff calendars; a booking, move or cancel made on
// another instance (sharing the PostgreSQL database) is seen by the very next request.
#[tokio::test]
async fn cached_calendars_follow_changes_made_on_another_instance() {
    let a = TestApp::spawn(crate::common::Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = server::config::Config::for_dir(dir.path().to_path_buf(), a.database_url.clone());
    config.sealer = a.state.config.sealer.clone();
    let b = TestApp::spawn_with(config, dir).await;
    let shop = shop(&a).await;
    let monday = next_monday(&a);
    let query = format!(
        "serviceId={}&staffId={}&start={monday}&end={}&timeZone={NY}",
        shop.one_to_one,
        shop.ada,
        monday.tomorrow().unwrap()
    );
    let nine = at(monday, 9, 0);
    assert!(
        starts(&a, &shop.slug, &query).await.contains(&nine),
        "read (and cached) on instance a"
    );
    let r = book(&b, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &nine, 1)).await;
    assert_eq!(r.status(), 201);
    let token = r.json::<Value>().await.unwrap()["manageToken"].as_str().unwrap().to_string();
    assert!(!starts(&a, &shop.slug, &query).await.contains(&nine), "booked on b: gone on a");
    let moved = b
        .client
        .post(b.url(&format!("/api/v1/appointments/{token}/reschedule")))
        .json(&json!({ "start": at(monday, 11, 0) }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let now = starts(&a, &shop.slug, &query).await;
    assert!(now.contains(&nine) && !now.contains(&at(monday, 11, 0)), "moved on b: seen on a");
    let canceled = b
        .client
        .post(b.url(&format!("/api/v1/appointments/{token}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(canceled.status(), 200);
    assert!(
        starts(&a, &shop.slug, &query).await.contains(&at(monday, 11, 0)),
        "canceled on b: free again on a"
    );
}
