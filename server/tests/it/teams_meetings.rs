//! Microsoft mode beyond webinar registrations: meeting-kind events as Teams meetings with
//! their join link, organizers' own accounts, the device-code connect for headless servers,
//! "Sign in with Microsoft", importing existing Teams webinars, resync after missed
//! notifications, and attendance read automatically once an event is over.

use crate::common::SimConfig;
use crate::common::{person, Backend, TestApp};
use graphsim::{Fault, Sim};
use server::microsoft::client::{GraphClient, RetryPolicy};
use server::microsoft::delegated::{Account, Delegated};
use server::microsoft::sync::TeamsSync;
use std::time::Duration;

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    }
}

fn sealer() -> server::crypto::Sealer {
    server::crypto::Sealer::from_base64(KEY).unwrap()
}

/// Seeds a connected account (as if signed in earlier) for the sim's current user.
pub(crate) async fn seed_account(app: &TestApp, sim: &Sim, account: &Account) {
    let refresh = format!("sim-refresh-seeded-{}", uuid::Uuid::new_v4().simple());
    sim.state.lock().unwrap().refresh_tokens.push(refresh.clone());
    let sealed = sealer().seal(&refresh);
    match account {
        Account::Service(org) => sqlx::query(
            "INSERT INTO microsoft_accounts (organization_id, connected_by, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) VALUES ($1, $2, 'svc@contoso.example', $3, 0, 0)",
        )
        .bind(org)
        .bind(&app.owner.id)
        .bind(sealed),
        Account::Personal(organizer) => sqlx::query(
            "INSERT INTO personal_microsoft_accounts (organizer_id, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) VALUES ($1, 'me@contoso.example', $2, 0, 0)",
        )
        .bind(organizer)
        .bind(sealed),
    }
    .execute(&app.state.db.pool)
    .await
    .unwrap();
}

pub(crate) fn sync_for(app: &TestApp, sim: &Sim) -> TeamsSync {
    let delegated = Delegated::new(app.state.db.clone(), sim.config(), sealer(), &app.base);
    TeamsSync::new(
        app.state.db.clone(),
        GraphClient::new(sim.config(), quick()),
        app.state.sealer.clone(),
    )
    .with_delegated(delegated)
}

pub(crate) async fn due_now(app: &TestApp) {
    sqlx::query("UPDATE outbox SET available_at = 0 WHERE sent_at IS NULL")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
}

pub(crate) async fn microsoft_app(backend: Backend, sim: &Sim) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::config_for(backend, &dir).await;
    config.graph = Some(sim.config());
    config.sealer = Some(sealer());
    TestApp::spawn_with(config, dir).await
}

