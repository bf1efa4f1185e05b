//! The organizer dashboard's pages: sign-in, events, the event editor with its questions and
//! presenters, registrants with decisions, messages, charts and API tokens. Plain server-rendered
//! forms, each carrying the session's CSRF token.

use crate::domain::{FieldError, PredefinedLabel, RegistrationStatus};
use leptos::prelude::*;

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

#[derive(Clone, Debug)]
pub struct DashEventRow {
    pub slug: String,
    pub title: String,
    pub status: String,
    pub when: String,
    pub registered: i64,
    pub capacity: Option<i64>,
    pub waitlisted: i64,
    pub pending: i64,
}

#[component]
pub fn EventsList(rows: Vec<DashEventRow>) -> impl IntoView {
    let empty = rows.is_empty();
    let body = rows
        .into_iter()
        .map(|r| {
            let href = format!("/dashboard/events/{}", r.slug);
            let seats = match r.capacity {
                Some(c) => format!("{} / {}", r.registered, c),
                None => r.registered.to_string(),
            };
            view! {
                <tr>
                    <td><a href=href>{r.title}</a></td>
                    <td><span class=format!("badge {}", r.status)>{r.status.clone()}</span></td>
                    <td>{r.when}</td>
                    <td class="num">{seats}</td>
                    <td class="num">{r.waitlisted}</td>
                    <td class="num">{r.pending}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="toolbar">
            <h1>"Events"</h1>
            <a class="button primary" href="/dashboard/events/new">"New event"</a>
        </div>
        {empty.then(|| view! { <p class="empty">"No events yet. Create your first one."</p> })}
        <table class="grid">
            <thead><tr><th scope="col">"Event"</th><th scope="col">"Status"</th><th scope="col">"When"</th><th scope="col">"Registered"</th><th scope="col">"Waitlist"</th><th scope="col">"Pending"</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

/// A question row in the editor.
#[derive(Clone, Debug, Default)]
pub struct QuestionRow {
    pub label: String,
    pub answer_input_type: String,
    pub choices: String,
    pub is_required: bool,
}

/// A presenter row in the editor.
#[derive(Clone, Debug, Default)]
pub struct PresenterRow {
    pub name: String,
    pub email: String,
    pub photo: String,
    pub x: String,
    pub company: String,
    pub job_title: String,
    pub bio: String,
    pub linkedin: String,
    pub website: String,
}

/// What the event editor shows: stored values, or what was typed when saving failed.
#[derive(Clone, Debug, Default)]
pub struct EventForm {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub kind: String,
    pub start: String,
    pub end: String,
    pub time_zone: String,
    pub capacity: String,
    pub waitlist: bool,
    pub approval: bool,
    /// Teams (rather than Atrium) emails webinar attendees their personal join links.
    pub teams_emails: bool,
    pub opens: String,
    pub closes: String,
    pub join_url: String,
    pub terms_url: String,
    /// Minutes a seat is held for a registrant to confirm their email address; "0" when not asked.
    pub confirm_minutes: String,
    /// Predefined questions asked, with whether each is required.
    pub predefined: Vec<(PredefinedLabel, bool)>,
    pub questions: Vec<QuestionRow>,
    pub presenters: Vec<PresenterRow>,
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

#[component]
pub fn EventEditor(
    form: EventForm,
    errors: Vec<FieldError>,
    csrf: String,
    action: String,
    zones: Vec<String>,
    is_new: bool,
    /// Microsoft mode: offer the choice of who emails webinar attendees.
    #[prop(optional)]
    microsoft: bool,
) -> impl IntoView {
    let e = errors.clone();
    let zone_options = zones
        .into_iter()
        .map(|z| {
            let selected = z == form.time_zone;
            view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
        })
        .collect_view();
    let predefined = PredefinedLabel::ALL
        .iter()
        .map(|label| {
            let asked = form.predefined.iter().find(|(l, _)| l == label);
            let name = format!("predefined.{}", label.as_str());
            let req = format!("predefined.{}.required", label.as_str());
            view! {
                <tr>
                    <td><label class="choice"><input type="checkbox" name=name value="true" checked=asked.is_some() /> {label.display_name()}</label></td>
                    <td><label class="choice"><input type="checkbox" name=req value="true" checked=asked.is_some_and(|(_, r)| *r) /> "Required"</label></td>
                </tr>
            }
        })
        .collect_view();
    let mut question_rows = form.questions.clone();
    question_rows.push(QuestionRow::default());
    question_rows.push(QuestionRow::default());
    let questions = question_rows
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let types = ["text", "multilineText", "singleChoice", "multiChoice", "boolean"]
                .into_iter()
                .map(|t| view! { <option value=t selected=q.answer_input_type == t>{t}</option> })
                .collect_view();
            let err = [format!("questions[{i}].label"), format!("questions[{i}].choices"), format!("questions[{i}].answerInputType")]
                .iter()
                .find_map(|f| error_for(&errors, f));
            let invalid = err.is_some();
            view! {
                <tr class:invalid=invalid>
                    <td><input name=format!("q.{i}.label") value=q.label aria-label=format!("Question {}", i + 1) /></td>
                    <td><select name=format!("q.{i}.type") aria-label=format!("Answer type {}", i + 1)>{types}</select></td>
                    <td><input name=format!("q.{i}.choices") value=q.choices aria-label=format!("Choices {}", i + 1) placeholder="One; Two; Three" /></td>
                    <td><input type="checkbox" name=format!("q.{i}.required") value="true" checked=q.is_required aria-label=format!("Required {}", i + 1) /></td>
                    <td><input type="number" name=format!("q.{i}.position") value=(i + 1).to_string() min="1" class="short" aria-label=format!("Position {}", i + 1) /></td>
                    <td class="field-error">{err}</td>
                </tr>
            }
        })
        .collect_view();
    let mut presenter_rows = form.presenters.clone();
    presenter_rows.push(PresenterRow::default());
    let presenters = presenter_rows
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            view! {
                <fieldset class="presenter">
                    <legend>{format!("Presenter {}", i + 1)}</legend>
                    <label>"Name" <input name=format!("p.{i}.name") value=p.name /></label>
                    <label>"Company" <input name=format!("p.{i}.company") value=p.company /></label>
                    <label>"Job title" <input name=format!("p.{i}.jobTitle") value=p.job_title /></label>
                    <label>"LinkedIn" <input name=format!("p.{i}.linkedin") value=p.linkedin type="url" /></label>
                    <label>"Website" <input name=format!("p.{i}.website") value=p.website type="url" /></label>
                    <label>"X" <input name=format!("p.{i}.x") value=p.x type="url" /></label>
                    <label>"Email" <input name=format!("p.{i}.email") value=p.email type="email" /></label>
                    <label>"Photo URL" <input name=format!("p.{i}.photo") value=p.photo type="url" /></label>
                    <label class="wide">"Bio" <textarea name=format!("p.{i}.bio") rows="2">{p.bio}</textarea></label>
                </fieldset>
            }
        })
        .collect_view();
    let general = error_for(&errors, "form");
    view! {
        <h1>{if is_new { "New event" } else { "Edit event" }}</h1>
        {general.map(|g| view! { <p class="closed" role="alert">{g}</p> })}
        {(!errors.is_empty()).then(|| view! { <p class="closed" role="alert">"Some fields need attention; see the messages below."</p> })}
        <form method="post" action=action class="editor">
            <Csrf token=csrf />
            <Field name="title" label="Title" value=form.title errors=e.clone() />
            <Field name="slug" label="Address" value=form.slug errors=e.clone() hint="The page is /events/<address>. Lower-case letters, digits and hyphens." />
            <Field name="summary" label="Summary" value=form.summary errors=e.clone() />
            <div class="field" class:invalid=error_for(&e, "description").is_some()>
                <label for="description">"Description"</label>
                <textarea id="description" name="description" rows="6">{form.description}</textarea>
                <p class="field-error">{error_for(&e, "description")}</p>
            </div>
            <div class="field">
                <label for="kind">"Kind"</label>
                <select id="kind" name="kind">
                    <option value="webinar" selected=form.kind != "meeting">"Webinar (attendees join in Teams)"</option>
                    <option value="meeting" selected=form.kind == "meeting">"Meeting (attendees can join in the browser)"</option>
                </select>
            </div>
            <div class="row">
                <Field name="startDateTime" label="Starts" value=form.start errors=e.clone() kind="datetime-local" />
                <Field name="endDateTime" label="Ends" value=form.end errors=e.clone() kind="datetime-local" />
            </div>
            <div class="field" class:invalid=error_for(&e, "timeZone").is_some()>
                <label for="timeZone">"Time zone"</label>
                <select id="timeZone" name="timeZone">{zone_options}</select>
                <p class="field-error">{error_for(&e, "timeZone")}</p>
            </div>
            <div class="row">
                <Field name="capacity" label="Capacity" value=form.capacity errors=e.clone() kind="number" hint="Empty for no limit." />
                <div class="field">
                    <label class="choice"><input type="checkbox" name="isWaitlistEnabled" value="true" checked=form.waitlist /> "Waitlist when full"</label>
                    <label class="choice"><input type="checkbox" name="isManualApprovalEnabled" value="true" checked=form.approval /> "Approve each registration"</label>
                    {microsoft.then(|| view! {
                        <input type="hidden" name="teamsEmailsShown" value="1" />
                        <label class="choice"><input type="checkbox" name="isAttendeeEmailNotificationEnabled" value="true" checked=form.teams_emails /> "Teams emails attendees their join links"</label>
                        <p class="hint">"Webinars: Teams sends each attendee a personal join link. Untick to have only Atrium email them, with the webinar's join link."</p>
                    })}
                </div>
            </div>
            <div class="row">
                <Field name="registrationOpensDateTime" label="Registration opens" value=form.opens errors=e.clone() kind="datetime-local" hint="Empty: as soon as it's published." />
                <Field name="registrationClosesDateTime" label="Registration closes" value=form.closes errors=e.clone() kind="datetime-local" hint="Empty: when the event ends." />
            </div>
            <Field name="joinUrl" label="Join link" value=form.join_url errors=e.clone() kind="url" hint="Shown only to registered attendees." />
            <Field name="termsUrl" label="Terms and privacy link" value=form.terms_url errors=e.clone() kind="url" hint="When set, registrants must accept it." />
            <Field
                name="emailConfirmationMinutes"
                label="Confirm email addresses within (minutes)"
                value=form.confirm_minutes
                errors=e.clone()
                kind="number"
                hint="0: don't ask. Otherwise registrants get a link to confirm their address; their seat is held this long, then released to the next person."
            />
            <h2>"Registration questions"</h2>
            <table class="grid compact"><tbody>{predefined}</tbody></table>
            <table class="grid compact">
                <thead><tr><th scope="col">"Your question"</th><th scope="col">"Answer type"</th><th scope="col">"Choices (separate with ;)"</th><th scope="col">"Required"</th><th scope="col">"Order"</th><th></th></tr></thead>
                <tbody>{questions}</tbody>
            </table>
            <p class="hint">"Clear a question's text to remove it. Save to get more empty rows."</p>
            <h2>"Presenters"</h2>
            {presenters}
            <button type="submit" class="primary">{if is_new { "Create draft" } else { "Save changes" }}</button>
        </form>
    }
}

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

#[derive(Clone, Debug)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created: String,
    pub last_used: String,
    /// "Active", "Revoked" or "Expired".
    pub state: String,
    /// When it stops working, or "never".
    pub expires: String,
    /// "Read only" or "Read and write".
    pub scope: String,
}

