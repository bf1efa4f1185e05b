//! Walks every dashboard route as a stranger, as an organizer of another organization, and as
//! the owner; checks every state-changing dashboard form for CSRF; and session lifetimes.

use crate::common::{person, Backend, TestApp};

#[tokio::test]
async fn every_dashboard_route_is_guarded() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slug = app.event(|e| e.manual_approval = true).await;
    let reg: serde_json::Value = app.register(&slug, person(1)).await.json().await.unwrap();
    let reg = reg["id"].as_str().unwrap();
    let token_id = server::accounts::tokens::create(
        &app.state.db,
        &app.owner,
        &server::accounts::tokens::NewToken {
            name: "t".into(),
            expires_in_days: None,
            scope: server::accounts::tokens::Scope::Write,
        },
    )
    .await
    .unwrap()
    .0;
    let (_, rival_password) = server::accounts::auth::create_organizer(&app.state.db, "rival@example.com", "Rival", None)
        .await
        .unwrap();
    let owner_id = app.owner.id.clone();
    let shop = crate::appointments::shop(&app).await;
    let start = crate::appointments::at(crate::appointments::next_monday(&app), 10, 0);
    let booked = crate::appointments::book(&app, &shop.slug, crate::appointments::booking(&shop.one_to_one, None, &start, 1)).await;
    let appointment = booked.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let business = shop.slug.clone();
    let ada = shop.ada.clone();
    let (service, group) = (shop.one_to_one.clone(), shop.group.clone());
    let off = server::appointments::setup::add_time_off(
        &app.state.db,
        &app.owner,
        &business,
        &ada,
        &serde_json::from_value(serde_json::json!({
            "startDateTime": {"dateTime": "2031-02-03T10:00:00", "timeZone": "UTC"},
            "endDateTime": {"dateTime": "2031-02-03T11:00:00", "timeZone": "UTC"},
        }))
        .unwrap(),
    )
    .await
    .unwrap()
    .1
    .id;
    let moved_to = crate::appointments::at(crate::appointments::next_monday(&app), 14, 0);
    let (owner_cookie, owner_csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let (rival_cookie, rival_csrf) = app.sign_in_as("rival@example.com", &rival_password).await;

    // (method, path, whether another organization must get 404 rather than its own page)
    let routes: Vec<(&str, String, bool)> = vec![
        ("GET", "/dashboard".into(), false),
        ("GET", "/dashboard/events/new".into(), false),
        ("GET", format!("/dashboard/events/{slug}"), true),
        ("GET", format!("/dashboard/events/{slug}/edit"), true),
        ("GET", format!("/dashboard/events/{slug}/messages"), true),
        ("GET", format!("/dashboard/events/{slug}/preview"), true),
        ("GET", format!("/dashboard/events/{slug}/registrations.csv"), true),
        ("GET", "/dashboard/tokens".into(), false),
        ("GET", "/dashboard/team".into(), false),
        ("GET", "/dashboard/microsoft".into(), false),
        ("POST", format!("/dashboard/events/{slug}/organizers"), true),
        ("POST", format!("/dashboard/events/{slug}/registrations/{reg}/approve"), true),
        ("POST", format!("/dashboard/events/{slug}/reminders"), true),
        ("POST", format!("/dashboard/events/{slug}/announce"), true),
        ("POST", format!("/dashboard/events/{slug}/edit"), true),
        ("POST", format!("/dashboard/events/{slug}/duplicate"), true),
        ("POST", format!("/dashboard/events/{slug}/publish"), true),
        ("POST", format!("/dashboard/tokens/{token_id}/revoke"), true),
        ("POST", format!("/dashboard/events/{slug}/cancel"), true),
        ("POST", "/dashboard/events".into(), false),
        ("POST", "/dashboard/tokens".into(), false),
        ("POST", "/dashboard/team".into(), false),
        ("GET", "/dashboard/appointments".into(), false),
        ("GET", format!("/dashboard/appointments/{business}"), true),
        ("GET", format!("/dashboard/appointments/{business}/customers"), true),
        (
            "GET",
            format!("/dashboard/appointments/{business}/appointments/{appointment}/move"),
            true,
        ),
        (
            "POST",
            format!("/dashboard/appointments/{business}/appointments/{appointment}/move"),
            true,
        ),
        ("POST", format!("/dashboard/appointments/{business}/unpublish"), true),
        ("POST", format!("/dashboard/appointments/{business}/publish"), true),
        ("POST", format!("/dashboard/appointments/{business}/services"), true),
        ("POST", format!("/dashboard/appointments/{business}/staff"), true),
        ("POST", format!("/dashboard/appointments/{business}/hours"), true),
        (
            "POST",
            format!("/dashboard/appointments/{business}/appointments/{appointment}/cancel"),
            true,
        ),
        ("GET", format!("/dashboard/appointments/{business}/staff/{ada}"), true),
        ("POST", format!("/dashboard/appointments/{business}/staff/{ada}"), true),
        ("POST", format!("/dashboard/appointments/{business}/staff/{ada}/time-off"), true),
        (
            "POST",
            format!("/dashboard/appointments/{business}/staff/{ada}/time-off/{off}/remove"),
            true,
        ),
        ("GET", format!("/dashboard/appointments/{business}/settings"), true),
        ("POST", format!("/dashboard/appointments/{business}/settings"), true),
        ("GET", format!("/dashboard/appointments/{business}/services/{service}"), true),
        ("POST", format!("/dashboard/appointments/{business}/services/{service}"), true),
        ("POST", format!("/dashboard/appointments/{business}/services/{group}/remove"), true),
        ("POST", "/dashboard/appointments".into(), false),
        ("POST", "/logout".into(), false),
    ];
    let body = |csrf: &str| {
        serde_urlencoded::to_string([
            ("csrf", csrf),
            ("hours", "24"),
            ("message", "hello"),
            ("status", "registered"),
            ("name", "n"),
            ("title", "Changed title"),
            ("startDateTime", "2031-01-01T10:00"),
            ("endDateTime", "2031-01-01T11:00"),
            ("timeZone", "UTC"),
            ("email", "newcomer@example.com"),
            ("organizer", owner_id.as_str()),
            ("displayName", "Added"),
            ("defaultDuration", "30"),
            ("staffName", "Sam"),
            ("emailAddress", "sam@example.com"),
            ("useBusinessHours", "1"),
            ("schedulingPolicy.timeSlotInterval", "30"),
            ("schedulingPolicy.minimumLeadTime", "60"),
            ("schedulingPolicy.maximumAdvance", "30"),
            ("preBuffer", "0"),
            ("postBuffer", "0"),
            ("maximumAttendeesCount", "1"),
            ("staff", ada.as_str()),
            ("from", "2031-01-01T10:00"),
            ("until", "2031-01-01T11:00"),
            ("start", moved_to.as_str()),
        ])
        .unwrap()
    };
    let send = |method: &str, path: &str, cookie: Option<&str>, form: Option<String>| {
        let mut req = app.client.request(method.parse().unwrap(), app.url(path));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        if let Some(f) = form {
            req = req.header("content-type", "application/x-www-form-urlencoded").body(f);
        }
        req.send()
    };
    for (method, path, scoped) in &routes {
        let post = *method == "POST";
        // Strangers are sent to sign in.
        let r = send(method, path, None, post.then(|| body("x"))).await.unwrap();
        assert_eq!(r.status(), 303, "anonymous {method} {path}");
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/login?next="));
        if post && path != "/logout" {
            // A form without the session's CSRF token is refused, whoever sends it.
            let r = send(method, path, Some(&owner_cookie), Some(body("forged"))).await.unwrap();
            assert_eq!(r.status(), 403, "CSRF {method} {path}");
        }
        if *scoped {
            let r = send(method, path, Some(&rival_cookie), post.then(|| body(&rival_csrf)))
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "other organization {method} {path}");
        }
    }
    // The owner can use every route (in this order the event is still there until canceled).
    for (method, path, _) in &routes {
        let post = *method == "POST";
        let r = send(method, path, Some(&owner_cookie), post.then(|| body(&owner_csrf)))
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status() == 303,
            "owner {method} {path}: {}",
            r.status()
        );
    }
}

