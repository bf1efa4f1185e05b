//! The organization's people and records: team and invitations, the activity log, the message log.

use super::Csrf;
use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct MessageRow {
    pub recipient: String,
    pub kind: String,
    pub queued: String,
    pub state: String,
}

#[component]
pub fn MessagesPage(title: String, slug: String, rows: Vec<MessageRow>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|r| view! { <tr><td>{r.recipient}</td><td>{r.kind}</td><td>{r.queued}</td><td>{r.state}</td></tr> })
        .collect_view();
    view! {
        <p><a href=format!("/dashboard/events/{slug}")>"← Back to the event"</a></p>
        <h1>{format!("Emails for {title}")}</h1>
        <table class="grid">
            <thead><tr><th scope="col">"To"</th><th scope="col">"Email"</th><th scope="col">"Queued"</th><th scope="col">"Delivery"</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

#[component]
pub fn TeamPage(
    members: Vec<(String, String)>,
    pending: Vec<(String, String)>,
    invite_link: Option<String>,
    csrf: String,
) -> impl IntoView {
    view! {
        <h1>"Team"</h1>
        {invite_link.map(|l| view! {
            <div class="banner" role="status">
                <p>"Invitation created. Send this one-time link to your co-organizer; it works for 7 days:"</p>
                <p><code class="token">{l}</code></p>
            </div>
        })}
        <table class="grid">
            <thead><tr><th scope="col">"Organizer"</th><th scope="col">"Name"</th></tr></thead>
            <tbody>{members.into_iter().map(|(email, name)| view! { <tr><td>{email}</td><td>{name}</td></tr> }).collect_view()}</tbody>
        </table>
        {(!pending.is_empty()).then(|| view! {
            <h2>"Pending invitations"</h2>
            <ul>{pending.into_iter().map(|(email, until)| view! { <li>{email} " — valid until " {until}</li> }).collect_view()}</ul>
        })}
        <h2>"Invite a co-organizer"</h2>
        <form method="post" action="/dashboard/team" class="filters">
            <Csrf token=csrf />
            <label for="invite-email">"Email"</label>
            <input id="invite-email" name="email" type="email" required=true />
            <button type="submit" class="primary">"Create invitation"</button>
        </form>
    }
}

#[component]
pub fn InvitePage(organization: String, email: String, error: Option<String>, action: String) -> impl IntoView {
    view! {
        <article class="problem narrow">
            <h1>{format!("Join {organization} on Atrium")}</h1>
            <p>"You're invited as " <strong>{email}</strong> ". Choose a password to finish."</p>
            {error.map(|e| view! { <p class="closed" role="alert">{e}</p> })}
            <form method="post" action=action class="stack">
                <div class="field">
                    <label for="password">"Password (at least 12 characters)"</label>
                    <input id="password" name="password" type="password" required=true minlength="12" autocomplete="new-password" />
                </div>
                <button type="submit" class="primary">"Create my account"</button>
            </form>
        </article>
    }
}

/// One line of the organization's audit trail: when, who, what they did, to what.
#[derive(Clone, Debug)]
pub struct ActivityRow {
    pub when: String,
    pub who: String,
    pub what: String,
    pub target: String,
}

/// The organization's own audit trail, newest first.
#[component]
pub fn ActivityPage(rows: Vec<ActivityRow>) -> impl IntoView {
    let empty = rows.is_empty();
    let body = rows
        .into_iter()
        .map(|r| view! { <tr><td>{r.when}</td><td>{r.who}</td><td>{r.what}</td><td>{r.target}</td></tr> })
        .collect_view();
    view! {
        <h1>"Activity"</h1>
        <p class="hint">"Who did what in your organization: publishing, canceling, decisions on registrations, exports, API tokens and team changes."</p>
        {empty.then(|| view! { <p>"Nothing yet."</p> })}
        <table class="grid">
            <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Did"</th><th scope="col">"What"</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}
