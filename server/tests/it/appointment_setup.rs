//! Setting a business up through the organizer API in Graph's JSON: a business, its staff and
//! services created, published and booked; time off and hours changes reaching the slots at
//! once; what may not be removed; every bad field named; another organization kept out.

use crate::appointments::{book, booking, next_monday};
use crate::common::{Backend, TestApp};
use serde_json::{json, Value};

const BERLIN: &str = "Europe/Berlin";

struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl Api<'_> {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self
            .app
            .client
            .request(method, self.app.url(&format!("/api/v1{path}")))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            r = r.json(&body);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
    async fn delete(&self, path: &str) -> u16 {
        self.send(reqwest::Method::DELETE, path, None).await.0
    }
}

/// The start times (HH:MM in Berlin) offered on `day` for `service`.
async fn times(app: &TestApp, slug: &str, service: &str, day: jiff::civil::Date) -> Vec<String> {
    let url = format!(
        "/api/v1/businesses/{slug}/slots?serviceId={service}&start={day}&end={}&timeZone={BERLIN}",
        day.tomorrow().unwrap()
    );
    let body: Value = app.client.get(app.url(&url)).send().await.unwrap().json().await.unwrap();
    body["value"]
        .as_array()
        .unwrap_or_else(|| panic!("slots: {body}"))
        .iter()
        .map(|s| s["start"].as_str().unwrap()[11..16].to_string())
        .collect()
}

fn monday_hours(start: &str, end: &str) -> Value {
    json!([{"day": "monday", "timeSlots": [{"startTime": format!("{start}:00.0000000"), "endTime": format!("{end}:00.0000000")}]}])
}

