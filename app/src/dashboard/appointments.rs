//! The dashboard's appointments: the organization's businesses with a form for a new one, and a
//! business's week (its agenda, with cancel and no-show), services and staff.

use super::{error_for, Csrf, DayHours, Field, HoursEditor};
use crate::domain::FieldError;
use crate::islands::{AgendaSpec, LiveAgenda};
use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct BusinessRow {
    pub name: String,
    pub slug: String,
    pub published: bool,
    pub services: usize,
    pub staff: usize,
}

/// The form for a new business, as typed.
#[derive(Clone, Debug, Default)]
pub struct NewBusinessForm {
    pub name: String,
    pub time_zone: String,
    pub slug: String,
    pub errors: Vec<FieldError>,
}

#[component]
pub fn BusinessesPage(rows: Vec<BusinessRow>, form: NewBusinessForm, zones: Vec<String>, csrf: String) -> impl IntoView {
    let empty = rows.is_empty();
    let body = rows
        .into_iter()
        .map(|r| {
            let status = if r.published { "published" } else { "draft" };
            view! {
                <tr>
                    <td><a href=format!("/dashboard/appointments/{}", r.slug)>{r.name}</a></td>
                    <td><span class=format!("badge {status}")>{status}</span></td>
                    <td><a href=format!("/book/{}", r.slug)>{format!("/book/{}", r.slug)}</a></td>
                    <td class="num">{r.services}</td>
                    <td class="num">{r.staff}</td>
                </tr>
            }
        })
        .collect_view();
    let zone_error = error_for(&form.errors, "timeZone");
    let zone_invalid = zone_error.is_some();
    view! {
        <h1>"Appointments"</h1>
        {empty.then(|| view! { <p class="empty">"No businesses yet. Add one to let customers book time with your staff."</p> })}
        <table class="grid">
            <thead><tr><th scope="col">"Business"</th><th scope="col">"Status"</th><th scope="col">"Booking page"</th><th scope="col">"Services"</th><th scope="col">"Staff"</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
        <h2>"New business"</h2>
        <form method="post" action="/dashboard/appointments" class="stack">
            <Csrf token=csrf />
            <Field name="displayName" label="Name" value=form.name errors=form.errors.clone() />
            <div class="field" class:invalid=zone_invalid>
                <label for="timeZone">"Time zone"</label>
                <input id="timeZone" name="timeZone" list="zones" value=form.time_zone aria-describedby="err-timeZone"
                    aria-invalid=if zone_invalid { "true" } else { "false" } />
                <datalist id="zones">{zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}</datalist>
                <p class="hint">"Its business hours are read in this zone, such as America/New_York."</p>
                <p class="field-error" id="err-timeZone">{zone_error}</p>
            </div>
            <Field name="slug" label="Booking page address (optional)" value=form.slug errors=form.errors hint="Lowercase letters, digits and dashes; made from the name when left empty." />
            <p class="hint">"New businesses open Monday to Friday, 09:00–17:00, in 30-minute steps, booked at least a day ahead; change this in the business's settings."</p>
            <button type="submit" class="primary">"Add business"</button>
        </form>
    }
}

pub use crate::rpc::{AgendaDay, AgendaItem};

#[derive(Clone, Debug)]
pub struct ServiceRow {
    pub id: String,
    pub name: String,
    pub duration: String,
    pub staff: String,
}

#[derive(Clone, Debug)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub hours: String,
}

/// The forms for a new service and a new staff member, as typed.
#[derive(Clone, Debug, Default)]
pub struct SetupForms {
    pub service_name: String,
    pub service_minutes: String,
    pub staff_name: String,
    pub staff_email: String,
    pub errors: Vec<FieldError>,
}

#[derive(Clone, Debug)]
pub struct BusinessView {
    pub name: String,
    pub slug: String,
    pub published: bool,
    pub zone: String,
    pub week: String,
    pub previous_week: String,
    pub next_week: String,
    /// (id, name, chosen) of each staff member, to show one person's agenda.
    pub staff_filter: Vec<(String, String, bool)>,
    /// The week's agenda, kept current in the page.
    pub agenda: AgendaSpec,
    pub services: Vec<ServiceRow>,
    pub staff: Vec<StaffRow>,
    pub forms: SetupForms,
    pub notice: Option<String>,
    pub csrf: String,
    /// Each weekday (monday … sunday): open, from, until.
    pub hours: Vec<DayHours>,
}

