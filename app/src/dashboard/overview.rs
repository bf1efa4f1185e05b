//! One event's overview: figures, registrations over time, registrants and their decisions, attendance.

use super::Csrf;
use crate::domain::RegistrationStatus;
use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct RegistrantView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub status: RegistrationStatus,
    pub registered_at: String,
    pub answers: String,
    /// Minutes attended, once a report was imported.
    pub attended: String,
}

#[derive(Clone, Debug)]
pub struct EventOverview {
    pub slug: String,
    pub title: String,
    pub status: String,
    pub when: String,
    pub public_url: String,
    pub counts: Vec<(String, i64)>,
    pub per_day: Vec<(String, i64)>,
    pub registrants: Vec<RegistrantView>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub filter_status: String,
    pub search: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// Each reminder: "1 day before", and "sent …" or "scheduled for …".
    pub reminders: Vec<(String, String)>,
    /// The reminders as the form shows them: hours before the start, comma-separated.
    pub reminder_hours: String,
    /// Attendees per span of minutes, once a report was imported.
    pub attendance: Option<Vec<(String, i64)>>,
    /// Members of the organization: id, email, and whether they organize this event.
    pub organizers: Vec<(String, String, bool)>,
    /// Where the event stands in Microsoft Teams, in Microsoft mode.
    pub teams: Option<String>,
}

