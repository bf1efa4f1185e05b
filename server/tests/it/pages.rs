//! The server-rendered pages and their plain form posts, as a browser without JavaScript uses them.

use crate::common::{question, Backend, TestApp};
use crate::html::Page;
use app::domain::AnswerInputType;

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

async fn post_form(app: &TestApp, path: &str, body: String) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn register_view_and_cancel_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slug = app
        .event(|e| {
            e.title = "Rust & <Teams>".into();
            e.terms_url = Some("https://example.com/terms".into());
            e.questions = vec![
                question("Company", AnswerInputType::Text, true, &[]),
                question("Topics", AnswerInputType::MultiChoice, false, &["Calling", "Chat"]),
            ];
        })
        .await;
    let company = app.question_id(&slug, "Company").await;
    let topics = app.question_id(&slug, "Topics").await;

    let page = app.client.get(app.url(&format!("/events/{slug}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        csp.contains("object-src 'none'") && csp.contains("base-uri 'none'") && csp.contains("frame-ancestors"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Rust &amp; &lt;Teams&gt;"), "titles are escaped");
    let read = Page::parse(&html);
    assert!(
        read.form_actions().contains(&format!("/events/{slug}")),
        "the form posts to the event page"
    );
    assert_eq!(read.field("First name").expect("a field labelled First name").name, "firstName");
    assert_eq!(
        read.field("Company").expect("the question is a labelled field").name,
        format!("answers.{company}")
    );
    assert!(read.has_button("Register"));
    assert!(read.text().contains("Pat Presenter"));
    assert!(
        html.contains("(CET)") || html.contains("(CEST)"),
        "times in the event's zone by default"
    );
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "the hydration script carries the CSP nonce"
    );

    // Errors come back on the page with what was typed.
    let bad = post_form(
        &app,
        &format!("/events/{slug}"),
        form(&[
            ("firstName", "Ada"),
            ("lastName", ""),
            ("email", "ada@nowhere"),
            ("preferredTimezone", "Asia/Tokyo"),
        ]),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let read = Page::parse(&bad.text().await.unwrap());
    // Each problem is announced against its own field, and what was typed is kept.
    let last = read.field("Last name").unwrap();
    assert!(last.invalid);
    assert_eq!(last.description.as_deref(), Some("Please enter your last name."));
    let email = read.field("Email").unwrap();
    assert_eq!(email.value, "ada@nowhere", "the email is kept");
    assert_eq!(
        email.description.as_deref(),
        Some("Please enter an email address like name@example.com.")
    );
    assert_eq!(read.field("First name").unwrap().description, None);
    assert_eq!(
        read.field("Company").unwrap().description.as_deref(),
        Some("Please answer this question.")
    );
    assert!(read.announcements().contains("Please accept the terms to register."));

    let ok = post_form(
        &app,
        &format!("/events/{slug}"),
        form(&[
            ("firstName", "Ada"),
            ("lastName", "Lovelace"),
            ("email", "ada@example.com"),
            ("preferredTimezone", "Asia/Tokyo"),
            (&format!("answers.{company}"), "Analytical Engines Ltd"),
            (&format!("answers.{topics}"), "Calling"),
            (&format!("answers.{topics}"), "Chat"),
            ("acceptTerms", "true"),
        ]),
    )
    .await;
    assert_eq!(ok.status(), 303);
    let location = ok.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/r/") && location.ends_with("?new=1"), "{location}");
    let token = location.trim_start_matches("/r/").trim_end_matches("?new=1").to_string();

    let manage = app.client.get(app.url(&location)).send().await.unwrap();
    assert_eq!(manage.headers()["cache-control"], "no-store");
    let html = manage.text().await.unwrap();
    let read = Page::parse(&html);
    assert!(read.announcements().contains("You're registered!"), "{}", read.announcements());
    assert!(read.link("Join the event").is_some());
    assert!(read.has_button("Cancel my registration"));
    assert!(read.text().contains("Analytical Engines Ltd"));
    assert!(read.text().contains("Calling; Chat"));
    assert!(html.contains("(JST)"), "times in the registrant's zone");

    let ics = app.client.get(app.url(&format!("/r/{token}/invite.ics"))).send().await.unwrap();
    assert_eq!(ics.headers()["content-type"], "text/calendar; charset=utf-8");
    let ics = ics.text().await.unwrap();
    assert!(ics.contains("SUMMARY:Rust & <Teams>") && ics.contains("STATUS:CONFIRMED"));

    let cancel = post_form(&app, &format!("/r/{token}/cancel"), String::new()).await;
    assert_eq!(cancel.status(), 303);
    let html = app
        .client
        .get(app.url(&format!("/r/{token}?canceled=1")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let read = Page::parse(&html);
    assert!(
        read.announcements().contains("Your registration is canceled."),
        "{}",
        read.announcements()
    );
    assert!(!read.has_button("Cancel my registration"));
    assert!(read.link("Join the event").is_none());
}

#[tokio::test]
async fn waitlist_and_full_pages() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slug = app.event(|e| e.capacity = Some(1)).await;
    assert_eq!(app.register(&slug, crate::common::person(1)).await.status(), 201);
    let html = app
        .client
        .get(app.url(&format!("/events/{slug}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(Page::parse(&html).has_button("Join the waitlist"));
    let r = post_form(
        &app,
        &format!("/events/{slug}"),
        form(&[("firstName", "Bo"), ("lastName", "Wait"), ("email", "bo@example.com")]),
    )
    .await;
    assert_eq!(r.status(), 303);
    let html = app
        .client
        .get(app.url(r.headers()["location"].to_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("on the waitlist at position 1"), "{html}");

    let full = app
        .event(|e| {
            e.capacity = Some(0);
            e.waitlist_enabled = false;
        })
        .await;
    let html = app
        .client
        .get(app.url(&format!("/events/{full}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let read = Page::parse(&html);
    assert!(read.text().contains("This event is full."));
    assert!(!read.form_actions().contains(&format!("/events/{full}")), "no registration form");
    assert!(!read.has_button("Register"));
}

#[tokio::test]
async fn time_zone_switch_works_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slug = app.event(|_| {}).await;
    let r = app
        .client
        .get(app.url(&format!("/events/{slug}?tz=America/New_York")))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("atrium_tz=America/New_York"), "{cookie}");
    let html = r.text().await.unwrap();
    assert!(html.contains("(EST)") || html.contains("(EDT)"));
    assert_eq!(Page::parse(&html).selected("Show times in").as_deref(), Some("America/New_York"));
    // The choice sticks through the cookie; an unknown zone is ignored.
    let html = app
        .client
        .get(app.url(&format!("/events/{slug}?tz=Nowhere/Land")))
        .header("cookie", "atrium_tz=Asia%2FKolkata")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("(IST)"), "{html}");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slug = app.event(|_| {}).await;
    let r: serde_json::Value = app.register(&slug, crate::common::person(1)).await.json().await.unwrap();
    let token = r["manageToken"].as_str().unwrap();
    let body = form(&[("firstName", "Eve"), ("lastName", "Evil"), ("email", "eve@example.com")]);
    for (path, body) in [
        (format!("/events/{slug}"), body.clone()),
        (format!("/r/{token}/cancel"), String::new()),
        (format!("/api/v1/registrations/{token}/cancel"), String::new()),
    ] {
        for headers in [vec![("sec-fetch-site", "cross-site")], vec![("origin", "https://evil.example")]] {
            let mut req = app
                .client
                .post(app.url(&path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone());
            for (k, v) in &headers {
                req = req.header(*k, *v);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 403, "{path} {headers:?}");
        }
    }
    let still: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/registrations/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "registered");
    assert_eq!(app.event_json(&slug).await["registeredCount"], 1);
}

#[tokio::test]
async fn unknown_pages_and_links_are_friendly_404s() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in ["/nope", "/events/missing-event", "/r/not-a-token"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(r.headers().contains_key("content-security-policy"));
    }
}
