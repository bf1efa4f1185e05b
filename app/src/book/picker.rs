//! The booking page: each choice is a link or a GET form, and the time and the customer's
//! details go in one POST form.

use crate::domain::FieldError;
use leptos::prelude::*;

/// Something to choose: its value, its label, and whether it is the current choice.
#[derive(Clone, Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

/// What the customer typed, kept when the form comes back with errors.
#[derive(Clone, Debug, Default)]
pub struct BookingForm {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// Everything the booking page shows.
#[derive(Clone, Debug)]
pub struct BookingView {
    pub business: String,
    pub action: String,
    /// Services, each a link.
    pub services: Vec<(Choice, String)>,
    /// The chosen service's id.
    pub service: Option<String>,
    /// Staff to choose from ("anyone" first), when the business lets customers choose.
    pub staff: Option<Vec<Choice>>,
    pub zones: Vec<Choice>,
    pub date: String,
    /// The chosen day's times (value: RFC 3339; label: local time).
    pub slots: Vec<Choice>,
    /// Said above the times: nothing free that day, or why a time was refused.
    pub notice: Option<String>,
    pub form: BookingForm,
    pub errors: Vec<FieldError>,
    /// Moving an existing appointment (its manage token): the time is all that is asked.
    pub moving: Option<String>,
}

fn error_of(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

#[component]
fn Input(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    errors: Vec<FieldError>,
    autocomplete: &'static str,
) -> impl IntoView {
    let field = format!("customer.{name}");
    let err = error_of(&errors, &field);
    let invalid = err.is_some();
    let err_id = format!("err-{name}");
    view! {
        <div class="field" class:invalid=invalid>
            <label for=name>{label}</label>
            <input id=name name=name type=kind value=value autocomplete=autocomplete
                aria-describedby=err_id.clone() aria-invalid=if invalid { "true" } else { "false" } />
            <p class="field-error" id=err_id>{err}</p>
        </div>
    }
}

#[component]
pub fn BookingPage(page: BookingView) -> impl IntoView {
    let services = page
        .services
        .iter()
        .map(|(c, detail)| {
            let href = format!("?service={}", c.value);
            let current = c.chosen.then_some("page");
            view! { <li><a href=href aria-current=current>{c.label.clone()}</a> " · " {detail.clone()}</li> }
        })
        .collect_view();
    let choose_day = page.service.clone().map(|service| {
        let staff = page.staff.clone().map(|staff| {
            let options = staff
                .into_iter()
                .map(|c| view! { <option value=c.value selected=c.chosen>{c.label}</option> })
                .collect_view();
            view! {
                <div class="field">
                    <label for="staff">"With"</label>
                    <select id="staff" name="staff">{options}</select>
                </div>
            }
        });
        let zones = page
            .zones
            .iter()
            .map(|c| view! { <option value=c.value.clone() selected=c.chosen>{c.label.clone()}</option> })
            .collect_view();
        view! {
            <form method="get" class="stack choose-day">
                <input type="hidden" name="service" value=service />
                {page.moving.clone().map(|token| view! { <input type="hidden" name="reschedule" value=token /> })}
                {staff}
                <div class="field">
                    <label for="date">"Day"</label>
                    <input id="date" name="date" type="date" value=page.date.clone() required=true />
                </div>
                <div class="field">
                    <label for="tz">"Times shown in"</label>
                    <select id="tz" name="tz">{zones}</select>
                </div>
                <button type="submit">"Show times"</button>
            </form>
        }
    });
    let notice = page.notice.clone().map(|n| view! { <p class="notice" role="status">{n}</p> });
    let times = (!page.slots.is_empty()).then(|| {
        let radios = page
            .slots
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let id = format!("slot-{i}");
                view! {
                    <li>
                        <input type="radio" id=id.clone() name="start" value=c.value.clone() checked=c.chosen required=true />
                        <label for=id>{c.label.clone()}</label>
                    </li>
                }
            })
            .collect_view();
        let chosen_staff = page.staff.as_ref().and_then(|s| s.iter().find(|c| c.chosen).map(|c| c.value.clone())).unwrap_or_default();
        let zone = page.zones.iter().find(|c| c.chosen).map(|c| c.value.clone()).unwrap_or_default();
        let start_error = error_of(&page.errors, "start");
        view! {
            <form method="post" action=page.action.clone() class="stack book">
                <input type="hidden" name="service" value=page.service.clone().unwrap_or_default() />
                <input type="hidden" name="staff" value=chosen_staff />
                <input type="hidden" name="tz" value=zone />
                <fieldset>
                    <legend>"Time"</legend>
                    <ul class="slots">{radios}</ul>
                    <p class="field-error">{start_error}</p>
                </fieldset>
                {page.moving.is_none().then(|| view! {
                    <Input name="name" label="Your name" kind="text" value=page.form.name.clone() errors=page.errors.clone() autocomplete="name" />
                    <Input name="email" label="Email" kind="email" value=page.form.email.clone() errors=page.errors.clone() autocomplete="email" />
                    <Input name="phone" label="Phone (optional)" kind="tel" value=page.form.phone.clone() errors=page.errors.clone() autocomplete="tel" />
                })}
                <button type="submit" class="primary">{if page.moving.is_some() { "Move my appointment" } else { "Book" }}</button>
            </form>
        }
    });
    view! {
        <article class="booking narrow">
            <h1>{format!("Book with {}", page.business)}</h1>
            <section aria-labelledby="services-heading">
                <h2 id="services-heading">"Service"</h2>
                <ul class="services">{services}</ul>
            </section>
            {choose_day}
            {notice}
            {times}
        </article>
    }
}
