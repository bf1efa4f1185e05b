//! A staff member's page in the dashboard: their time zone, whether they work the business's
//! hours or their own (edited day by day), and their time off.

use super::{error_for, Csrf, DayHours, HoursEditor};
use crate::domain::FieldError;
use leptos::prelude::*;

/// A stretch of time off, in the staff member's zone.
#[derive(Clone, Debug)]
pub struct TimeOffRow {
    pub id: String,
    pub from: String,
    pub until: String,
}

#[derive(Clone, Debug)]
pub struct StaffMemberView {
    pub business: String,
    pub slug: String,
    pub id: String,
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub use_business_hours: bool,
    /// Their own hours in the editor; none when some day has more than one stretch.
    pub hours: Vec<DayHours>,
    pub time_off: Vec<TimeOffRow>,
    /// The new time off's fields as typed (`YYYY-MM-DDTHH:MM`).
    pub off_from: String,
    pub off_until: String,
    pub zones: Vec<String>,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    pub csrf: String,
}

/// The problem with `field` or one of its parts (`startDateTime.dateTime`).
#[component]
fn Problem(errors: Vec<FieldError>, field: &'static str, id: &'static str) -> impl IntoView {
    let message = errors
        .iter()
        .find(|e| e.field == field || e.field.strip_prefix(field).is_some_and(|rest| rest.starts_with('.')))
        .map(|e| e.message.clone());
    view! { <p class="field-error" id=id>{message}</p> }
}

#[component]
pub fn StaffMemberPage(page: StaffMemberView) -> impl IntoView {
    let base = format!("/dashboard/appointments/{}/staff/{}", page.slug, page.id);
    let csrf = page.csrf.clone();
    let zone_invalid = error_for(&page.errors, "timeZone").is_some();
    let off_invalid = page
        .errors
        .iter()
        .any(|e| e.field.starts_with("startDateTime") || e.field.starts_with("endDateTime"));
    let no_editor = page.hours.is_empty();
    let empty_off = page.time_off.is_empty();
    let off_rows = page
        .time_off
        .into_iter()
        .map(|t| {
            let remove = format!("{base}/time-off/{}/remove", t.id);
            let label = format!("Remove the time off from {}", t.from);
            view! {
                <tr>
                    <td>{t.from}</td>
                    <td>{t.until}</td>
                    <td><form method="post" action=remove class="inline"><Csrf token=csrf.clone() />
                        <button type="submit" aria-label=label>"Remove"</button></form></td>
                </tr>
            }
        })
        .collect_view();
    let errors = page.errors;
    view! {
        <p><a href=format!("/dashboard/appointments/{}", page.slug)>{format!("← {}", page.business)}</a></p>
        <h1>{page.name}</h1>
        <p class="hint">{if page.email.is_empty() { "No email address.".to_string() } else { page.email }}</p>
        {page.notice.map(|n| view! { <p class="banner" role="status">{n}</p> })}
        <h2>"Working hours"</h2>
        <form method="post" action=base.clone() class="stack">
            <Csrf token=csrf.clone() />
            <div class="field" class:invalid=zone_invalid>
                <label for="timeZone">"Time zone"</label>
                <input id="timeZone" name="timeZone" list="zones" value=page.time_zone aria-describedby="err-timeZone"
                    aria-invalid=if zone_invalid { "true" } else { "false" } />
                <datalist id="zones">{page.zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}</datalist>
                <p class="hint">"Their own hours and time off are read in this zone."</p>
                <Problem errors=errors.clone() field="timeZone" id="err-timeZone" />
            </div>
            <label class="choice" for="useBusinessHours">
                <input type="checkbox" id="useBusinessHours" name="useBusinessHours" value="1" checked=page.use_business_hours />
                "Works the business's opening hours"
            </label>
            <p class="hint">"Untick to use the hours below instead."</p>
            {no_editor.then(|| view! {
                <p class="hint">"Some days have more than one stretch of hours; change them through the API."</p>
            })}
            {(!no_editor).then(|| view! {
                <input type="hidden" name="hoursEditor" value="1" />
                <HoursEditor hours=page.hours />
            })}
            <Problem errors=errors.clone() field="workingHours" id="err-workingHours" />
            <button type="submit" class="primary">"Save working hours"</button>
        </form>
        <h2>"Time off"</h2>
        {empty_off.then(|| view! { <p class="hint">"No time off ahead."</p> })}
        <table class="grid" hidden=empty_off>
            <thead><tr><th scope="col">"From"</th><th scope="col">"Until"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>{off_rows}</tbody>
        </table>
        <h3>"Add time off"</h3>
        <form method="post" action=format!("{base}/time-off") class="stack">
            <Csrf token=csrf />
            <div class="field" class:invalid=off_invalid>
                <label for="offFrom">"From"</label>
                <input id="offFrom" name="from" type="datetime-local" value=page.off_from required=true aria-describedby="err-startDateTime" />
                <Problem errors=errors.clone() field="startDateTime" id="err-startDateTime" />
                <label for="offUntil">"Until"</label>
                <input id="offUntil" name="until" type="datetime-local" value=page.off_until required=true aria-describedby="err-endDateTime" />
                <Problem errors=errors field="endDateTime" id="err-endDateTime" />
            </div>
            <p class="hint">"Nobody can book them then; appointments already booked stay."</p>
            <button type="submit">"Add time off"</button>
        </form>
    }
}
