//! Microsoft 365: connected accounts, permissions, the Teams backlog and webinar import.

use super::Csrf;
use leptos::prelude::*;

/// A Teams webinar that can be imported: id, title, when.
pub type ImportableWebinar = (String, String, String);

/// Registration changes and event steps waiting for Teams, and the newest problem (next try,
/// what went wrong).
pub type Backlog = (usize, usize, Option<(String, String)>);

/// What the Microsoft 365 page shows.
#[derive(Clone, Debug, Default)]
pub struct MicrosoftView {
    pub enabled: bool,
    /// The organization's service account: (user principal name, connected since).
    pub service: Option<(String, String)>,
    /// The signed-in organizer's own account.
    pub personal: Option<(String, String)>,
    pub notice: Option<String>,
    /// Result of checking the settings: all good, and one line per check.
    pub checks: Option<(bool, Vec<String>)>,
    /// Teams webinars that can be imported (id, title, when), or why they could not be listed.
    pub importable: Option<Result<Vec<ImportableWebinar>, String>>,
    /// Which account the import list is for ("service" or "personal").
    pub import_account: String,
    /// Work on its way to Teams: registrations, event steps, and the newest problem (next try,
    /// what went wrong).
    pub backlog: Option<Backlog>,
    /// Registrations Teams did not take because it holds another registration for the same
    /// address, not made by Atrium: (event title, email).
    pub refused: Vec<(String, String)>,
    /// "Sign in with Microsoft" for the signed-in organizer: Some(Some(account)) when linked,
    /// Some(None) when not (None when not shown).
    pub sign_in: Option<Option<String>>,
}

#[component]
fn AccountBlock(
    title: &'static str,
    about: &'static str,
    account: Option<(String, String)>,
    kind: &'static str,
    csrf: String,
) -> impl IntoView {
    let body = match account {
        Some((upn, since)) => {
            let import = format!("/dashboard/microsoft?import={kind}");
            view! {
                <p>"Connected as " <strong>{upn}</strong> " since " {since} "."</p>
                <p><a class="button" href=import>"Import webinars from Teams"</a></p>
                <form method="post" action="/dashboard/microsoft/disconnect">
                    <Csrf token=csrf />
                    <input type="hidden" name="account" value=kind />
                    <button type="submit" class="danger">"Disconnect"</button>
                </form>
            }
            .into_any()
        }
        None => view! {
            <form method="post" action="/dashboard/microsoft/connect">
                <Csrf token=csrf />
                <input type="hidden" name="account" value=kind />
                <button type="submit" class="primary">"Connect Microsoft 365"</button>
            </form>
        }
        .into_any(),
    };
    view! {
        <section class="panel" data-account=kind>
            <h2>{title}</h2>
            <p class="hint">{about}</p>
            {body}
        </section>
    }
}

