//! Connecting the organization's Microsoft 365 account: auth code + PKCE against the local
//! identity-platform simulator, refresh tokens sealed at rest and rotated.

use crate::common::SimConfig;
use crate::common::{Backend, TestApp};
use graphsim::Sim;
use server::microsoft::delegated::Account;

#[tokio::test]
async fn connect_refresh_and_disconnect_the_service_account() {
    let sim = Sim::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::config_for(Backend::Sqlite, &dir).await;
    config.graph = Some(sim.config());
    config.sealer = Some(server::crypto::Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap());
    let app = TestApp::spawn_with(config, dir).await;
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let get = |url: String| app.client.get(url).header("cookie", cookie.clone()).send();

    let page = get(app.url("/dashboard/microsoft")).await.unwrap().text().await.unwrap();
    assert!(page.contains("Connect Microsoft 365"));
    let start = app
        .client
        .post(app.url("/dashboard/microsoft/connect"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let authorize = start.headers()["location"].to_str().unwrap().to_string();
    assert!(authorize.starts_with(&format!("{}/{}/oauth2/v2.0/authorize?", sim.base, graphsim::TENANT)));
    for part in ["code_challenge_method=S256", "response_type=code", "offline_access"] {
        assert!(authorize.contains(part), "{part} in {authorize}");
    }
    // Microsoft signs the user in and sends them back to Atrium's callback.
    let back = app.client.get(&authorize).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let callback = back.headers()["location"]
        .to_str()
        .unwrap()
        .replace("http://localhost:3000", &app.base);
    let done = get(callback.clone()).await.unwrap();
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    let page = get(app.url("/dashboard/microsoft")).await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Connected as <strong>events-service@contoso.example</strong>"),
        "{page}"
    );
    // The same answer cannot be replayed.
    let replay = get(callback).await.unwrap();
    assert_eq!(replay.status(), 400);

    // The refresh token is sealed at rest, and every refresh rotates it.
    let sealed: String = sqlx::query_scalar("SELECT refresh_token_sealed FROM microsoft_accounts")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let issued = sim.state.lock().unwrap().refresh_tokens.clone();
    assert_eq!(issued.len(), 1);
    assert!(!sealed.contains(&issued[0]) && !sealed.contains("sim-refresh"));
    let m = app.state.microsoft.as_ref().unwrap();
    let token = m.access_token(&Account::Service(app.owner.organization_id.clone())).await.unwrap();
    assert!(token.starts_with("sim-user-token-"));
    let rotated = sim.state.lock().unwrap().refresh_tokens.clone();
    assert_eq!(rotated.len(), 1);
    assert_ne!(rotated[0], issued[0], "the old refresh token is gone");
    assert!(
        m.access_token(&Account::Service(app.owner.organization_id.clone())).await.is_ok(),
        "the stored token is the rotated one"
    );

    let out = app
        .client
        .post(app.url("/dashboard/microsoft/disconnect"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert!(matches!(
        m.access_token(&Account::Service(app.owner.organization_id.clone())).await,
        Err(server::microsoft::delegated::DelegatedError::NotConnected)
    ));
}

#[tokio::test]
async fn a_forged_or_foreign_callback_is_refused() {
    let sim = Sim::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::config_for(Backend::Sqlite, &dir).await;
    config.graph = Some(sim.config());
    config.sealer = Some(server::crypto::Sealer::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap());
    let app = TestApp::spawn_with(config, dir).await;
    let (cookie, _) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let r = app
        .client
        .get(app.url("/dashboard/microsoft/callback?code=made-up&state=made-up"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("not ours or was already used"));
    let r = app
        .client
        .get(app.url("/dashboard/microsoft/callback?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("User declined to consent"));
    // A real code with a wrong PKCE verifier is refused by the identity platform.
    let m = app.state.microsoft.as_ref().unwrap();
    let url = m
        .authorize_url(&app.owner, &Account::Service(app.owner.organization_id.clone()))
        .await
        .unwrap();
    let q: std::collections::HashMap<String, String> = serde_urlencoded::from_str(url.split_once('?').unwrap().1).unwrap();
    sim.state
        .lock()
        .unwrap()
        .codes
        .insert("stolen".into(), ("not-the-challenge".into(), q["redirect_uri"].clone()));
    let err = m.complete(&app.owner, &q["state"], "stolen").await.unwrap_err();
    assert!(err.to_string().contains("Code_Verifier does not match"), "{err}");
}
