//! The booking page: services are links; the day form (staff member, day, zone) is a GET form
//! that reloads the page without JavaScript, and the day's times are the `DayAndTimes` island
//! (updated in place when the day form changes, once hydrated); the customer's details go in the
//! POST form with the time.

use crate::domain::FieldError;
use leptos::prelude::*;

use crate::islands::DayAndTimes;
pub use crate::views::{Choice, PickerSpec};

/// What the customer typed, kept when the form comes back with errors.
#[derive(Clone, Debug, Default)]
pub struct BookingForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// Answers typed, by question id.
    pub answers: Vec<(String, String)>,
}

/// A custom question the chosen service asks.
#[derive(Clone, Debug)]
pub struct QuestionView {
    pub id: String,
    pub label: String,
    /// A radioButton question's choices; none for a text question.
    pub options: Vec<String>,
    pub required: bool,
}

/// Everything the booking page shows.
#[derive(Clone, Debug)]
pub struct BookingView {
    pub business: String,
    /// The business's logo (an https address), and its brand colour's stylesheet.
    pub logo: Option<String>,
    pub brand_sheet: Option<String>,
    /// Services, each a link.
    pub services: Vec<(Choice, String)>,
    /// The day and its times, once a service is chosen.
    pub picker: Option<PickerSpec>,
    /// The chosen service's questions.
    pub questions: Vec<QuestionView>,
    pub form: BookingForm,
    pub errors: Vec<FieldError>,
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
fn Ask(question: QuestionView, value: String, errors: Vec<FieldError>) -> impl IntoView {
    let err = error_of(&errors, &format!("answers.{}", question.id));
    let invalid = err.is_some();
    let name = format!("answer.{}", question.id);
    let id = format!("q-{}", question.id);
    let err_id = format!("err-{id}");
    let label = if question.required {
        question.label.clone()
    } else {
        format!("{} (optional)", question.label)
    };
    if question.options.is_empty() {
        return view! {
            <div class="field" class:invalid=invalid>
                <label for=id.clone()>{label}</label>
                <input id=id name=name type="text" value=value required=question.required maxlength="1000"
                    aria-describedby=err_id.clone() aria-invalid=if invalid { "true" } else { "false" } />
                <p class="field-error" id=err_id>{err}</p>
            </div>
        }
        .into_any();
    }
    let choices = question
        .options
        .iter()
        .enumerate()
        .map(|(n, option)| {
            let (input_id, label_for) = (format!("{id}-{n}"), format!("{id}-{n}"));
            view! {
                <label class="choice" for=label_for>
                    <input type="radio" id=input_id name=name.clone() value=option.clone() checked=*option == value required=question.required />
                    {option.clone()}
                </label>
            }
        })
        .collect_view();
    let described = err_id.clone();
    view! {
        <fieldset class="field" class:invalid=invalid aria-describedby=described>
            <legend>{label}</legend>
            {choices}
            <p class="field-error" id=err_id>{err}</p>
        </fieldset>
    }
    .into_any()
}

/// The day form: who with (when the business lets customers choose), which day, which zone.
#[component]
fn DayForm(spec: PickerSpec) -> impl IntoView {
    let staff_field = spec.staff.map(|list| {
        let options = list
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
    let zone_options = spec
        .zones
        .into_iter()
        .map(|c| view! { <option value=c.value selected=c.chosen>{c.label}</option> })
        .collect_view();
    view! {
        <form method="get" id="choose-day" class="stack choose-day">
            <input type="hidden" name="service" value=spec.service />
            {spec.moving.map(|token| view! { <input type="hidden" name="reschedule" value=token /> })}
            {staff_field}
            <div class="field">
                <label for="date">"Day"</label>
                <input id="date" name="date" type="date" value=spec.date required=true />
            </div>
            <div class="field">
                <label for="tz">"Times shown in"</label>
                <select id="tz" name="tz">{zone_options}</select>
            </div>
            <button type="submit">"Show times"</button>
        </form>
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
    let picker = page.picker.map(|spec| {
        let moving = spec.moving.is_some();
        let (form, errors, questions) = (page.form, page.errors, page.questions);
        let times = spec.times();
        view! {
            <DayForm spec=spec />
            <DayAndTimes spec=times>
                {(!moving).then(|| view! {
                    <Input name="name" label="Your name" kind="text" value=form.name.clone() errors=errors.clone() autocomplete="name" />
                    <Input name="email" label="Email" kind="email" value=form.email.clone() errors=errors.clone() autocomplete="email" />
                    <Input name="phone" label="Phone (optional)" kind="tel" value=form.phone.clone() errors=errors.clone() autocomplete="tel" />
                    {questions.iter().map(|q| {
                        let value = form.answers.iter().find(|(id, _)| *id == q.id).map(|(_, v)| v.clone()).unwrap_or_default();
                        view! { <Ask question=q.clone() value=value errors=errors.clone() /> }
                    }).collect_view()}
                })}
                <button type="submit" class="primary">{if moving { "Move my appointment" } else { "Book" }}</button>
            </DayAndTimes>
        }
        .into_any()
    });
    view! {
        {page.brand_sheet.map(|href| view! { <link rel="stylesheet" href=href /> })}
        <article class="booking narrow">
            {page.logo.map(|src| view! { <img class="logo" src=src alt=format!("{} logo", page.business) /> })}
            <h1>{format!("Book with {}", page.business)}</h1>
            <section aria-labelledby="services-heading">
                <h2 id="services-heading">"Service"</h2>
                <ul class="services">{services}</ul>
            </section>
            {picker}
        </article>
    }
}