#[component]
pub fn MicrosoftPage(view: MicrosoftView, csrf: String) -> impl IntoView {
    let MicrosoftView {
        enabled,
        service,
        personal,
        notice,
        checks,
        importable,
        import_account,
        backlog,
        refused,
        sign_in,
    } = view;
    if !enabled {
        return view! {
            <h1>"Microsoft 365"</h1>
            {notice.map(|n| view! { <p class="banner" role="status">{n}</p> })}
            <p>"Microsoft mode is off. Set ATRIUM_GRAPH_TENANT_ID, ATRIUM_GRAPH_CLIENT_ID, ATRIUM_GRAPH_CLIENT_SECRET and ATRIUM_SECRET_KEY, then restart Atrium."</p>
        }
        .into_any();
    }
    let checks = checks.map(|(ok, lines)| {
        let items = lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view();
        view! {
            <div class="checks" data-ok=ok.to_string()>
                <p><strong>{if ok { "Microsoft mode is ready." } else { "Microsoft mode is not ready yet:" }}</strong></p>
                <ul>{items}</ul>
            </div>
        }
    });
    let import = importable.map(|list| match list {
        Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Ok(list) if list.is_empty() => view! { <p>"Every Teams webinar this account organizes is already in Atrium."</p> }.into_any(),
        Ok(list) => {
            let rows = list
                .into_iter()
                .map(|(id, title, when)| {
                    let csrf = csrf.clone();
                    let account = import_account.clone();
                    view! {
                        <tr>
                            <td>{title}</td>
                            <td>{when}</td>
                            <td>
                                <form method="post" action="/dashboard/microsoft/import">
                                    <Csrf token=csrf />
                                    <input type="hidden" name="account" value=account />
                                    <input type="hidden" name="webinar" value=id />
                                    <button type="submit">"Import"</button>
                                </form>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="importable">
                    <thead><tr><th>"Teams webinar"</th><th>"Starts"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    });
    view! {
        <h1>"Microsoft 365"</h1>
        {notice.map(|n| view! { <p class="banner" role="status">{n}</p> })}
        {sign_in.map(|linked| {
            let csrf = csrf.clone();
            let body = match linked {
                Some(account) => view! {
                    <p>"Linked: you can sign in with Microsoft as " <strong>{account}</strong> "."</p>
                    <form method="post" action="/dashboard/microsoft/unlink">
                        <Csrf token=csrf />
                        <button type="submit" class="danger">"Unlink Microsoft account"</button>
                    </form>
                }
                .into_any(),
                None => view! {
                    <p>"Not linked: you sign in with your email and password."</p>
                    <form method="post" action="/dashboard/microsoft/link">
                        <Csrf token=csrf />
                        <button type="submit" class="primary">"Link Microsoft account"</button>
                    </form>
                }
                .into_any(),
            };
            view! {
                <section class="panel" data-sign-in="microsoft">
                    <h2>"Sign in with Microsoft"</h2>
                    <p class="hint">"Link your own Microsoft account to sign in to this dashboard with it. Only the account you link here, while signed in, can sign you in."</p>
                    {body}
                </section>
            }
        })}
        <AccountBlock
            title="Service account"
            about="Owns your organization's webinars and meetings in Teams. Published events are created in Teams with it."
            account=service
            kind="service"
            csrf=csrf.clone()
        />
        <AccountBlock
            title="Your own account"
            about="Optional: events you publish are then created in Teams with your account, and you own them there."
            account=personal
            kind="personal"
            csrf=csrf.clone()
        />
        {backlog.map(|(registrations, steps, problem)| {
            let summary = if registrations + steps == 0 {
                "Everything is in Teams.".to_string()
            } else {
                format!("Waiting for Teams: {registrations} registration changes and {steps} event steps.")
            };
            view! {
                <section class="panel sync">
                    <h2>"Sync with Teams"</h2>
                    <p>{summary}</p>
                    {problem.map(|(next, error)| view! {
                        <p class="closed" role="alert">{format!("Last problem: {error} Next try {next}. Check now below says what to fix.")}</p>
                    })}
                    {(!refused.is_empty()).then(|| {
                        let rows = refused
                            .into_iter()
                            .map(|(event, email)| view! { <li>{email} " — " {event}</li> })
                            .collect_view();
                        view! {
                            <div class="refused" role="alert">
                                <p>"Not in Teams: Teams already holds a registration for these addresses that Atrium did not make (someone may have registered the address there). The Atrium registrations stand; check who registered in Teams."</p>
                                <ul>{rows}</ul>
                            </div>
                        }
                    })}
                </section>
            }
        })}
        {import.map(|i| view! { <section class="panel"><h2>"Import from Teams"</h2>{i}</section> })}
        <section class="panel">
            <h2>"Check the settings"</h2>
            <p class="hint">"Signs in as the app and tries what Atrium needs, then says what is missing: consent, a permission, the application access policy."</p>
            <form method="post" action="/dashboard/microsoft/check">
                <Csrf token=csrf />
                <button type="submit">"Check now"</button>
            </form>
            {checks}
        </section>
    }
    .into_any()
}