/// A horizontal bar chart as SVG; no script needed.
#[component]
pub fn BarChart(title: String, bars: Vec<(String, i64)>) -> impl IntoView {
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = 24 * bars.len().max(1) + 8;
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = 4 + i * 24;
            let width = (value as f64 / max as f64 * 260.0).round();
            view! {
                <g>
                    <text x="0" y=(y + 15).to_string() class="chart-label">{label}</text>
                    <rect x="130" y=y.to_string() width=width.to_string() height="18" rx="3" class="chart-bar"></rect>
                    <text x=(136.0 + width).to_string() y=(y + 15).to_string() class="chart-value">{value.to_string()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg role="img" aria-label=title viewBox=format!("0 0 440 {height}") width="440" height=height.to_string()>{rows}</svg>
        </figure>
    }
}

#[component]
pub fn EventOverviewPage(page: EventOverview, csrf: String) -> impl IntoView {
    let base = format!("/dashboard/events/{}", page.slug);
    let actions = {
        let base = base.clone();
        let csrf = csrf.clone();
        let status = page.status.clone();
        view! {
            <div class="actions">
                <a class="button" href=format!("{base}/edit")>"Edit"</a>
                <a class="button" href=format!("{base}/preview")>"Preview"</a>
                {(status == "published").then(|| view! { <a class="button" href=page.public_url.clone()>"View public page"</a> })}
                {(status == "draft").then(|| view! {
                    <form method="post" action=format!("{base}/publish") class="inline"><Csrf token=csrf.clone() /><button type="submit" class="primary">"Publish"</button></form>
                })}
                <form method="post" action=format!("{base}/duplicate") class="inline"><Csrf token=csrf.clone() /><button type="submit">"Duplicate"</button></form>
                <a class="button" href=format!("{base}/registrations.csv")>"Export CSV"</a>
            </div>
            {(status != "canceled").then(|| view! {
                <details class="danger-zone">
                    <summary>"Cancel this event"</summary>
                    <form method="post" action=format!("{base}/cancel") class="stack">
                        <Csrf token=csrf.clone() />
                        <label for="cancel-message">"Message to everyone registered, waiting or pending"</label>
                        <textarea id="cancel-message" name="message" rows="3"></textarea>
                        <button type="submit" class="danger">"Cancel event and notify registrants"</button>
                    </form>
                </details>
            })}
        }
    };
    let rows = page
        .registrants
        .into_iter()
        .map(|r| {
            let act = |action: &'static str, label: &'static str| {
                view! {
                    <form method="post" action=format!("{base}/registrations/{}/{action}", r.id) class="inline">
                        <Csrf token=csrf.clone() />
                        <button type="submit" class="small">{label}</button>
                    </form>
                }
            };
            let buttons = match r.status {
                RegistrationStatus::PendingApproval => {
                    view! { {act("approve", "Approve")} {act("reject", "Reject")} {act("cancel", "Cancel")} }.into_any()
                }
                RegistrationStatus::Waitlisted => view! { {act("promote", "Promote")} {act("cancel", "Cancel")} }.into_any(),
                RegistrationStatus::Registered => act("cancel", "Cancel").into_any(),
                _ => ().into_any(),
            };
            view! {
                <tr>
                    <td>{r.name}</td>
                    <td>{r.email}</td>
                    <td><span class=format!("badge {}", r.status.as_str())>{r.status.as_str()}</span></td>
                    <td>{r.registered_at}</td>
                    <td class="answers-cell">{r.answers}</td>
                    <td class="num">{r.attended}</td>
                    <td>{buttons}</td>
                </tr>
            }
        })
        .collect_view();
    let status_options = ["", "registered", "waitlisted", "pendingApproval", "rejectedByOrganizer", "canceled"]
        .into_iter()
        .map(|s| view! { <option value=s selected=page.filter_status == s>{if s.is_empty() { "All statuses" } else { s }}</option> })
        .collect_view();
    let pager = (page.pages > 1).then(|| {
        let links = (1..=page.pages)
            .map(|p| {
                let href = format!("{base}?page={p}&status={}&q={}", page.filter_status, page.search);
                view! { <a href=href aria-current=if p == page.page { Some("page") } else { None }>{p.to_string()}</a> }
            })
            .collect_view();
        view! { <nav class="pager" aria-label="Pages">{links}</nav> }
    });
    view! {
        <p class="kind">{page.status.clone()}</p>
        <h1>{page.title}</h1>
        {page.teams.map(|t| view! { <p class="hint teams-status">{t}</p> })}
        <p class="when">{page.when}</p>
        {page.notice.map(|n| view! { <p class="banner" role="status">{n}</p> })}
        {page.error.map(|n| view! { <p class="closed" role="alert">{n}</p> })}
        {actions}
        <div class="charts">
            <BarChart title="Registrations by status".to_string() bars=page.counts />
            <BarChart title="New registrations per day (last 14 days)".to_string() bars=page.per_day />
            {page.attendance.map(|bars| view! { <BarChart title="Time attended".to_string() bars=bars /> })}
        </div>
        <h2>{format!("Registrants ({})", page.total)}</h2>
        <form method="get" action=base.clone() class="filters">
            <label for="status-filter">"Status"</label>
            <select id="status-filter" name="status">{status_options}</select>
            <label for="search">"Search"</label>
            <input id="search" name="q" type="search" value=page.search.clone() placeholder="Name or email" />
            <button type="submit">"Filter"</button>
        </form>
        <table class="grid">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Status"</th><th scope="col">"Registered"</th><th scope="col">"Answers"</th><th scope="col">"Attended"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {pager}
        <h2>"Organizers"</h2>
        <form method="post" action=format!("{base}/organizers") class="filters">
            <Csrf token=csrf.clone() />
            {page.organizers.into_iter().map(|(id, email, on)| view! {
                <label class="choice"><input type="checkbox" name="organizer" value=id checked=on /> {email}</label>
            }).collect_view()}
            <button type="submit">"Save organizers"</button>
        </form>
        <h2>"Reminders"</h2>
        <ul class="reminders">
            {page.reminders.into_iter().map(|(what, state)| view! { <li><strong>{what}</strong> " — " {state}</li> }).collect_view()}
        </ul>
        <form method="post" action=format!("{base}/reminders") class="filters">
            <Csrf token=csrf.clone() />
            <label for="reminder-hours">"Hours before the start"</label>
            <input id="reminder-hours" name="hours" value=page.reminder_hours placeholder="24, 1" />
            <button type="submit">"Save reminders"</button>
        </form>
        <p><a href=format!("{base}/messages")>"See every email sent for this event"</a></p>
        <h2>"Attendance"</h2>
        <form method="post" action=format!("{base}/attendance") enctype="multipart/form-data" class="filters">
            <Csrf token=csrf.clone() />
            <label for="report">"Teams attendance report (CSV)"</label>
            <input id="report" name="report" type="file" accept=".csv,text/csv" required=true />
            <button type="submit">"Import"</button>
        </form>
        <h2>"Send a message"</h2>
        <form method="post" action=format!("{base}/announce") class="stack">
            <Csrf token=csrf.clone() />
            <fieldset>
                <legend>"To"</legend>
                <label class="choice"><input type="checkbox" name="status" value="registered" checked=true /> "Registered"</label>
                <label class="choice"><input type="checkbox" name="status" value="waitlisted" /> "Waitlisted"</label>
                <label class="choice"><input type="checkbox" name="status" value="pendingApproval" /> "Pending approval"</label>
            </fieldset>
            <label for="announcement">"Message"</label>
            <textarea id="announcement" name="message" rows="4" required=true></textarea>
            <button type="submit">"Send"</button>
        </form>
    }
}

/// What an attendance import did: how many people, how many matched, and who in the report
/// was not registered (listed on the page, however many).
#[component]
pub fn AttendanceResultPage(title: String, slug: String, attendees: usize, matched: usize, unmatched: Vec<String>) -> impl IntoView {
    let count = unmatched.len();
    view! {
        <p><a href=format!("/dashboard/events/{slug}")>"← Back to the event"</a></p>
        <h1>{format!("Attendance imported for {title}")}</h1>
        <p class="banner" role="status">{format!("Imported attendance for {attendees} people; {matched} matched a registration.")}</p>
        {(count > 0).then(|| view! {
            <h2>{format!("In the report but not registered ({count})")}</h2>
            <ul class="unmatched">{unmatched.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
        })}
    }
}