#[component]
pub fn TokensPage(tokens: Vec<TokenView>, new_token: Option<String>, csrf: String) -> impl IntoView {
    let rows = tokens
        .into_iter()
        .map(|t| {
            let revoke = (t.state == "Active").then(|| {
                view! {
                    <form method="post" action=format!("/dashboard/tokens/{}/revoke", t.id) class="inline">
                        <Csrf token=csrf.clone() />
                        <button type="submit" class="small danger">"Revoke"</button>
                    </form>
                }
            });
            view! {
                <tr>
                    <td>{t.name}</td>
                    <td>{t.created_by}</td>
                    <td>{t.created}</td>
                    <td>{t.last_used}</td>
                    <td>{t.scope}</td>
                    <td>{t.expires}</td>
                    <td>{t.state}</td>
                    <td>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>"API tokens"</h1>
        <p class="hint">"Tokens let integrations use the REST API (/api/v1) as your organization. Send one as Authorization: Bearer <token>."</p>
        {new_token.map(|t| view! {
            <div class="banner" role="status">
                <p>"Your new token. Copy it now: it won't be shown again."</p>
                <p><code class="token">{t}</code></p>
            </div>
        })}
        <form method="post" action="/dashboard/tokens" class="filters">
            <Csrf token=csrf.clone() />
            <label for="token-name">"Name"</label>
            <input id="token-name" name="name" required=true placeholder="CRM sync" />
            <label for="token-expires">"Expires after"</label>
            <select id="token-expires" name="expires">
                <option value="30">"30 days"</option>
                <option value="90" selected=true>"90 days"</option>
                <option value="365">"1 year"</option>
                <option value="never">"Never"</option>
            </select>
            <label class="choice"><input type="checkbox" name="scope" value="read" /> "Read only"</label>
            <button type="submit" class="primary">"Create token"</button>
        </form>
        <table class="grid">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Created by"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Access"</th><th scope="col">"Expires"</th><th scope="col">"State"</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

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