both_backends!(a_business_set_up_in_graph_json_takes_bookings, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let api = Api {
        app: &app,
        token: app.owner_token().await,
    };
    let (status, created) = api
        .post(
            "/businesses",
            json!({
                "@odata.type": "#microsoft.graph.bookingBusiness",
                "displayName": "Fabrikam Tax",
                "timeZone": BERLIN,
                "businessHours": monday_hours("09:00", "12:00"),
                "schedulingPolicy": {"timeSlotInterval": "PT30M", "minimumLeadTime": "PT0S", "maximumAdvance": "P60D", "allowStaffSelection": true},
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let slug = created["slug"].as_str().unwrap().to_string();
    assert!(slug.starts_with("fabrikam-tax"), "{slug}");
    assert_eq!(created["isPublished"], false);
    assert_eq!(created["schedulingPolicy"]["maximumAdvance"], "P60D");
    assert_eq!(created["businessHours"][0]["day"], "monday");
    // Not public until published, and not publishable with nothing to book.
    let public = app.client.get(app.url(&format!("/api/v1/businesses/{slug}"))).send().await.unwrap();
    assert_eq!(public.status(), 404);
    let (_, mine) = api.get("/organizer/businesses").await;
    assert!(mine["value"].as_array().unwrap().iter().any(|b| b["slug"] == slug.as_str()));
    let (status, problem) = api.post(&format!("/businesses/{slug}/publish"), json!({})).await;
    assert_eq!(status, 409, "{problem}");

    let (status, kim) = api
        .post(
            &format!("/businesses/{slug}/staffMembers"),
            json!({"displayName": "Kim Weber", "emailAddress": "Kim@Example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{kim}");
    assert_eq!(kim["timeZone"], BERLIN, "the business's zone by default");
    assert_eq!(kim["useBusinessHours"], true);
    let kim = kim["id"].as_str().unwrap().to_string();
    let (status, service) = api
        .post(
            &format!("/businesses/{slug}/services"),
            json!({"displayName": "Tax check", "defaultDuration": "PT1H", "staffMemberIds": [kim], "isLocationOnline": true}),
        )
        .await;
    assert_eq!(status, 201, "{service}");
    assert_eq!(service["defaultDuration"], "PT1H");
    let service = service["id"].as_str().unwrap().to_string();
    let (status, published) = api.post(&format!("/businesses/{slug}/publish"), json!({})).await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["isPublished"], true);

    // A Monday with no appointments yet: 09:00–12:00, an hour each, every half hour.
    let monday = next_monday(&app);
    assert_eq!(
        times(&app, &slug, &service, monday).await,
        ["09:00", "09:30", "10:00", "10:30", "11:00"]
    );
    // Time off takes its times away at once (the cached calendar is not used again), and back.
    let (status, off) = api
        .post(
            &format!("/businesses/{slug}/staffMembers/{kim}/timeOff"),
            json!({"startDateTime": {"dateTime": format!("{monday}T09:00:00.0000000"), "timeZone": BERLIN},
                   "endDateTime": {"dateTime": format!("{monday}T10:00:00.0000000"), "timeZone": BERLIN}}),
        )
        .await;
    assert_eq!(status, 201, "{off}");
    assert_eq!(off["startDateTime"]["timeZone"], "UTC");
    assert_eq!(off["startDateTime"]["dateTime"], format!("{monday}T08:00:00.0000000"));
    assert_eq!(times(&app, &slug, &service, monday).await, ["10:00", "10:30", "11:00"]);
    let (_, listed) = api.get(&format!("/businesses/{slug}/staffMembers/{kim}/timeOff")).await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    let off = off["id"].as_str().unwrap();
    assert_eq!(
        api.delete(&format!("/businesses/{slug}/staffMembers/{kim}/timeOff/{off}")).await,
        204
    );
    assert_eq!(
        api.delete(&format!("/businesses/{slug}/staffMembers/{kim}/timeOff/{off}")).await,
        404
    );
    assert_eq!(times(&app, &slug, &service, monday).await.len(), 5);

    // Booked by a customer, the appointment is in the business's list in Graph's shape.
    let start = monday.at(10, 0, 0, 0).to_zoned(jiff::tz::TimeZone::get(BERLIN).unwrap()).unwrap();
    let start_text = start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let r = book(&app, &slug, booking(&service, None, &start_text, 1)).await;
    assert_eq!(r.status(), 201);
    let (status, list) = api
        .get(&format!(
            "/businesses/{slug}/appointments?start={monday}&end={}",
            monday.tomorrow().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{list}");
    let appointments = list["value"].as_array().unwrap();
    assert_eq!(appointments.len(), 1, "{list}");
    let a = &appointments[0];
    assert_eq!(a["serviceName"], "Tax check");
    assert_eq!(a["staffMemberIds"], json!([kim]));
    assert_eq!(a["startDateTime"]["dateTime"], format!("{monday}T09:00:00.0000000"));
    assert_eq!(a["customers"][0]["emailAddress"], "customer1@example.com");
    assert_eq!(a["status"], "booked");
    // Neither Kim nor the service can go while that appointment is ahead.
    assert_eq!(api.delete(&format!("/businesses/{slug}/staffMembers/{kim}")).await, 409);
    assert_eq!(api.delete(&format!("/businesses/{slug}/services/{service}")).await, 409);

    // New hours apply to the next question; the booked 10:00 stays booked.
    let (status, changed) = api
        .patch(
            &format!("/businesses/{slug}"),
            json!({"businessHours": monday_hours("09:00", "11:00")}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["displayName"], "Fabrikam Tax", "absent fields keep their value");
    assert_eq!(times(&app, &slug, &service, monday).await, ["09:00"]);
    // A staff member of their own hours, in their own zone (Kim moves to New York).
    let (status, moved) = api
        .patch(
            &format!("/businesses/{slug}/staffMembers/{kim}"),
            json!({"useBusinessHours": false, "timeZone": "America/New_York", "workingHours": monday_hours("06:00", "08:00")}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    // 06:00–08:00 in New York is after the business's 09:00–11:00 in Berlin: Kim's hours
    // replace the business's, as in Graph.
    let berlin = |minutes: i64| {
        let ny = monday
            .at(6, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::get("America/New_York").unwrap())
            .unwrap();
        let t = ny.timestamp().checked_add(jiff::SignedDuration::from_mins(minutes)).unwrap();
        t.to_zoned(jiff::tz::TimeZone::get(BERLIN).unwrap()).strftime("%H:%M").to_string()
    };
    assert_eq!(times(&app, &slug, &service, monday).await, [berlin(0), berlin(30), berlin(60)]);
});

#[tokio::test]
async fn every_bad_field_is_named_and_other_organizations_are_kept_out() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let api = Api {
        app: &app,
        token: app.owner_token().await,
    };
    let (status, problem) = api
        .post(
            "/businesses",
            json!({
                "displayName": " ",
                "timeZone": "Mars/Olympus",
                "businessHours": [{"day": "monday", "timeSlots": [{"startTime": "17:00:00", "endTime": "09:00:00"}]}],
                "schedulingPolicy": {"timeSlotInterval": "15 minutes", "maximumAdvance": "P900D"},
            }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "displayName",
        "timeZone",
        "businessHours",
        "schedulingPolicy.timeSlotInterval",
        "schedulingPolicy.maximumAdvance",
    ] {
        assert!(fields.contains(&field), "{field} in {problem}");
    }
    // Not JSON, not of this shape.
    let r = app
        .client
        .post(app.url("/api/v1/businesses"))
        .bearer_auth(&api.token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let (status, _) = api.post("/businesses", json!({"displayName": ["a"]})).await;
    assert_eq!(status, 400);

    let (status, first) = api
        .post(
            "/businesses",
            json!({"displayName": "Northwind", "timeZone": BERLIN, "slug": "northwind-a"}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, problem) = api
        .post(
            "/businesses",
            json!({"displayName": "Northwind", "timeZone": BERLIN, "slug": "northwind-a"}),
        )
        .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("slug")), "{problem}");
    let (status, other) = api
        .post(
            "/businesses",
            json!({"displayName": "Northwind", "timeZone": BERLIN, "slug": "northwind-b"}),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    // Open until midnight: an end at 00:00 is the end of the day, as the slot engine reads it.
    let (status, late) = api
        .patch(
            "/businesses/northwind-a",
            json!({"businessHours": [{"day": "friday", "timeSlots": [{"startTime": "17:00:00", "endTime": "00:00:00"}]}]}),
        )
        .await;
    assert_eq!(status, 200, "{late}");
    let (_, stranger) = api
        .post("/businesses/northwind-b/staffMembers", json!({"displayName": "Lee"}))
        .await;
    let stranger = stranger["id"].as_str().unwrap();
    for (body, field) in [
        (
            json!({"displayName": "Check", "defaultDuration": "PT1H", "staffMemberIds": [stranger]}),
            "staffMemberIds",
        ),
        (json!({"displayName": "Check"}), "defaultDuration"),
        (json!({"displayName": "Check", "defaultDuration": "PT2M"}), "defaultDuration"),
        (
            json!({"displayName": "Check", "defaultDuration": "PT1H", "maximumAttendeesCount": 0}),
            "maximumAttendeesCount",
        ),
        (
            json!({"displayName": "Check", "defaultDuration": "PT1H", "customQuestions": [{"questionId": "q1", "isRequired": true}]}),
            "customQuestions",
        ),
    ] {
        let (status, problem) = api.post("/businesses/northwind-a/services", body.clone()).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {problem}"
        );
    }
    for (body, field) in [
        (json!({"displayName": "Lee", "emailAddress": "not an address"}), "emailAddress"),
        (json!({"displayName": "Lee", "useBusinessHours": false}), "workingHours"),
        (json!({"displayName": "Lee", "timeZone": "Nowhere/Land"}), "timeZone"),
    ] {
        let (status, problem) = api.post("/businesses/northwind-a/staffMembers", body.clone()).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {problem}"
        );
    }
    let (status, problem) = api
        .post(
            &format!("/businesses/northwind-b/staffMembers/{stranger}/timeOff"),
            json!({"startDateTime": {"dateTime": "2030-01-02T10:00:00"}, "endDateTime": {"dateTime": "2030-01-02T09:00:00"}}),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("endDateTime")),
        "{problem}"
    );
    // Nothing half-written: the refused requests left no service and one staff member.
    let (_, services) = api.get("/organizer/businesses/northwind-a/services").await;
    assert_eq!(services["value"], json!([]));

    // Another organization's token finds none of it.
    let (_, rival_password) = server::accounts::auth::create_organizer(&app.state.db, "rival@example.com", "Rival", None)
        .await
        .unwrap();
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .basic_auth("rival@example.com", Some(&rival_password))
        .send()
        .await
        .unwrap();
    let rival = Api {
        app: &app,
        token: r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string(),
    };
    assert_eq!(rival.get("/organizer/businesses/northwind-b").await.0, 404);
    assert_eq!(rival.patch("/businesses/northwind-b", json!({"displayName": "Mine"})).await.0, 404);
    assert_eq!(rival.get("/businesses/northwind-b/staffMembers").await.0, 404);
    assert_eq!(rival.delete(&format!("/businesses/northwind-b/staffMembers/{stranger}")).await, 404);
    assert_eq!(rival.post("/businesses/northwind-b/publish", json!({})).await.0, 404);
    let (_, theirs) = rival.get("/organizer/businesses").await;
    assert_eq!(theirs["value"], json!([]));
    // A staff member of one business is not reachable through another.
    assert_eq!(api.delete(&format!("/businesses/northwind-a/staffMembers/{stranger}")).await, 404);
    // Without a token: 401.
    let r = app.client.get(app.url("/api/v1/organizer/businesses")).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_business_shows_its_logo_colour_and_prices() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let api = Api {
        app: &app,
        token: app.owner_token().await,
    };
    let (status, _) = api
        .post(
            "/businesses",
            json!({"displayName": "Fabrikam Law", "timeZone": BERLIN, "slug": "fabrikam-law"}),
        )
        .await;
    assert_eq!(status, 201);
    for (body, field) in [
        (json!({"logoUrl": "http://fabrikam.example/logo.png"}), "logoUrl"),
        (json!({"logoUrl": "javascript:alert(1)"}), "logoUrl"),
        (json!({"brandColor": "#ffff00"}), "brandColor"),
        (json!({"brandColor": "red"}), "brandColor"),
        (json!({"defaultCurrencyIso": "euro"}), "defaultCurrencyIso"),
    ] {
        let (status, problem) = api.patch("/businesses/fabrikam-law", body.clone()).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {problem}"
        );
    }
    let (status, problem) = api.patch("/businesses/fabrikam-law", json!({"brandColor": "#ffff00"})).await;
    assert_eq!(status, 422);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("contrast"), "{problem}");
    let (status, changed) = api
        .patch(
            "/businesses/fabrikam-law",
            json!({"logoUrl": "https://fabrikam.example/logo.png", "brandColor": "#1D4ED8", "defaultCurrencyIso": "EUR"}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["brandColor"], "#1d4ed8");
    let (_, kim) = api
        .post("/businesses/fabrikam-law/staffMembers", json!({"displayName": "Kim"}))
        .await;
    let kim = kim["id"].as_str().unwrap().to_string();
    let (status, problem) = api
        .post(
            "/businesses/fabrikam-law/services",
            json!({"displayName": "Advice", "defaultDuration": "PT1H", "staffMemberIds": [kim], "defaultPriceType": "fixedPrice"}),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("defaultPrice")),
        "a fixed price needs its amount"
    );
    let (status, service) = api
        .post(
            "/businesses/fabrikam-law/services",
            json!({"displayName": "Advice", "defaultDuration": "PT1H", "staffMemberIds": [kim], "defaultPrice": 45, "defaultPriceType": "startingAt"}),
        )
        .await;
    assert_eq!(status, 201, "{service}");
    assert_eq!(service["defaultPrice"], 45.0);
    assert_eq!(api.post("/businesses/fabrikam-law/publish", json!({})).await.0, 200);

    let html = app.page("/book/fabrikam-law", None).await;
    let page = crate::html::Page::parse(&html);
    assert!(page.text().contains("from EUR 45.00"), "{}", page.text());
    assert!(html.contains(r#"src="https://fabrikam.example/logo.png""#) && html.contains(r#"alt="Fabrikam Law logo""#));
    assert!(html.contains(r#"href="/book/fabrikam-law/brand.css""#));
    let css = app.client.get(app.url("/book/fabrikam-law/brand.css")).send().await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.text().await.unwrap().trim(), ":root { --brand: #1d4ed8; }");
    // Back to Atrium's own colour.
    let (status, _) = api
        .patch("/businesses/fabrikam-law", json!({"brandColor": null, "logoUrl": null}))
        .await;
    assert_eq!(status, 200);
    assert!(!app.page("/book/fabrikam-law", None).await.contains("brand.css"));
}

#[tokio::test]
async fn services_ask_the_business_questions_and_answers_reach_staff() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let api = Api {
        app: &app,
        token: app.owner_token().await,
    };
    api.post(
        "/businesses",
        json!({"displayName": "Fabrikam Tax", "timeZone": BERLIN, "slug": "fabrikam-qa"}),
    )
    .await;
    let (_, kim) = api
        .post(
            "/businesses/fabrikam-qa/staffMembers",
            json!({"displayName": "Kim", "emailAddress": "kim@example.com"}),
        )
        .await;
    let kim = kim["id"].as_str().unwrap().to_string();
    for (body, field) in [
        (
            json!({"displayName": "Pick", "answerInputType": "radioButton", "answerOptions": ["Only one"]}),
            "answerOptions",
        ),
        (json!({"displayName": "Pick", "answerInputType": "dropdown"}), "answerInputType"),
        (json!({"displayName": ""}), "displayName"),
    ] {
        let (status, problem) = api.post("/businesses/fabrikam-qa/customQuestions", body.clone()).await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{body}: {problem}"
        );
    }
    let (status, topic) = api
        .post(
            "/businesses/fabrikam-qa/customQuestions",
            json!({"displayName": "What would you like to discuss?"}),
        )
        .await;
    assert_eq!(status, 201, "{topic}");
    assert_eq!(topic["answerInputType"], "text");
    let topic = topic["id"].as_str().unwrap().to_string();
    let (_, heard) = api
        .post(
            "/businesses/fabrikam-qa/customQuestions",
            json!({"displayName": "How did you hear of us?", "answerInputType": "radioButton", "answerOptions": ["A friend", "A search"]}),
        )
        .await;
    let heard = heard["id"].as_str().unwrap().to_string();
    let (status, problem) = api
        .post(
            "/businesses/fabrikam-qa/services",
            json!({"displayName": "Check", "defaultDuration": "PT1H", "staffMemberIds": [kim], "customQuestions": [{"questionId": "nope", "isRequired": true}]}),
        )
        .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("customQuestions")));
    let (status, service) = api
        .post(
            "/businesses/fabrikam-qa/services",
            json!({"displayName": "Check", "defaultDuration": "PT1H", "staffMemberIds": [kim],
                   "customQuestions": [{"questionId": topic, "isRequired": true}, {"questionId": heard, "isRequired": false}]}),
        )
        .await;
    assert_eq!(status, 201, "{service}");
    assert_eq!(service["customQuestions"][0]["isRequired"], true);
    let service = service["id"].as_str().unwrap().to_string();
    api.post("/businesses/fabrikam-qa/publish", json!({})).await;

    let monday = crate::appointments::next_monday(&app);
    let start = monday.at(10, 0, 0, 0).to_zoned(jiff::tz::TimeZone::get(BERLIN).unwrap()).unwrap();
    let start = start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let booking = |answers: Value| json!({"serviceId": service, "start": start, "customer": {"name": "Ann Asker", "email": "ann@example.com"}, "answers": answers});
    for (answers, field) in [
        (json!([]), format!("answers.{topic}")),
        (
            json!([{"questionId": topic, "answer": "Taxes"}, {"questionId": heard, "answer": "TV"}]),
            format!("answers.{heard}"),
        ),
        (
            json!([{"questionId": topic, "answer": "Taxes"}, {"questionId": "stray", "answer": "x"}]),
            "answers".to_string(),
        ),
    ] {
        let r = crate::appointments::book(&app, "fabrikam-qa", booking(answers.clone())).await;
        assert_eq!(r.status(), 422, "{answers}");
        let problem: Value = r.json().await.unwrap();
        assert!(
            problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == field.as_str()),
            "{answers}: {problem}"
        );
    }
    let r = crate::appointments::book(
        &app,
        "fabrikam-qa",
        booking(json!([{"questionId": topic, "answer": " Taxes "}, {"questionId": heard, "answer": "A friend"}])),
    )
    .await;
    assert_eq!(r.status(), 201);
    let (_, list) = api
        .get(&format!(
            "/businesses/fabrikam-qa/appointments?start={monday}&end={}",
            monday.tomorrow().unwrap()
        ))
        .await;
    let answers = &list["value"][0]["customers"][0]["customQuestionAnswers"];
    assert_eq!(answers[0]["question"], "What would you like to discuss?");
    assert_eq!(answers[0]["answer"], "Taxes");
    assert_eq!(answers[1]["answer"], "A friend");
    let emails = app.flush_outbox().await;
    let to_kim = emails
        .iter()
        .find(|e| e.lines().any(|l| l.starts_with("To:") && l.contains("kim@example.com")))
        .unwrap();
    let (_, text) = crate::common::bodies(to_kim);
    assert!(text.contains("What would you like to discuss? — Taxes"), "{text}");

    // The booking page asks them, and its form without JavaScript keeps what was typed.
    let page = crate::html::Page::parse(&app.page(&format!("/book/fabrikam-qa?service={service}&date={monday}"), None).await);
    assert_eq!(
        page.field("What would you like to discuss?").unwrap().name,
        format!("answer.{topic}")
    );
    assert!(page.text().contains("How did you hear of us? (optional)"));
    let r = app
        .client
        .post(app.url("/book/fabrikam-qa"))
        .header("x-forwarded-for", crate::common::next_address())
        .form(&[
            ("service", service.as_str()),
            ("start", start.as_str()),
            ("tz", BERLIN),
            ("name", "Bo Booker"),
            ("email", "bo@example.com"),
            (&format!("answer.{heard}"), "A search"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = crate::html::Page::parse(&r.text().await.unwrap());
    let asked = page.field("What would you like to discuss?").unwrap();
    assert!(
        asked.invalid && asked.description.as_ref().is_some_and(|d| d.contains("Please answer")),
        "{asked:?}"
    );

    // A question a service asks cannot go; once no service asks it, it can.
    assert_eq!(api.delete(&format!("/businesses/fabrikam-qa/customQuestions/{heard}")).await, 409);
    let (status, _) = api
        .patch(
            &format!("/businesses/fabrikam-qa/services/{service}"),
            json!({"customQuestions": [{"questionId": topic, "isRequired": true}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(api.delete(&format!("/businesses/fabrikam-qa/customQuestions/{heard}")).await, 204);
}

both_backends!(changes_made_at_once_each_keep_the_others_fields, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let api = Api {
        app: &app,
        token: app.owner_token().await,
    };
    api.post(
        "/businesses",
        json!({"displayName": "Tailspin", "timeZone": BERLIN, "slug": "tailspin"}),
    )
    .await;
    let (_, kim) = api.post("/businesses/tailspin/staffMembers", json!({"displayName": "Kim"})).await;
    let kim = kim["id"].as_str().unwrap().to_string();
    let colours = ["#1d4ed8", "#7c2d12"];
    for round in 0..10 {
        let name = format!("Tailspin {round}");
        let staff = format!("/businesses/tailspin/staffMembers/{kim}");
        let (a, b, c, d) = tokio::join!(
            api.patch("/businesses/tailspin", json!({"displayName": name})),
            api.patch("/businesses/tailspin", json!({"brandColor": colours[round % 2]})),
            api.patch(&staff, json!({"displayName": name})),
            api.patch(&staff, json!({"emailAddress": format!("kim{round}@example.com")})),
        );
        assert_eq!((a.0, b.0, c.0, d.0), (200, 200, 200, 200));
        let (_, business) = api.get("/organizer/businesses/tailspin").await;
        assert_eq!(
            (business["displayName"].as_str(), business["brandColor"].as_str()),
            (Some(name.as_str()), Some(colours[round % 2]))
        );
        let (_, list) = api.get("/businesses/tailspin/staffMembers").await;
        assert_eq!(list["value"][0]["displayName"], name.as_str());
        assert_eq!(list["value"][0]["emailAddress"], format!("kim{round}@example.com"));
    }
});
