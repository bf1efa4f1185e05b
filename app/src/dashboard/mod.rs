//! The organizer dashboard's pages: sign-in, events, the event editor with its questions and
//! presenters, registrants with decisions, messages, charts and API tokens. Plain server-rendered
//! forms, each carrying the session's CSRF token.

use crate::domain::FieldError;
use leptos::prelude::*;

mod appointments;
mod editor;
mod events;
mod hours;
mod microsoft;
mod moving;
mod overview;
mod settings;
mod staff_member;
mod team;
mod tokens;

pub use appointments::*;
pub use editor::*;
pub use events::*;
pub use hours::*;
pub use microsoft::*;
pub use moving::*;
pub use overview::*;
pub use settings::*;
pub use staff_member::*;
pub use team::*;
pub use tokens::*;

fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

#[component]
fn Csrf(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf" value=token /> }
}

#[component]
pub fn LoginPage(email: String, next: String, error: Option<String>, #[prop(optional)] microsoft: bool) -> impl IntoView {
    let microsoft_href = format!(
        "/login/microsoft?next={}",
        next.replace('%', "%25").replace('&', "%26").replace('#', "%23").replace('+', "%2B")
    );
    view! {
        <article class="problem narrow">
            <h1>"Sign in"</h1>
            <p class="hint">"For organizers of this site."</p>
            {error.map(|e| view! { <p class="closed" role="alert">{e}</p> })}
            <form method="post" action="/login" class="stack">
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" value=email required=true autocomplete="username" />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" required=true autocomplete="current-password" />
                </div>
                <button type="submit" class="primary">"Sign in"</button>
            </form>
            {microsoft.then(|| view! {
                <p class="or">"or"</p>
                <p><a class="button" href=microsoft_href>"Sign in with Microsoft"</a></p>
            })}
        </article>
    }
}

/// The dashboard's own navigation, with sign-out.
#[component]
pub fn DashNav(organization: String, email: String, csrf: String) -> impl IntoView {
    view! {
        <nav class="dash" aria-label="Dashboard">
            <strong>{organization}</strong>
            <a href="/dashboard">"Events"</a>
            <a href="/dashboard/appointments">"Appointments"</a>
            <a href="/dashboard/team">"Team"</a>
            <a href="/dashboard/tokens">"API tokens"</a>
            <a href="/dashboard/microsoft">"Microsoft 365"</a>
            <a href="/dashboard/activity">"Activity"</a>
            <span class="hint">{email}</span>
            <form method="post" action="/logout" class="inline">
                <Csrf token=csrf />
                <button type="submit">"Sign out"</button>
            </form>
        </nav>
    }
}

#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    value: String,
    errors: Vec<FieldError>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let err = error_for(&errors, name);
    let invalid = err.is_some();
    let err_id = format!("err-{name}");
    view! {
        <div class="field" class:invalid=invalid>
            <label for=name>{label}</label>
            <input id=name name=name type=kind.unwrap_or("text") value=value aria-describedby=err_id.clone() aria-invalid=if invalid { "true" } else { "false" } />
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <p class="field-error" id=err_id>{err}</p>
        </div>
    }
}