both_backends!(a_meeting_event_becomes_one_teams_meeting_with_its_join_link, |backend| async move {
    let sim = Sim::start().await;
    let app = TestApp::spawn(backend).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    let slug = app
        .event(|e| {
            e.kind = app::domain::EventKind::Meeting;
            e.status = app::domain::EventStatus::Draft;
            e.join_url = None;
            e.title = "Office hours".into();
        })
        .await;
    server::events::publish(&app.state.db, &app.owner, &slug, true).await.unwrap();
    due_now(&app).await;
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    let event = server::events::for_registration(&app.state.db, &slug).await.unwrap().unwrap();
    let meeting_id = event.teams_meeting_id.clone().expect("the meeting's id is stored");
    let join = event.teams_join_url.clone().expect("the join link is stored");
    assert!(join.starts_with("https://teams.microsoft.com/l/meetup-join/"));
    assert_eq!(event.join_link(), Some(join.as_str()), "Atrium shows the Teams link");
    {
        let s = sim.state.lock().unwrap();
        assert_eq!(s.meetings.len(), 1);
        assert_eq!(s.meetings[&meeting_id]["subject"], "Office hours");
        assert_eq!(s.meetings[&meeting_id]["externalId"], event.id.as_str());
    }

    // A crash after Teams made the meeting but before Atrium stored it: the retry finds the
    // same meeting (createOrGet by our event id) instead of making a second one.
    sqlx::query("UPDATE events SET teams_meeting_id = NULL, teams_join_url = NULL, teams_stage = NULL WHERE slug = $1")
        .bind(&slug)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let mut tx = app.state.db.begin_write().await.unwrap();
    server::jobs::teams::create_event(&mut tx, &event.id).await.unwrap();
    tx.commit().await.unwrap();
    due_now(&app).await;
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    assert_eq!(sim.state.lock().unwrap().meetings.len(), 1, "still one meeting");
    let event = server::events::for_registration(&app.state.db, &slug).await.unwrap().unwrap();
    assert_eq!(event.teams_meeting_id.as_deref(), Some(meeting_id.as_str()));

    // Organizers see where the event stands in Teams through the API.
    let bearer = app.owner_token().await;
    let list: serde_json::Value = app
        .client
        .get(app.url("/api/v1/organizer/events"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["slug"] == slug.as_str())
        .unwrap();
    assert_eq!(mine["teams"]["meetingId"], meeting_id.as_str());
    assert_eq!(mine["teams"]["joinUrl"], join.as_str());
    assert_eq!(mine["teams"]["owner"], "service");
    let public: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/events/{slug}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(public.get("teams").is_none(), "the public API does not show it");

    // Registrants get the join link in their email and on their page.
    assert_eq!(app.register(&slug, person(1)).await.status(), 201);
    let mails = app.flush_outbox().await;
    let (_, text) = crate::common::bodies(mails.last().unwrap());
    assert!(text.contains(&format!("Join: {join}")), "{text}");
    let token = app.manage_token_of("person1@example.com").await;
    let page = app.page(&format!("/r/{token}"), None).await;
    assert!(page.contains(&join.replace('&', "&amp;")), "the manage page links the meeting");

    // Renaming and moving the event updates the meeting.
    let input: server::events::EventInput = serde_json::from_value(serde_json::json!({"title": "Office hours (moved)"})).unwrap();
    server::events::update(&app.state.db, &app.owner, &slug, &input).await.unwrap();
    due_now(&app).await;
    assert_eq!(sync.sync_updates().await.unwrap(), 1);
    assert_eq!(sim.state.lock().unwrap().meetings[&meeting_id]["subject"], "Office hours (moved)");

    // After the meeting, attendance is read from Teams without anyone asking.
    sim.state.lock().unwrap().meeting_attendance.insert(
        meeting_id.clone(),
        vec![serde_json::json!({"emailAddress": "person1@example.com", "totalAttendanceInSeconds": 1500, "role": "Attendee"})],
    );
    assert_eq!(sync.attendance_pass().await.unwrap(), 0, "not before the meeting is over");
    let now = jiff::Timestamp::now().as_second();
    sqlx::query("UPDATE events SET start_at = $2, end_at = $3 WHERE slug = $1")
        .bind(&slug)
        .bind(now - 7200)
        .bind(now - 3600)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(sync.attendance_pass().await.unwrap(), 1);
    let seconds: i64 = sqlx::query_scalar("SELECT seconds FROM attendance WHERE email_normalized = 'person1@example.com'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(seconds, 1500);
    assert_eq!(sync.attendance_pass().await.unwrap(), 0, "read once the records are in");

    // Canceling the event removes the meeting from Teams.
    server::events::cancel(&app.state.db, &app.owner, &slug, None).await.unwrap();
    due_now(&app).await;
    assert_eq!(sync.sync_webinar_cancellations().await.unwrap(), 1);
    assert!(sim.state.lock().unwrap().meetings.is_empty());
});

#[tokio::test]
async fn an_organizer_with_their_own_account_owns_what_they_publish() {
    let sim = Sim::start().await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let (colleague, _) = server::accounts::auth::create_organizer(&app.state.db, "colleague@example.com", "Owner Org", None)
        .await
        .unwrap();
    // The colleague connects their own account; Microsoft signs them in as themselves.
    sim.state.lock().unwrap().user = Some(("oid-colleague".into(), "colleague@contoso.example".into(), "Colleague".into()));
    let delegated = Delegated::new(app.state.db.clone(), sim.config(), sealer(), "http://localhost:3000");
    let url = delegated
        .authorize_url(&colleague, &Account::Personal(colleague.id.clone()))
        .await
        .unwrap();
    let back = app.client.get(&url).send().await.unwrap();
    let location = back.headers()["location"].to_str().unwrap().to_string();
    let q: std::collections::HashMap<String, String> = serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap();
    let (account, upn) = delegated.complete(&colleague, &q["state"], &q["code"]).await.unwrap();
    assert_eq!(account, Account::Personal(colleague.id.clone()));
    assert_eq!(upn, "colleague@contoso.example");
    assert!(
        delegated
            .authorize_url(&colleague, &Account::Personal(app.owner.id.clone()))
            .await
            .is_err(),
        "nobody connects someone else's account"
    );

    let mine = app.event(|e| e.status = app::domain::EventStatus::Draft).await;
    let theirs = app.event(|e| e.status = app::domain::EventStatus::Draft).await;
    server::events::publish(&app.state.db, &app.owner, &mine, true).await.unwrap();
    server::events::publish(&app.state.db, &colleague, &theirs, true)
        .await
        .unwrap_or_else(|_| panic!("colleague publishes"));
    due_now(&app).await;
    let sync = sync_for(&app, &sim);
    assert_eq!(sync.sync_webinars().await.unwrap(), 2);
    let owner_of = |slug: &str| {
        let slug = slug.to_string();
        let db = app.state.db.clone();
        let sim = sim.clone();
        async move {
            let id: String = sqlx::query_scalar("SELECT teams_webinar_id FROM events WHERE slug = $1")
                .bind(&slug)
                .fetch_one(&db.pool)
                .await
                .unwrap();
            sim.state.lock().unwrap().organizers[&id].clone()
        }
    };
    assert_eq!(owner_of(&theirs).await, "colleague@contoso.example");
    assert_eq!(owner_of(&mine).await, "events-service@contoso.example");
}

#[tokio::test]
async fn a_headless_server_connects_with_a_device_code() {
    let sim = Sim::start().await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let delegated = Delegated::new(app.state.db.clone(), sim.config(), sealer(), &app.base);
    let code = delegated.device_start().await.unwrap();
    assert_eq!(code.user_code().secret(), "SIMCODE1");
    assert!(code.extra_fields().message.contains("https://microsoft.com/devicelogin"));
    // The first poll is told to wait; the second gets the tokens.
    let upn = delegated.device_finish(&code, &app.owner).await.unwrap();
    assert_eq!(upn, "events-service@contoso.example");
    let account = Account::Service(app.owner.organization_id.clone());
    assert!(delegated.status(&account).await.unwrap().is_some());
    assert!(delegated.access_token(&account).await.unwrap().starts_with("sim-user-token-"));
    // A code nobody issued is refused with Microsoft's reason.
    let mut forged = serde_json::to_value(&code).unwrap();
    forged["device_code"] = "device-forged".into();
    let forged: server::microsoft::delegated::DeviceCode = serde_json::from_value(forged).unwrap();
    let err = delegated.device_finish(&forged, &app.owner).await.unwrap_err();
    assert!(err.to_string().contains("AADSTS70019"), "{err}");
}

/// Follows a started OpenID Connect round trip (`start`, a redirect to the identity platform
/// that set the OIDC cookie) as a browser would, sending `cookies` (the OIDC cookie is added
/// when `keep_cookie`) to the callback; returns the callback's response.
async fn finish_oidc(app: &TestApp, start: reqwest::Response, keep_cookie: bool, cookies: &[&str]) -> reqwest::Response {
    assert_eq!(start.status(), 303);
    let oidc = start.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(oidc.starts_with("__Host-atrium_oidc="));
    let authorize = start.headers()["location"].to_str().unwrap().to_string();
    assert!(authorize.contains("nonce=") && authorize.contains("scope=openid"), "{authorize}");
    let back = app.client.get(&authorize).send().await.unwrap();
    let callback = back.headers()["location"]
        .to_str()
        .unwrap()
        .replace("http://localhost:3000", &app.base);
    let mut sent: Vec<String> = cookies.iter().map(|c| c.to_string()).collect();
    if keep_cookie {
        sent.push(oidc);
    }
    let mut request = app.client.get(callback);
    if !sent.is_empty() {
        request = request.header("cookie", sent.join("; "));
    }
    request.send().await.unwrap()
}

/// Follows "Sign in with Microsoft" as a browser would; returns the callback's response.
async fn sign_in_with_microsoft(app: &TestApp, keep_cookie: bool) -> reqwest::Response {
    let start = app
        .client
        .get(app.url("/login/microsoft?next=/dashboard/team"))
        .send()
        .await
        .unwrap();
    finish_oidc(app, start, keep_cookie, &[]).await
}

/// Starts "Link Microsoft account" in the session `cookie` (with its CSRF token).
async fn start_link(app: &TestApp, cookie: &str, csrf: &str) -> reqwest::Response {
    app.post_form("/dashboard/microsoft/link", cookie, &[("csrf", csrf)]).await
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("__Host-atrium_session=") && c.len() > "__Host-atrium_session=".len())
}

async fn linked_oid(app: &TestApp, organizer: &str) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT microsoft_oid, microsoft_tid FROM organizers WHERE id = $1")
        .bind(organizer)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

both_backends!(organizers_sign_in_with_a_microsoft_account_they_linked, |backend| async move {
    let sim = Sim::start().await;
    let app = microsoft_app(backend, &sim).await;
    let login = app.client.get(app.url("/login")).send().await.unwrap();
    // Connect forms redirect to the identity platform; the policy lets them.
    let csp = login.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("form-action 'self' http://127.0.0.1:"), "{csp}");
    assert!(login.text().await.unwrap().contains("Sign in with Microsoft"));

    // Someone whose Microsoft account nobody linked is turned away.
    sim.state.lock().unwrap().user = Some(("oid-stranger".into(), "stranger@contoso.example".into(), "Stranger".into()));
    let r = sign_in_with_microsoft(&app, true).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains(
        "The Microsoft account stranger@contoso.example is not linked to an organizer account here. Sign in with your email and password, then link your Microsoft account"
    ));
    // So is a Microsoft account whose (changeable, unverified) email claim is the owner's.
    sim.state.lock().unwrap().user = Some(("oid-impostor".into(), app.owner.email.clone(), "Impostor".into()));
    let r = sign_in_with_microsoft(&app, true).await;
    assert_eq!(r.status(), 400, "an email claim signs nobody in");
    assert!(session_cookie(&r).is_none());
    assert_eq!(linked_oid(&app, &app.owner.id).await, (None, None), "and links nothing");

    // The owner signs in with their password and links their Microsoft account.
    sim.state.lock().unwrap().user = Some(("oid-owner".into(), "owner@contoso.example".into(), "Owner".into()));
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let page = app.page("/dashboard/microsoft", Some(&cookie)).await;
    assert!(page.contains("Not linked: you sign in with your email and password."), "{page}");
    let start = start_link(&app, &cookie, &csrf).await;
    let r = finish_oidc(&app, start, true, &[&cookie]).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/dashboard/microsoft?done=linked"));
    assert_eq!(
        linked_oid(&app, &app.owner.id).await,
        (Some("oid-owner".into()), Some(graphsim::TENANT.into())),
        "object id and tenant id"
    );
    let page = app.page("/dashboard/microsoft", Some(&cookie)).await;
    assert!(
        page.contains("you can sign in with Microsoft as <strong>owner@contoso.example</strong>"),
        "{page}"
    );
    assert!(page.contains("Unlink Microsoft account"));

    // Signed out, they sign in with Microsoft.
    assert_eq!(app.post_form("/logout", &cookie, &[("csrf", &csrf)]).await.status(), 303);
    let r = sign_in_with_microsoft(&app, true).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dashboard/team");
    let session = session_cookie(&r).expect("a session cookie");
    let team = app
        .client
        .get(app.url("/dashboard/team"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(team.status(), 200);
    // Linked by object id: a later email change in Microsoft does not lock the owner out.
    sim.state.lock().unwrap().user = Some(("oid-owner".into(), "renamed@contoso.example".into(), "Owner".into()));
    assert_eq!(sign_in_with_microsoft(&app, true).await.status(), 303);

    // An ID token altered on its way (its signature no longer matches) is refused.
    sim.state.lock().unwrap().forge_id_tokens = true;
    let r = sign_in_with_microsoft(&app, true).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("could not be trusted (signature)"));
    sim.state.lock().unwrap().forge_id_tokens = false;

    // An answer arriving in a browser that did not start the sign-in is refused.
    let r = sign_in_with_microsoft(&app, false).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("started in another browser"));

    // Unlinked, the Microsoft account signs nobody in again.
    let csrf = app
        .page("/dashboard", Some(&session))
        .await
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = app.post_form("/dashboard/microsoft/unlink", &session, &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(linked_oid(&app, &app.owner.id).await, (None, None));
    assert_eq!(sign_in_with_microsoft(&app, true).await.status(), 400);
});

