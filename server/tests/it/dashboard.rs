//! The dashboard as a browser without JavaScript uses it: sign-in and sessions, CSRF, scoping
//! to the organization, and organizer-written text rendered inert everywhere.

use crate::common::{Backend, TestApp};
use crate::html::Page;

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// A signed-in browser: its session cookie and the CSRF token from a dashboard page.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
}

impl<'a> Browser<'a> {
    async fn sign_in(app: &'a TestApp, email: &str, password: &str) -> Browser<'a> {
        let r = app
            .client
            .post(app.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("email", email), ("password", password), ("next", "/dashboard")]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "signed in");
        assert_eq!(r.headers()["location"], "/dashboard");
        let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
        for attr in ["__Host-atrium_session=", "Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
            assert!(set.contains(attr), "{attr} in {set}");
        }
        Browser {
            app,
            cookie: set.split(';').next().unwrap().to_string(),
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.app
            .client
            .get(self.app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    async fn csrf(&self) -> String {
        let html = self.get("/dashboard").await.text().await.unwrap();
        html.split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    }

    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(path))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", self.app.base.clone())
            .body(form(pairs))
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn sign_in_manage_and_sign_out() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Without a session every dashboard page sends you to sign in, and back afterwards.
    let r = app.client.get(app.url("/dashboard/events/new")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=%2Fdashboard%2Fevents%2Fnew");

    let wrong = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("email", &app.owner.email), ("password", "nope nope nope")]))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(Page::parse(&wrong.text().await.unwrap())
        .announcements()
        .contains("Wrong email or password."));

