//! Editing what a business is set up with from the dashboard: its name, zone and booking policy,
//! and each service (length, buffers, seats, online, who gives it). The same setup rules as the
//! API check every field; each problem is said beside its field and what was typed stays.

use super::{error_for, Csrf, Field};
use crate::domain::FieldError;
use leptos::prelude::*;

/// The business's settings as shown (or as typed, when refused).
#[derive(Clone, Debug, Default)]
pub struct SettingsForm {
    pub name: String,
    pub time_zone: String,
    /// Minutes between start times.
    pub interval: String,
    /// Minutes ahead a booking must be made.
    pub lead_minutes: String,
    /// Days ahead a booking may be made.
    pub advance_days: String,
    pub allow_staff_selection: bool,
    pub errors: Vec<FieldError>,
}

#[component]
pub fn SettingsPage(business: String, slug: String, form: SettingsForm, zones: Vec<String>, csrf: String) -> impl IntoView {
    let base = format!("/dashboard/appointments/{slug}");
    let zone_error = error_for(&form.errors, "timeZone");
    let zone_invalid = zone_error.is_some();
    let errors = form.errors;
    view! {
        <p><a href=base.clone()>{format!("← {business}")}</a></p>
        <h1>"Business settings"</h1>
        <form method="post" action=format!("{base}/settings") class="stack">
            <Csrf token=csrf />
            <Field name="displayName" label="Name" value=form.name errors=errors.clone() />
            <div class="field" class:invalid=zone_invalid>
                <label for="timeZone">"Time zone"</label>
                <input id="timeZone" name="timeZone" list="zones" value=form.time_zone aria-describedby="err-timeZone"
                    aria-invalid=if zone_invalid { "true" } else { "false" } />
                <datalist id="zones">{zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}</datalist>
                <p class="field-error" id="err-timeZone">{zone_error}</p>
            </div>
            <Field name="schedulingPolicy.timeSlotInterval" label="Minutes between start times" value=form.interval errors=errors.clone() kind="number" />
            <Field name="schedulingPolicy.minimumLeadTime" label="Book at least this many minutes ahead" value=form.lead_minutes errors=errors.clone() kind="number" />
            <Field name="schedulingPolicy.maximumAdvance" label="Book at most this many days ahead" value=form.advance_days errors=errors.clone() kind="number" />
            <label class="choice" for="allowStaffSelection">
                <input type="checkbox" id="allowStaffSelection" name="allowStaffSelection" value="1" checked=form.allow_staff_selection />
                "Customers choose who they meet"
            </label>
            <p class="field-error">{error_for(&errors, "schedulingPolicy")}</p>
            <button type="submit" class="primary">"Save settings"</button>
        </form>
    }
}

/// A service as shown (or as typed, when refused).
#[derive(Clone, Debug, Default)]
pub struct ServiceForm {
    pub id: String,
    pub name: String,
    pub minutes: String,
    pub pre_minutes: String,
    pub post_minutes: String,
    pub seats: String,
    pub online: bool,
    /// (id, name, gives it) of each staff member.
    pub staff: Vec<(String, String, bool)>,
    pub errors: Vec<FieldError>,
}

#[component]
pub fn ServicePage(business: String, slug: String, form: ServiceForm, csrf: String) -> impl IntoView {
    let base = format!("/dashboard/appointments/{slug}");
    let action = format!("{base}/services/{}", form.id);
    let errors = form.errors;
    let staff = form
        .staff
        .into_iter()
        .map(|(id, name, gives)| {
            let (input_id, label_for) = (format!("give-{id}"), format!("give-{id}"));
            view! { <label class="choice" for=label_for><input type="checkbox" id=input_id name="staff" value=id checked=gives />{name}</label> }
        })
        .collect_view();
    let title = form.name.clone();
    view! {
        <p><a href=base>{format!("← {business}")}</a></p>
        <h1>{title}</h1>
        <form method="post" action=action.clone() class="stack">
            <Csrf token=csrf.clone() />
            <Field name="displayName" label="Name" value=form.name errors=errors.clone() />
            <Field name="defaultDuration" label="Length in minutes" value=form.minutes errors=errors.clone() kind="number" />
            <Field name="preBuffer" label="Minutes kept free before" value=form.pre_minutes errors=errors.clone() kind="number" />
            <Field name="postBuffer" label="Minutes kept free after" value=form.post_minutes errors=errors.clone() kind="number" />
            <Field name="maximumAttendeesCount" label="Seats per appointment" value=form.seats errors=errors.clone() kind="number"
                hint="Above 1 makes it a group appointment." />
            <label class="choice" for="isLocationOnline">
                <input type="checkbox" id="isLocationOnline" name="isLocationOnline" value="1" checked=form.online />
                "Online (a Teams meeting in Microsoft mode)"
            </label>
            <fieldset class="field">
                <legend>"Given by"</legend>
                {staff}
                <p class="field-error">{error_for(&errors, "staffMemberIds")}</p>
            </fieldset>
            <button type="submit" class="primary">"Save service"</button>
        </form>
        <h2>"Remove"</h2>
        <form method="post" action=format!("{action}/remove") class="inline">
            <Csrf token=csrf />
            <button type="submit">"Remove this service"</button>
        </form>
        <p class="hint">"A service with appointments ahead cannot be removed."</p>
    }
}