both_backends!(a_microsoft_link_lands_only_in_the_session_that_started_it, |backend| async move {
    let sim = Sim::start().await;
    let app = microsoft_app(backend, &sim).await;
    let (colleague, colleague_password) =
        server::accounts::auth::create_organizer(&app.state.db, "colleague@example.com", "Owner Org", None)
            .await
            .unwrap();
    let (owner_cookie, owner_csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let (colleague_cookie, colleague_csrf) = app.sign_in_as(&colleague.email, &colleague_password).await;

    // Without the session's CSRF token, no link starts.
    let r = app
        .post_form("/dashboard/microsoft/link", &owner_cookie, &[("csrf", "forged")])
        .await;
    assert_eq!(r.status(), 403);

    // The colleague starts a link with their Microsoft account; the answer lands in the owner's
    // session (even with the colleague's OIDC cookie): nothing is linked to anyone.
    sim.state.lock().unwrap().user = Some(("oid-colleague".into(), "colleague@contoso.example".into(), "Colleague".into()));
    let start = start_link(&app, &colleague_cookie, &colleague_csrf).await;
    let r = finish_oidc(&app, start, true, &[&owner_cookie]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("started in another session"));
    // Or in no session at all.
    let start = start_link(&app, &colleague_cookie, &colleague_csrf).await;
    let r = finish_oidc(&app, start, true, &[]).await;
    assert_eq!(r.status(), 400);
    assert_eq!(linked_oid(&app, &app.owner.id).await, (None, None));
    assert_eq!(linked_oid(&app, &colleague.id).await, (None, None));
    // A link can't be used to sign in either.
    assert_eq!(sign_in_with_microsoft(&app, true).await.status(), 400);

    // In the colleague's own session it links to the colleague.
    let start = start_link(&app, &colleague_cookie, &colleague_csrf).await;
    let r = finish_oidc(&app, start, true, &[&colleague_cookie]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(linked_oid(&app, &colleague.id).await.0.as_deref(), Some("oid-colleague"));
    // The same Microsoft account can't be linked to a second organizer.
    let start = start_link(&app, &owner_cookie, &owner_csrf).await;
    let r = finish_oidc(&app, start, true, &[&owner_cookie]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("already linked to another organizer account"));
    assert_eq!(linked_oid(&app, &app.owner.id).await, (None, None));
    // Signing in with it signs in the colleague.
    let r = sign_in_with_microsoft(&app, true).await;
    assert_eq!(r.status(), 303);
    let session = session_cookie(&r).unwrap();
    let page = app.page("/dashboard/microsoft", Some(&session)).await;
    assert!(page.contains("colleague@example.com"), "the colleague's dashboard");
});

#[test]
fn id_tokens_are_checked_before_anyone_is_signed_in() {
    use base64::Engine;
    let config = server::microsoft::client::GraphConfig {
        tenant_id: "tenant-1".into(),
        client_id: "app-1".into(),
        client_secret: server::config::Secret::new("s"),
        graph_base: "https://graph.example".into(),
        login_base: "https://login.example".into(),
    };
    let now = 1_800_000_000;
    let token = |claims: serde_json::Value| {
        let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.sig", b64(serde_json::json!({"alg": "RS256"})), b64(claims))
    };
    let good = serde_json::json!({"iss": "https://login.example/tenant-1/v2.0", "aud": "app-1", "tid": "tenant-1",
        "nonce": "n1", "exp": now + 600, "iat": now, "oid": "o1", "preferred_username": "a@b.example", "name": "A"});
    let user = server::microsoft::delegated::check_id_token(&token(good.clone()), &config, "n1", now).unwrap();
    assert_eq!((user.oid.as_str(), user.email.as_str()), ("o1", "a@b.example"));
    let with = |k: &str, v: serde_json::Value| {
        let mut c = good.clone();
        c[k] = v;
        token(c)
    };
    for (bad, why) in [
        (with("iss", "https://evil.example/tenant-1/v2.0".into()), "issuer"),
        (with("aud", "other-app".into()), "audience"),
        (with("tid", "tenant-2".into()), "another organization"),
        (with("nonce", "n2".into()), "nonce"),
        (with("exp", (now - 3600).into()), "expired"),
        (with("oid", "".into()), "no account id"),
        ("not-a-token".to_string(), "not a token"),
    ] {
        let err = server::microsoft::delegated::check_id_token(&bad, &config, "n1", now)
            .unwrap_err()
            .to_string();
        assert!(err.contains(why), "{why}: {err}");
    }
}

both_backends!(
    existing_teams_webinars_are_imported_with_their_registrations,
    |backend| async move {
        let sim = Sim::start().await;
        let app = microsoft_app(backend, &sim).await;
        seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
        let start = jiff::Timestamp::now().as_second() + 86_400 * 10;
        let wall = |t: i64| {
            jiff::Timestamp::from_second(t)
                .unwrap()
                .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
                .strftime("%Y-%m-%dT%H:%M:%S.0000000")
                .to_string()
        };
        let webinar = sim.webinar();
        let other = sim.webinar();
        {
            let mut s = sim.state.lock().unwrap();
            let w = s.webinars.get_mut(&webinar).unwrap();
            w["displayName"] = "Quarterly roadmap".into();
            w["description"] = serde_json::json!({"contentType": "html", "content": "<p>What ships next &amp; why.</p>"});
            w["startDateTime"] = serde_json::json!({"dateTime": wall(start), "timeZone": "Pacific Standard Time"});
            w["endDateTime"] = serde_json::json!({"dateTime": wall(start + 3600), "timeZone": "Pacific Standard Time"});
            s.organizers.insert(webinar.clone(), "events-service@contoso.example".into());
            s.organizers.insert(other.clone(), "someone-else@contoso.example".into());
            let shared = format!("shared-{}@{}", uuid::Uuid::new_v4(), graphsim::TENANT);
            s.webinars.insert(
                shared.clone(),
                serde_json::json!({"id": shared, "status": "published", "displayName": "Co-hosted session"}),
            );
            s.organizers.insert(shared.clone(), "someone-else@contoso.example".into());
            s.co_organizers.insert(shared, vec!["events-service@contoso.example".into()]);
        }
        let early = sim.register_in_teams(&webinar, "early@example.com");
        sim.register_in_teams(&webinar, "second@example.com");

        let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
        let page = app.page("/dashboard/microsoft?import=service", Some(&cookie)).await;
        assert!(page.contains("Quarterly roadmap"), "{page}");
        assert!(page.contains("Co-hosted session"), "co-organized webinars are offered too");
        assert!(!page.contains(&other), "only webinars this account organizes");
        // Nor can another's webinar be imported by naming it.
        let r = app
            .post_form(
                "/dashboard/microsoft/import",
                &cookie,
                &[("csrf", &csrf), ("account", "service"), ("webinar", &other)],
            )
            .await;
        assert_eq!(r.status(), 502);
        assert!(r.text().await.unwrap().contains("neither organizes nor co-organizes"));
        let r = app
            .post_form(
                "/dashboard/microsoft/import",
                &cookie,
                &[("csrf", &csrf), ("account", "service"), ("webinar", &webinar)],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let slug = r.headers()["location"]
            .to_str()
            .unwrap()
            .split('/')
            .nth(3)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let event = server::events::for_registration(&app.state.db, &slug)
            .await
            .unwrap()
            .expect("published, like the webinar");
        assert_eq!(event.title, "Quarterly roadmap");
        assert_eq!(event.description, "What ships next & why.");
        assert_eq!(event.start_at, start, "Pacific time read as Pacific time");
        assert_eq!(event.time_zone, "America/Los_Angeles");
        assert_eq!(event.teams_webinar_id.as_deref(), Some(webinar.as_str()));
        assert_eq!(event.registered_count, 2);
        // Imported once: a second import is refused, and the list no longer offers it.
        let again = app
            .post_form(
                "/dashboard/microsoft/import",
                &cookie,
                &[("csrf", &csrf), ("account", "service"), ("webinar", &webinar)],
            )
            .await;
        assert_eq!(again.status(), 502);
        assert!(again.text().await.unwrap().contains("already in Atrium"));

        // Notifications were missed: Graph says so, and Atrium reads the registrations again.
        sim.register_in_teams(&webinar, "missed@example.com");
        sqlx::query(
        "INSERT INTO graph_subscriptions (id, resource, change_type, client_state, expires_at, event_id, created_at) VALUES ('sub-1', 'r', 'created', 'cs', 0, $1, 0)",
    )
    .bind(&event.id)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
        sqlx::query(
        "INSERT INTO graph_notifications (id, subscription_id, kind, lifecycle_event, received_at) VALUES ('n-1', 'sub-1', 'lifecycle', 'missed', 0)",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();
        let sync = server::microsoft::sync::TeamsSync::new(
            app.state.db.clone(),
            server::microsoft::client::GraphClient::new(sim.config(), Default::default()),
            app.state.sealer.clone(),
        );
        assert_eq!(sync.process_notifications().await.unwrap(), 1);
        let count: i64 = sqlx::query_scalar("SELECT registered_count FROM events WHERE id = $1")
            .bind(&event.id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(count, 3);

        // Canceled in Teams: canceled in Atrium too, freeing the seat.
        sim.state.lock().unwrap().registrations.get_mut(&webinar).unwrap()[0]["status"] = "canceled".into();
        sqlx::query(
            "INSERT INTO graph_notifications (id, subscription_id, kind, change_type, resource, received_at) VALUES ('n-2', 'sub-1', 'change', 'updated', $1, 0)",
        )
        .bind(format!("solutions/virtualEvents/webinars/{webinar}/registrations/{early}"))
        .execute(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(sync.process_notifications().await.unwrap(), 1);
        let status: String = sqlx::query_scalar("SELECT status FROM registrations WHERE email = 'early@example.com'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(status, "canceled");
    }
);

#[tokio::test]
async fn a_webinar_created_just_before_a_crash_is_adopted_not_duplicated() {
    let sim = Sim::start().await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    let slug = app.event(|e| e.status = app::domain::EventStatus::Draft).await;
    server::events::publish(&app.state.db, &app.owner, &slug, true).await.unwrap();
    due_now(&app).await;
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    // As if the process had died right after Teams created the draft, before Atrium recorded it.
    let id = {
        let mut s = sim.state.lock().unwrap();
        let (id, w) = s.webinars.iter_mut().next().unwrap();
        w["status"] = "draft".into();
        id.clone()
    };
    sqlx::query("UPDATE events SET teams_webinar_id = NULL, teams_stage = NULL WHERE slug = $1")
        .bind(&slug)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let event = server::events::for_registration(&app.state.db, &slug).await.unwrap().unwrap();
    let mut tx = app.state.db.begin_write().await.unwrap();
    server::jobs::teams::create_event(&mut tx, &event.id).await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query("UPDATE outbox SET available_at = 0, attempts = 1 WHERE sent_at IS NULL")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    {
        let s = sim.state.lock().unwrap();
        assert_eq!(s.webinars.len(), 1, "the retry adopted the draft");
        assert_eq!(s.webinars[&id]["status"], "published");
    }
    let linked: Option<String> = sqlx::query_scalar("SELECT teams_webinar_id FROM events WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(linked.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn the_dashboard_check_says_what_is_missing() {
    let sim = Sim::start().await;
    let app = microsoft_app(Backend::Sqlite, &sim).await;
    sim.state.lock().unwrap().no_access_policy = true;
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let page = app
        .post_form("/dashboard/microsoft/check", &cookie, &[("csrf", &csrf)])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("✓ the app signs in"), "{page}");
    assert!(page.contains("application access policy (New-CsApplicationAccessPolicy"), "{page}");
    assert!(page.contains("no service account is connected"), "{page}");
    assert!(page.contains("ATRIUM_PUBLIC_URL is http://"), "{page}");
    assert!(page.contains("data-ok=\"false\""));

    // A service account signed in without the meetings permission: named, with what to do.
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    sim.state.lock().unwrap().user_scopes = Some("User.Read VirtualEvent.ReadWrite OnlineMeetingArtifact.Read.All".into());
    let page = app
        .post_form("/dashboard/microsoft/check", &cookie, &[("csrf", &csrf)])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("the service account is connected"), "{page}");
    assert!(page.contains("lacks the delegated permission OnlineMeetings.ReadWrite"), "{page}");
}

/// The schema subset's type `name` and its base types: property name → property type.
fn schema_properties(schema: &serde_json::Value, name: &str) -> std::collections::HashMap<String, String> {
    let mut props = std::collections::HashMap::new();
    let mut next = Some(name.to_string());
    while let Some(n) = next.take() {
        let Some(t) = schema["types"].get(&n) else { break };
        for p in t["properties"].as_array().into_iter().flatten() {
            props.insert(p["name"].as_str().unwrap().to_string(), p["type"].as_str().unwrap().to_string());
        }
        next = t["baseType"].as_str().map(str::to_string);
    }
    props
}

/// Checks every key of `body` against `type_name` in the schema, recursing into complex types
/// the subset describes.
fn check_shape(schema: &serde_json::Value, type_name: &str, body: &serde_json::Value, what: &str) {
    // A derived type is named by `@odata.type` (as Graph requires for it).
    let derived = body["@odata.type"].as_str().map(|t| t.trim_start_matches("#microsoft.graph."));
    let type_name = derived.unwrap_or(type_name);
    let props = schema_properties(schema, type_name);
    assert!(!props.is_empty(), "{type_name} is in the schema subset");
    for (key, value) in body.as_object().unwrap_or_else(|| panic!("{what}: an object")) {
        if key.starts_with('@') {
            continue;
        }
        let kind = props
            .get(key)
            .unwrap_or_else(|| panic!("{what}: {key} is not a property of {type_name}"));
        let inner = kind.trim_start_matches("Collection(").trim_end_matches(')');
        if schema["types"]
            .get(inner)
            .is_some_and(|t| t["kind"] == "ComplexType" && t["properties"].is_array())
        {
            match value {
                serde_json::Value::Array(items) => items.iter().for_each(|i| check_shape(schema, inner, i, what)),
                serde_json::Value::Object(_) => check_shape(schema, inner, value, what),
                _ => {}
            }
        }
    }
}

#[tokio::test]
async fn every_request_atrium_sends_has_the_documented_shape() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/contracts/graph/graph-v1.0-schema-subset.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sim = Sim::start().await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    // A webinar with both kinds of question, a meeting, registrations, edits and cancellations.
    let webinar = app
        .event(|e| {
            e.status = app::domain::EventStatus::Draft;
            e.questions = vec![
                crate::common::question("Team size", app::domain::AnswerInputType::SingleChoice, true, &["1-10", "11+"]),
                (
                    app::domain::Question::predefined("", app::domain::PredefinedLabel::JobTitle, false),
                    Some(app::domain::PredefinedLabel::JobTitle),
                ),
            ];
        })
        .await;
    let meeting = app
        .event(|e| {
            e.status = app::domain::EventStatus::Draft;
            e.kind = app::domain::EventKind::Meeting;
        })
        .await;
    let presenters: server::events::EventInput = serde_json::from_value(serde_json::json!({"presenters": [
        {"name": "Pat Presenter", "email": "pat@example.com", "company": "Contoso", "jobTitle": "CTO", "bio": "Builds things",
         "linkedInProfileWebUrl": "https://www.linkedin.com/in/pat", "personalSiteWebUrl": "https://pat.example.com"}
    ]}))
    .unwrap();
    server::events::update(&app.state.db, &app.owner, &webinar, &presenters)
        .await
        .unwrap();
    for slug in [&webinar, &meeting] {
        server::events::publish(&app.state.db, &app.owner, slug, true).await.unwrap();
    }
    due_now(&app).await;
    assert_eq!(sync.sync_webinars().await.unwrap(), 2);
    let team = app.question_id(&webinar, "Team size").await;
    for n in 0..3 {
        let mut p = person(n);
        p["answers"] = serde_json::json!([{"questionId": team, "value": "11+"}]);
        assert_eq!(app.register(&webinar, p).await.status(), 201);
    }
    let input: server::events::EventInput = serde_json::from_value(serde_json::json!({"title": "Renamed"})).unwrap();
    for slug in [&webinar, &meeting] {
        server::events::update(&app.state.db, &app.owner, slug, &input).await.unwrap();
    }
    // An appointment's meeting, made and then moved by its job running twice.
    let shop = crate::appointments::shop(&app).await;
    let start = crate::appointments::at(crate::appointments::next_monday(&app), 10, 0);
    let made = crate::appointments::book(&app, &shop.slug, crate::appointments::booking(&shop.one_to_one, None, &start, 1)).await;
    let appointment = made.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let mut tx = app.state.db.begin_write().await.unwrap();
        server::jobs::teams::appointment(&mut tx, &appointment).await.unwrap();
        tx.commit().await.unwrap();
    }
    due_now(&app).await;
    sync.sync_due().await.unwrap();
    sync.sync_updates().await.unwrap();
    assert_eq!(sync.sync_appointments().await.unwrap(), 2);
    let client = GraphClient::new(sim.config(), quick());
    server::microsoft::subscriptions::ensure(&app.state.db, &client, &app.base)
        .await
        .unwrap();
    sqlx::query("UPDATE graph_subscriptions SET expires_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    server::microsoft::subscriptions::ensure(&app.state.db, &client, &app.base)
        .await
        .unwrap();

    let bodies = sim.state.lock().unwrap().bodies.clone();
    let mut seen = std::collections::BTreeSet::new();
    for (method, path, body) in &bodies {
        let what = format!("{method} {path}");
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let kind = match (method.as_str(), segments.as_slice()) {
            ("POST", ["solutions", "virtualEvents", "webinars"]) | ("PATCH", ["solutions", "virtualEvents", "webinars", _]) => {
                check_shape(&schema, "virtualEventWebinar", body, &what);
                "webinar"
            }
            ("POST", [.., "presenters"]) => {
                check_shape(&schema, "virtualEventPresenter", body, &what);
                assert_eq!(body["identity"]["@odata.type"], "#microsoft.graph.communicationsGuestIdentity");
                "presenter"
            }
            ("POST", [.., "registrationConfiguration", "questions"]) => {
                let t = body["@odata.type"].as_str().unwrap().trim_start_matches("#microsoft.graph.");
                check_shape(&schema, t, body, &what);
                "question"
            }
            ("POST", ["me", "onlineMeetings", "createOrGet"]) => {
                let op = schema["boundOperations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|o| o["name"] == "createOrGet")
                    .unwrap();
                let params: Vec<&str> = op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                for key in body.as_object().unwrap().keys() {
                    assert!(params.contains(&key.as_str()), "{what}: {key} is not a createOrGet parameter");
                }
                assert!(body["externalId"].is_string(), "createOrGet needs externalId");
                "meeting"
            }
            ("PATCH", ["me", "onlineMeetings", _]) => {
                check_shape(&schema, "onlineMeeting", body, &what);
                "meeting update"
            }
            ("POST", ["subscriptions"]) | ("PATCH", ["subscriptions", _]) => {
                check_shape(&schema, "subscription", body, &what);
                "subscription"
            }
            ("POST", ["$batch"]) => {
                let requests = body["requests"].as_array().unwrap();
                assert!(!requests.is_empty() && requests.len() <= 20);
                for r in requests {
                    assert!(!r["url"].as_str().unwrap().starts_with("/v1.0"), "batch URLs are relative");
                    assert_eq!(r["headers"]["Content-Type"], "application/json");
                    check_shape(&schema, "virtualEventRegistration", &r["body"], &what);
                }
                "batch of registrations"
            }
            _ => panic!("an unexpected request: {what} {body}"),
        };
        seen.insert(kind);
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [
            "batch of registrations",
            "meeting",
            "meeting update",
            "presenter",
            "question",
            "subscription",
            "webinar"
        ]
    );
}

#[tokio::test]
async fn microsoft_dashboard_actions_need_a_session_and_its_csrf_token() {
    let sim = Sim::start().await;
    let app = microsoft_app(Backend::Sqlite, &sim).await;
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    for path in [
        "/dashboard/microsoft/connect",
        "/dashboard/microsoft/disconnect",
        "/dashboard/microsoft/check",
        "/dashboard/microsoft/import",
        "/dashboard/microsoft/link",
        "/dashboard/microsoft/unlink",
    ] {
        let form = "csrf=forged&account=service&webinar=w";
        let anonymous = app
            .client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 303, "anonymous {path}");
        assert!(anonymous.headers()["location"].to_str().unwrap().starts_with("/login?next="));
        let forged = app
            .client
            .post(app.url(path))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403, "forged CSRF token on {path}");
    }
    for path in [
        "/dashboard/microsoft?import=service",
        "/dashboard/microsoft/callback?code=c&state=s",
    ] {
        let anonymous = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(anonymous.status(), 303, "anonymous {path}");
    }
    assert!(sim.state.lock().unwrap().log.is_empty(), "nothing reached Microsoft");
}

#[tokio::test]
async fn a_retried_webinar_setup_adds_each_question_and_presenter_once() {
    let sim = Sim::start().await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;
    let sync = sync_for(&app, &sim);
    let slug = app
        .event(|e| {
            e.status = app::domain::EventStatus::Draft;
            e.questions = vec![
                crate::common::question("Team size", app::domain::AnswerInputType::SingleChoice, true, &["1-10", "11+"]),
                crate::common::question("Why are you coming?", app::domain::AnswerInputType::MultilineText, false, &[]),
            ];
        })
        .await;
    let input: server::events::EventInput = serde_json::from_value(serde_json::json!({"presenters": [
        {"name": "Pat Presenter", "email": "pat@example.com", "company": "Contoso", "jobTitle": "CTO",
         "bio": "Builds things", "linkedInProfileWebUrl": "https://www.linkedin.com/in/pat"},
        {"name": "Sam Nomail"}
    ]}))
    .unwrap();
    server::events::update(&app.state.db, &app.owner, &slug, &input).await.unwrap();
    server::events::publish(&app.state.db, &app.owner, &slug, true).await.unwrap();
    // The webinar is made and its first question added, then Teams fails until retries run out.
    sim.inject([
        Fault::Pass,
        Fault::Pass,
        Fault::Pass,
        Fault::Unavailable,
        Fault::Unavailable,
        Fault::Unavailable,
    ]);
    due_now(&app).await;
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    let id = sim.state.lock().unwrap().webinars.keys().next().unwrap().clone();
    assert_eq!(sim.state.lock().unwrap().webinars[&id]["questions"].as_array().unwrap().len(), 1);
    due_now(&app).await;
    assert_eq!(sync.sync_webinars().await.unwrap(), 1);
    let w = sim.state.lock().unwrap().webinars[&id].clone();
    assert_eq!(w["status"], "published");
    let questions: Vec<&str> = w["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(questions, ["Team size", "Why are you coming?"], "each question once");
    let presenters = w["presenters"].as_array().unwrap();
    assert_eq!(presenters.len(), 1, "only presenters with an email can be invited");
    assert_eq!(presenters[0]["identity"]["displayName"], "Pat Presenter");
    assert_eq!(presenters[0]["presenterDetails"]["jobTitle"], "CTO");
    assert_eq!(presenters[0]["presenterDetails"]["bio"]["content"], "Builds things");
}

#[tokio::test]
async fn the_microsoft_page_shows_what_waits_for_teams_and_why() {
    let sim = Sim::start().await;
    let app = microsoft_app(Backend::Sqlite, &sim).await;
    let webinar = sim.webinar();
    let slug = app.event(|_| {}).await;
    let link = server::events::EventInput {
        teams_webinar_id: Some(Some(webinar)),
        // As the API does after checking in Teams that the service account organizes it.
        teams_webinar_checked_with: Some(server::microsoft::delegated::Account::Service(app.owner.organization_id.clone())),
        ..Default::default()
    };
    server::events::update(&app.state.db, &app.owner, &slug, &link).await.unwrap();
    for n in 0..2 {
        assert_eq!(app.register(&slug, person(n)).await.status(), 201);
    }
    // One attempt failed the way a missing permission fails.
    sqlx::query(
        "UPDATE outbox SET attempts = 1, last_error = 'Teams answered 403: Insufficient privileges' \
         WHERE id = (SELECT id FROM outbox WHERE topic = 'graph.register' ORDER BY created_at LIMIT 1)",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let page = app.page("/dashboard/microsoft", Some(&cookie)).await;
    assert!(
        page.contains("Waiting for Teams: 2 registration changes and 0 event steps."),
        "{page}"
    );
    assert!(page.contains("Last problem: Teams answered 403: Insufficient privileges"), "{page}");
    // Another organization sees only its own work.
    let (_, password) = server::accounts::auth::create_organizer(&app.state.db, "rival@example.com", "Rival", None)
        .await
        .unwrap();
    let (rival, _) = app.sign_in_as("rival@example.com", &password).await;
    let page = app.page("/dashboard/microsoft", Some(&rival)).await;
    assert!(page.contains("Everything is in Teams."), "{page}");
    assert!(!page.contains("Insufficient privileges"));
}

/// A log sink for one test: everything written, as text.
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn linking_and_unlinking_a_microsoft_account_are_logged_as_security_events() {
    let logs = Logs::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || sink.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _listening = crate::common::listen(subscriber).await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    server::accounts::auth::link_microsoft(&app.state.db, &app.owner, "oid-owner", graphsim::TENANT, "owner@contoso.example")
        .await
        .unwrap();
    assert!(server::accounts::auth::unlink_microsoft(&app.state.db, &app.owner).await.unwrap());
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["target"] == "atrium::security")
        .collect();
    assert_eq!(events.len(), 2, "{text}");
    for (event, name) in events.iter().zip(["microsoft_account_linked", "microsoft_account_unlinked"]) {
        assert_eq!(event["fields"]["event"], name);
        assert_eq!(event["fields"]["organizer"], app.owner.id.as_str());
        assert_eq!(event["fields"]["microsoft_oid"], "oid-owner");
        assert_eq!(event["fields"]["microsoft_tid"], graphsim::TENANT);
    }
}

both_backends!(starting_microsoft_sign_ins_is_limited_per_address, |backend| async move {
    let sim = Sim::start().await;
    let app = microsoft_app(backend, &sim).await;
    let start = |address: &'static str| {
        app.client
            .get(app.url("/login/microsoft"))
            .header("x-forwarded-for", address)
            .send()
    };
    for _ in 0..server::limits::MICROSOFT_SIGN_IN.hits {
        assert_eq!(start("198.51.100.20").await.unwrap().status(), 303);
    }
    let refused = start("198.51.100.20").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM oidc_states")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, server::limits::MICROSOFT_SIGN_IN.hits, "a refused start stores nothing");
    assert_eq!(
        start("198.51.100.21").await.unwrap().status(),
        303,
        "other addresses are not affected"
    );
});
