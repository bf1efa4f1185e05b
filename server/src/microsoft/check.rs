//! `server check-microsoft`: tries the Microsoft settings step by step and says, in words an
//! admin can act on, what works and what is missing.

use super::client::{GraphClient, GraphConfig, GraphError, RetryPolicy};
use reqwest::Method;
use std::time::Duration;

pub struct Report {
    pub ok: bool,
    pub lines: Vec<String>,
}

pub async fn run(config: GraphConfig) -> Report {
    let mut lines = vec![format!(
        "Tenant {} · app {} · Graph at {}",
        config.tenant_id, config.client_id, config.graph_base
    )];
    let policy = RetryPolicy {
        max_attempts: 2,
        timeout: Duration::from_secs(15),
        ..Default::default()
    };
    let client = GraphClient::new(config, policy);
    let mut ok = true;
    match client.app_token().await {
        Ok(token) => {
            lines.push("✓ the app signs in (client credentials)".into());
            match super::missing_permissions(&token, &super::APP_PERMISSIONS) {
                Some(missing) if missing.is_empty() => lines.push("✓ the app has its application permissions, with admin consent".into()),
                Some(missing) => {
                    ok = false;
                    for (permission, why) in missing {
                        lines.push(format!(
                            "✗ the app lacks the application permission {permission} (for {why}): add it to the app registration and grant admin consent"
                        ));
                    }
                }
                None => {}
            }
        }
        Err(GraphError::Auth(m)) => {
            let hint = if m.contains("AADSTS7000215") {
                "the client secret is wrong or expired: create a new one in the app registration"
            } else if m.contains("AADSTS700016") {
                "no app with this client id in the tenant: check ATRIUM_GRAPH_CLIENT_ID"
            } else if m.contains("AADSTS90002") {
                "the tenant does not exist: check ATRIUM_GRAPH_TENANT_ID"
            } else {
                "check the tenant id, client id and secret"
            };
            lines.push(format!("✗ the app cannot sign in: {m} — {hint}"));
            return Report { ok: false, lines };
        }
        Err(e) => {
            lines.push(format!("✗ {e}"));
            return Report { ok: false, lines };
        }
    }
    match client
        .request(Method::GET, "/solutions/virtualEvents/webinars", None, "check")
        .await
    {
        Ok(_) => lines.push("✓ webinars can be read (VirtualEvent.Read.All with an application access policy)".into()),
        Err(GraphError::Http { status: 403, .. }) => {
            ok = false;
            lines.push("✗ reading webinars is forbidden: grant VirtualEvent.Read.All with admin consent, and an application access policy (New-CsApplicationAccessPolicy, Grant-CsApplicationAccessPolicy) for the organizers".into());
        }
        Err(GraphError::Http { status: 401, .. }) => {
            ok = false;
            lines.push("✗ Graph refused the token: grant the app's permissions admin consent".into());
        }
        Err(e) => {
            ok = false;
            lines.push(format!("✗ {e}"));
        }
    }
    Report { ok, lines }
}

/// Checks of Atrium's own Microsoft settings: the key that seals tokens, and a public address
/// Graph can deliver change notifications to.
pub fn local(config: &crate::config::Config, report: &mut Report) {
    if config.sealer.is_some() {
        report
            .lines
            .push("✓ ATRIUM_SECRET_KEY is set: Microsoft sign-ins are stored encrypted".into());
    } else {
        report.ok = false;
        report.lines.push(
            "✗ ATRIUM_SECRET_KEY is not set: without it no Microsoft 365 account can be connected (webinars and meetings need one)".into(),
        );
    }
    if config.public_url.starts_with("https://") {
        report
            .lines
            .push(format!("✓ change notifications go to {}/webhooks/graph", config.public_url));
    } else {
        report.ok = false;
        report.lines.push(format!(
            "✗ ATRIUM_PUBLIC_URL is {}: Graph only delivers change notifications to an https address reachable from the internet",
            config.public_url
        ));
    }
}