#[tokio::test]
async fn sessions_expire_when_idle_and_after_their_lifetime() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let page = |c: String| {
        let client = app.client.clone();
        let url = app.url("/dashboard");
        async move { client.get(url).header("cookie", c).send().await.unwrap().status() }
    };
    assert_eq!(page(cookie.clone()).await, 200);
    app.clock.advance_secs(server::accounts::auth::IDLE_TIMEOUT - 60);
    assert_eq!(page(cookie.clone()).await, 200, "used within the idle timeout");
    app.clock.advance_secs(server::accounts::auth::IDLE_TIMEOUT + 1);
    assert_eq!(page(cookie.clone()).await, 303, "idle too long");

    // Used every 110 minutes, the session still ends 12 hours after sign-in.
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let step = server::accounts::auth::IDLE_TIMEOUT - 600;
    let mut busy = 0;
    while busy + step < server::accounts::auth::ABSOLUTE_TIMEOUT {
        app.clock.advance_secs(step);
        busy += step;
        assert_eq!(page(cookie.clone()).await, 200, "busy for {busy} s");
    }
    app.clock.advance_secs(server::accounts::auth::ABSOLUTE_TIMEOUT - busy + 1);
    assert_eq!(page(cookie).await, 303, "past the absolute lifetime, however busy");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "expired sessions are deleted");
}