#[component]
pub fn BusinessPage(page: BusinessView) -> impl IntoView {
    let base = format!("/dashboard/appointments/{}", page.slug);
    let csrf = page.csrf.clone();
    let publish = if page.published {
        view! { <form method="post" action=format!("{base}/unpublish") class="inline"><Csrf token=csrf.clone() /><button type="submit">"Close booking page"</button></form> }.into_any()
    } else {
        view! { <form method="post" action=format!("{base}/publish") class="inline"><Csrf token=csrf.clone() /><button type="submit" class="primary">"Publish"</button></form> }.into_any()
    };
    let chosen_staff = page
        .staff_filter
        .iter()
        .find(|(_, _, c)| *c)
        .map(|(id, _, _)| id.clone())
        .unwrap_or_default();
    let with_staff = |week: &str| {
        if chosen_staff.is_empty() {
            format!("{base}?week={week}")
        } else {
            format!("{base}?week={week}&staff={chosen_staff}")
        }
    };
    let staff_options = page
        .staff_filter
        .iter()
        .map(|(id, name, chosen)| view! { <option value=id.clone() selected=*chosen>{name.clone()}</option> })
        .collect_view();
    let services = page
        .services
        .into_iter()
        .map(|s| {
            let href = format!("{base}/services/{}", s.id);
            view! { <tr><td><a href=href>{s.name}</a></td><td>{s.duration}</td><td>{s.staff}</td></tr> }
        })
        .collect_view();
    let staff_choices = page
        .staff
        .iter()
        .map(|s| {
            let (input_id, label_for) = (format!("give-{}", s.id), format!("give-{}", s.id));
            view! { <label class="choice" for=label_for><input type="checkbox" id=input_id name="staff" value=s.id.clone() checked=true />{s.name.clone()}</label> }
        })
        .collect_view();
    let staff = page
        .staff
        .into_iter()
        .map(|s| {
            let href = format!("{base}/staff/{}", s.id);
            view! { <tr><td><a href=href>{s.name}</a></td><td>{s.email}</td><td>{s.hours}</td></tr> }
        })
        .collect_view();
    let forms = page.forms;
    let no_editor = page.hours.is_empty();
    let staff_error = error_for(&forms.errors, "staffMemberIds");
    view! {
        <p><a href="/dashboard/appointments">"← All businesses"</a></p>
        <div class="toolbar">
            <h1>{page.name}</h1>
            {publish}
        </div>
        {page.notice.map(|n| view! { <p class="banner" role="status">{n}</p> })}
        <p class="hint">{format!("Times in {}. ", page.zone)}<a href=format!("/book/{}", page.slug)>"Booking page"</a>
            " · " <a href=format!("{base}/customers")>"Customers"</a>
            " · " <a href=format!("{base}/settings")>"Settings"</a></p>
        <h2>{format!("Week of {}", page.week)}</h2>
        <form method="get" action=base.clone() class="filters">
            <input type="hidden" name="week" value=page.week.clone() />
            <label for="staff-filter">"Agenda of"</label>
            <select id="staff-filter" name="staff">
                <option value="">"Everyone"</option>
                {staff_options}
            </select>
            <button type="submit">"Show"</button>
            <a href=with_staff(&page.previous_week)>"← Previous week"</a>
            <a href=with_staff(&page.next_week)>"Next week →"</a>
        </form>
        <LiveAgenda spec=page.agenda />
        <h2>"Opening hours"</h2>
        {no_editor.then(|| view! {
            <p class="hint">"Some days have more than one stretch of hours; change them through the API."</p>
        })}
        <form method="post" action=format!("{base}/hours") class="stack hours" hidden=no_editor>
            <Csrf token=csrf.clone() />
            <HoursEditor hours=page.hours />
            <p class="field-error">{error_for(&forms.errors, "businessHours")}</p>
            <button type="submit">"Save opening hours"</button>
        </form>
        <h2>"Services"</h2>
        <table class="grid">
            <thead><tr><th scope="col">"Service"</th><th scope="col">"Length"</th><th scope="col">"Given by"</th></tr></thead>
            <tbody>{services}</tbody>
        </table>
        <h3>"New service"</h3>
        <form method="post" action=format!("{base}/services") class="stack">
            <Csrf token=csrf.clone() />
            <Field name="displayName" label="Name" value=forms.service_name errors=forms.errors.clone() />
            <Field name="defaultDuration" label="Length in minutes" value=forms.service_minutes errors=forms.errors.clone() kind="number" />
            <fieldset class="field">
                <legend>"Given by"</legend>
                {staff_choices}
                <p class="field-error">{staff_error}</p>
            </fieldset>
            <button type="submit" class="primary">"Add service"</button>
        </form>
        <h2>"Staff"</h2>
        <table class="grid">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Hours"</th></tr></thead>
            <tbody>{staff}</tbody>
        </table>
        <h3>"New staff member"</h3>
        <form method="post" action=format!("{base}/staff") class="stack">
            <Csrf token=csrf />
            <Field name="staffName" label="Name" value=forms.staff_name errors=forms.errors.clone() />
            <Field name="emailAddress" label="Email" value=forms.staff_email errors=forms.errors kind="email" hint="Where their booking emails go." />
            <button type="submit" class="primary">"Add staff member"</button>
        </form>
    }
}

#[derive(Clone, Debug)]
pub struct CustomerView {
    pub name: String,
    pub email: String,
    pub booked: i64,
    pub canceled: i64,
    pub last: String,
    pub next: String,
}

/// A business's customers: who booked, how often, when last and next.
#[component]
pub fn CustomersPage(business: String, slug: String, rows: Vec<CustomerView>) -> impl IntoView {
    let empty = rows.is_empty();
    let body = rows
        .into_iter()
        .map(|c| {
            view! {
                <tr>
                    <td>{c.name}</td>
                    <td><a href=format!("mailto:{}", c.email)>{c.email.clone()}</a></td>
                    <td class="num">{c.booked}</td>
                    <td class="num">{c.canceled}</td>
                    <td>{c.last}</td>
                    <td>{c.next}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p><a href=format!("/dashboard/appointments/{slug}")>{format!("← {business}")}</a></p>
        <h1>{format!("Customers of {business}")}</h1>
        {empty.then(|| view! { <p class="empty">"No customers yet."</p> })}
        <table class="grid">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Appointments"</th><th scope="col">"Canceled"</th><th scope="col">"Last"</th><th scope="col">"Next"</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}