    let b = Browser::sign_in(&app, &app.owner.email, &app.owner_password).await;
    let csrf = b.csrf().await;
    let created = b
        .post(
            "/dashboard/events",
            &[
                ("csrf", &csrf),
                ("title", "Launch <script>alert(1)</script>"),
                ("slug", "launch"),
                ("summary", "{{7*7}} ${7*7}"),
                ("description", "<img src=x onerror=alert(1)>"),
                ("kind", "meeting"),
                ("startDateTime", "2031-05-01T10:00"),
                ("endDateTime", "2031-05-01T11:00"),
                ("timeZone", "America/New_York"),
                ("capacity", "10"),
                ("isWaitlistEnabled", "true"),
                ("joinUrl", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(created.status(), 422, "a javascript: link is refused");
    let join = Page::parse(&created.text().await.unwrap()).field("Join link").unwrap();
    assert!(join.invalid, "the field is marked invalid");
    assert_eq!(
        join.description.as_deref(),
        Some("Please enter a web address starting with https://.")
    );
    let created = b
        .post(
            "/dashboard/events",
            &[
                ("csrf", &csrf),
                ("title", "Launch <script>alert(1)</script>"),
                ("slug", "launch"),
                ("summary", "{{7*7}} ${7*7}"),
                ("description", "<img src=x onerror=alert(1)>"),
                ("kind", "meeting"),
                ("startDateTime", "2031-05-01T10:00"),
                ("endDateTime", "2031-05-01T11:00"),
                ("timeZone", "America/New_York"),
                ("capacity", "10"),
                ("isWaitlistEnabled", "true"),
                ("predefined.jobTitle", "true"),
                ("q.0.label", "Favourite <b>colour</b>"),
                ("q.0.type", "singleChoice"),
                ("q.0.choices", "Red; <i>Blue</i>"),
                ("q.0.position", "1"),
                ("p.0.name", "Ada <svg onload=alert(1)>"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    assert_eq!(created.headers()["location"], "/dashboard/events/launch");
    let overview = b.get("/dashboard/events/launch").await;
    assert_eq!(overview.headers()["cache-control"], "no-store");
    let html = overview.text().await.unwrap();
    assert!(html.contains("Launch &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)"));

    let preview = b.get("/dashboard/events/launch/preview").await.text().await.unwrap();
    assert!(preview.contains("Preview of a draft event") && preview.contains("Ada &lt;svg onload=alert(1)&gt;"));
    assert_eq!(
        app.client.get(app.url("/events/launch")).send().await.unwrap().status(),
        404,
        "drafts stay private"
    );
    let published = b.post("/dashboard/events/launch/publish", &[("csrf", &csrf)]).await;
    assert_eq!(published.status(), 303);
    // Organizer text is inert on the public page too.
    let public = app
        .client
        .get(app.url("/events/launch"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for raw in ["<script>alert(1)", "<img src=x", "<svg onload", "<b>colour</b>", "<i>Blue</i>"] {
        assert!(!public.contains(raw), "{raw} must be escaped");
    }
    let home = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("{{7*7}} ${7*7}"), "template syntax is shown as text, not evaluated");
    assert!(!home.contains("<script>alert(1)"));
    assert!(public.contains("Ada &lt;svg onload=alert(1)&gt;"));

    // A registrant, then a decision from the dashboard, CSV export and the edit form round trip.
    let r: serde_json::Value = app
        .register(
            "launch",
            serde_json::json!({"firstName": "Reg", "lastName": "One", "email": "reg@example.com"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = r["id"].as_str().unwrap();
    let no_csrf = b.post(&format!("/dashboard/events/launch/registrations/{id}/cancel"), &[]).await;
    assert_eq!(no_csrf.status(), 403);
    let done = b
        .post(&format!("/dashboard/events/launch/registrations/{id}/cancel"), &[("csrf", &csrf)])
        .await;
    assert_eq!(done.status(), 303);
    let csv = b.get("/dashboard/events/launch/registrations.csv").await.text().await.unwrap();
    assert!(csv.contains("reg@example.com") && csv.contains("canceled"));
    let edit = b.get("/dashboard/events/launch/edit").await.text().await.unwrap();
    assert!(edit.contains(r#"value="2031-05-01T10:00""#), "wall-clock time in the event's zone");
    assert!(edit.contains("Red; &lt;i&gt;Blue&lt;/i&gt;"));

    // Reminders are editable; the message log shows what was sent to whom.
    assert_eq!(
        b.post("/dashboard/events/launch/reminders", &[("csrf", &csrf), ("hours", "48, 2")])
            .await
            .status(),
        303
    );
    let html = b.get("/dashboard/events/launch").await.text().await.unwrap();
    assert!(html.contains("2 days before") && html.contains("2 hours before") && !html.contains("1 day before"));
    assert_eq!(
        b.post("/dashboard/events/launch/reminders", &[("csrf", &csrf), ("hours", "soon")])
            .await
            .status(),
        422
    );
    let emails = app.flush_outbox().await;
    let confirmation = emails
        .iter()
        .find(|m| m.contains("reg@example.com") && m.contains("registered"))
        .expect("confirmation email");
    let (html_body, _) = crate::common::bodies(confirmation);
    assert!(
        html_body.contains("Launch &lt;script&gt;alert(1)&lt;/script&gt;"),
        "organizer text is escaped in email"
    );
    assert!(!html_body.contains("<script>"));
    let log = b.get("/dashboard/events/launch/messages").await.text().await.unwrap();
    assert!(log.contains("reg@example.com") && log.contains("confirmation") && log.contains("canceled") && log.contains("sent 20"));

    // The Teams attendance report is uploaded as a file; minutes show per registrant.
    let report = "Name,In-Meeting Duration,Email\nReg One,41m 50s,reg@example.com\n";
    let upload = reqwest::multipart::Form::new().text("csrf", csrf.clone()).part(
        "report",
        reqwest::multipart::Part::bytes(report.as_bytes().to_vec()).file_name("attendance.csv"),
    );
    let r = app
        .client
        .post(app.url("/dashboard/events/launch/attendance"))
        .header("cookie", &b.cookie)
        .multipart(upload)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the result is a page of its own");
    let result = r.text().await.unwrap();
    assert!(result.contains("matched a registration"), "{result}");
    let html = b.get("/dashboard/events/launch").await.text().await.unwrap();
    assert!(html.contains("42 min") && html.contains("Time attended"), "attendance shown");
    let forged = reqwest::multipart::Form::new()
        .text("csrf", "wrong")
        .part("report", reqwest::multipart::Part::bytes(report.as_bytes().to_vec()));
    let r = app
        .client
        .post(app.url("/dashboard/events/launch/attendance"))
        .header("cookie", &b.cookie)
        .multipart(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The token page shows a new token once.
    let t = b
        .post("/dashboard/tokens", &[("csrf", &csrf), ("name", "CRM")])
        .await
        .text()
        .await
        .unwrap();
    let token = t
        .split("<code class=\"token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let api = app
        .client
        .get(app.url("/api/v1/organizer/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);

    // Signing out ends the session for good.
    let out = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), 303);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(b.get("/dashboard").await.status(), 303);
}

#[tokio::test]
async fn organizations_cannot_see_each_other() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slug = app.event(|_| {}).await;
    let (_, password) = server::accounts::auth::create_organizer(&app.state.db, "rival@example.com", "Rival Org", None)
        .await
        .unwrap();
    let rival = Browser::sign_in(&app, "rival@example.com", &password).await;
    let csrf = rival.csrf().await;
    for path in [
        format!("/dashboard/events/{slug}"),
        format!("/dashboard/events/{slug}/edit"),
        format!("/dashboard/events/{slug}/registrations.csv"),
    ] {
        assert_eq!(rival.get(&path).await.status(), 404, "{path}");
    }
    for path in ["publish", "cancel", "duplicate", "announce"] {
        assert_eq!(
            rival
                .post(&format!("/dashboard/events/{slug}/{path}"), &[("csrf", &csrf), ("message", "x")])
                .await
                .status(),
            404,
            "{path}"
        );
    }
    let list = rival.get("/dashboard").await.text().await.unwrap();
    assert!(!list.contains(&slug));
    let owner = Browser::sign_in(&app, &app.owner.email, &app.owner_password).await;
    assert_eq!(owner.get(&format!("/dashboard/events/{slug}")).await.status(), 200);
}

#[tokio::test]
async fn sessions_are_rotated_and_cross_site_posts_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let first = Browser::sign_in(&app, &app.owner.email, &app.owner_password).await;
    // Signing in again from the same browser replaces the session.
    let again = app
        .client
        .post(app.url("/login"))
        .header("cookie", &first.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("email", &app.owner.email), ("password", &app.owner_password)]))
        .send()
        .await
        .unwrap();
    let second = again.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(second, first.cookie);
    assert_eq!(first.get("/dashboard").await.status(), 303, "the old session is gone");
    let b = Browser { app: &app, cookie: second };
    let csrf = b.csrf().await;
    let cross = app
        .client
        .post(app.url("/dashboard/events"))
        .header("cookie", &b.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(form(&[("csrf", &csrf), ("title", "Evil")]))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    // An open redirect through ?next= is not possible.
    let r = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("email", &app.owner.email),
            ("password", &app.owner_password),
            ("next", "//evil.example/"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/dashboard");
}

#[tokio::test]
async fn co_organizers_are_invited_with_a_one_time_link() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slug = app.event(|_| {}).await;
    let owner = Browser::sign_in(&app, &app.owner.email, &app.owner_password).await;
    let csrf = owner.csrf().await;
    let page = owner
        .post("/dashboard/team", &[("csrf", &csrf), ("email", "co@example.com")])
        .await
        .text()
        .await
        .unwrap();
    let link = page
        .split("<code class=\"token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let path = link.trim_start_matches("http://localhost:3000").to_string();
    assert!(path.starts_with("/invite/"));
    let form_page = app.client.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    let form_page = Page::parse(&form_page);
    assert!(form_page.text().contains("Join Owner Org on Atrium") && form_page.text().contains("co@example.com"));
    let post = |password: &'static str| {
        app.client
            .post(app.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("password", password)]))
            .send()
    };
    let weak = post("short").await.unwrap();
    assert_eq!(weak.status(), 422);
    let weak = Page::parse(&weak.text().await.unwrap());
    assert_eq!(weak.announcements(), "Use at least 12 characters.", "the refusal is announced");
    let joined = post("a long enough password").await.unwrap();
    assert_eq!(joined.status(), 303);
    let cookie = joined.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let co = Browser { app: &app, cookie };
    assert!(
        co.get("/dashboard").await.text().await.unwrap().contains(&slug),
        "the co-organizer sees the organization's events"
    );
    assert_eq!(post("a long enough password").await.unwrap().status(), 404, "the link works once");

    // The event's organizers are chosen among the members.
    let co_id: String = sqlx::query_scalar("SELECT id FROM organizers WHERE email_normalized = 'co@example.com'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = owner
        .post(
            &format!("/dashboard/events/{slug}/organizers"),
            &[("csrf", &csrf), ("organizer", &app.owner.id), ("organizer", &co_id)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let organizers = server::events::organizers::event_organizers(&app.state.db, &app.owner, &slug)
        .await
        .unwrap();
    assert_eq!(organizers.len(), 2);
    let stranger = owner
        .post(
            &format!("/dashboard/events/{slug}/organizers"),
            &[("csrf", &csrf), ("organizer", "someone-else")],
        )
        .await;
    assert_eq!(stranger.status(), 422);
}
