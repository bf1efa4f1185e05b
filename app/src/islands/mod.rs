//! The interactive parts of Atrium's pages. Everything around them is plain server-rendered
//! HTML that works without JavaScript; these islands hydrate in the browser to show times in the
//! visitor's own time zone and to submit the registration form in place.

mod agenda;
mod booking;

pub use agenda::{AgendaSpec, LiveAgenda};
pub use booking::DayAndTimes;

use crate::domain::{answer_field, AnswerInputType, FieldError, Question};
use crate::views::{FormSpec, Times};
use leptos::prelude::*;

/// An event's date and time, re-rendered in the browser's time zone unless the visitor chose one.
#[island]
pub fn LocalTimes(times: Times) -> impl IntoView {
    let text = RwSignal::new(times.text.clone());
    let zone = RwSignal::new(times.zone.clone());
    #[cfg(feature = "hydrate")]
    {
        let times = times.clone();
        Effect::new(move |_| {
            if times.chosen {
                return;
            }
            let Some(browser_zone) = browser::time_zone() else { return };
            if browser_zone == times.zone {
                return;
            }
            if let Some(local) = browser::format_range(times.start_unix, times.end_unix, &browser_zone) {
                text.set(local);
                zone.set(browser_zone.clone());
                browser::select_zone(&browser_zone);
            }
        });
    }
    let iso = times.start_unix * 1000;
    view! {
        <span class="times">
            <time data-start=iso.to_string()>{move || text.get()}</time>
            " "
            <span class="zone-name">{move || zone.get()}</span>
        </span>
    }
}

fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

/// The registration form. Without JavaScript it posts to the server like any form; hydrated, it
/// submits to the JSON API, keeps what was typed, and shows each field's problem next to it.
#[island]
pub fn RegistrationForm(spec: FormSpec) -> impl IntoView {
    let errors = RwSignal::new(spec.errors.clone());
    let notice = RwSignal::new(spec.notice.clone());
    let busy = RwSignal::new(false);
    let timezone = RwSignal::new(spec.preferred_timezone.clone());
    let general = move || error_for(&errors.get(), "form");
    // Set once the island is live in the browser, so tests and styles can tell.
    let ready = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| ready.set(true));

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(zone) = browser::chosen_or_detected_zone() {
            timezone.set(zone);
        }
    });

    #[cfg(feature = "hydrate")]
    let idempotency_key = browser::random_key();
    let on_submit = {
        #[cfg(feature = "hydrate")]
        let spec = spec.clone();
        move |ev: leptos::ev::SubmitEvent| {
            #[cfg(feature = "hydrate")]
            {
                ev.prevent_default();
                if busy.get_untracked() {
                    return;
                }
                busy.set(true);
                notice.set(None);
                let spec = spec.clone();
                let key = idempotency_key.clone();
                let form = browser::form_of(&ev);
                leptos::task::spawn_local(async move {
                    match browser::submit_registration(&spec, form, &key).await {
                        browser::Outcome::Created { manage_token } => {
                            browser::go_to(&format!("/r/{manage_token}?new=1"));
                        }
                        browser::Outcome::Existing { message } => {
                            errors.set(Vec::new());
                            notice.set(Some(message));
                            busy.set(false);
                        }
                        browser::Outcome::Invalid(list) => {
                            errors.set(list);
                            busy.set(false);
                            browser::focus_first_error();
                        }
                    }
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = ev;
        }
    };

    let v = spec.values.clone();
    let field = move |name: &'static str, label: &'static str, kind: &'static str, value: String, autocomplete: &'static str| {
        let err = move || error_for(&errors.get(), name);
        let err_id = format!("err-{name}");
        view! {
            <div class="field" class:invalid=move || err().is_some()>
                <label for=name>{label}</label>
                <input
                    id=name
                    name=name
                    type=kind
                    value=value
                    required=true
                    maxlength=if kind == "email" { "254" } else { "100" }
                    autocomplete=autocomplete
                    aria-invalid=move || if err().is_some() { "true" } else { "false" }
                    aria-describedby=err_id.clone()
                />
                <p class="field-error" id=err_id role="alert">{err}</p>
            </div>
        }
    };

    let questions = spec
        .questions
        .iter()
        .map(|q| question_field(q, spec.values.answer(&q.id).to_vec(), errors))
        .collect_view();

    let terms = spec.terms_url.clone().map(|url| {
        let checked = spec.values.accept_terms;
        let err = move || error_for(&errors.get(), "acceptTerms");
        view! {
            <div class="field consent" class:invalid=move || err().is_some()>
                <label>
                    <input type="checkbox" name="acceptTerms" value="true" checked=checked required=true aria-describedby="err-acceptTerms" />
                    " I agree to the "
                    <a href=url target="_blank" rel="noopener noreferrer">"terms and privacy notice"</a>
                    "."
                </label>
                <p class="field-error" id="err-acceptTerms" role="alert">{err}</p>
            </div>
        }
    });

    let action = format!("/events/{}", spec.slug);
    let submit_label = spec.submit_label.clone();
    view! {
        <form class="registration" method="post" action=action on:submit=on_submit data-ready=move || ready.get().then_some("true")>
            <p class="form-error" role="alert">{general}</p>
            <div class="row">
                {field("firstName", "First name", "text", v.first_name.clone(), "given-name")}
                {field("lastName", "Last name", "text", v.last_name.clone(), "family-name")}
            </div>
            {field("email", "Email", "email", v.email.clone(), "email")}
            {questions}
            <input type="hidden" name="preferredTimezone" value=move || timezone.get() />
            <p class="hint">"Times will be shown to you in " <strong>{move || timezone.get()}</strong> "."</p>
            {terms}
            // Left empty by people (it is hidden from them); robots fill it in.
            <div class="trap" aria-hidden="true">
                <label for="website">"Leave this empty"</label>
                <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" value="" />
            </div>
            <p class="notice" role="status">{move || notice.get()}</p>
            <button type="submit" class="primary" disabled=move || busy.get() aria-busy=move || if busy.get() { "true" } else { "false" }>
                {move || if busy.get() { "Sending…".to_string() } else { submit_label.clone() }}
            </button>
        </form>
    }
}

fn question_field(q: &Question, values: Vec<String>, errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let name = answer_field(&q.id);
    let err_id = format!("err-{name}");
    let err = {
        let name = name.clone();
        move || error_for(&errors.get(), &name)
    };
    let invalid = {
        let err = err.clone();
        move || err().is_some()
    };
    let required = q.is_required;
    let label = q.label.clone();
    let first = values.first().cloned().unwrap_or_default();
    let control = match q.answer_input_type {
        AnswerInputType::Text => view! {
            <label for=name.clone()>{label}{required.then_some(" *")}</label>
            <input id=name.clone() name=name.clone() type="text" value=first maxlength="1000" required=required aria-describedby=err_id.clone() />
        }
        .into_any(),
        AnswerInputType::MultilineText => view! {
            <label for=name.clone()>{label}{required.then_some(" *")}</label>
            <textarea id=name.clone() name=name.clone() rows="4" maxlength="4000" required=required aria-describedby=err_id.clone()>{first}</textarea>
        }
        .into_any(),
        AnswerInputType::SingleChoice => {
            let options = q
                .choices
                .iter()
                .map(|c| {
                    let selected = *c == first;
                    view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                })
                .collect_view();
            view! {
                <label for=name.clone()>{label}{required.then_some(" *")}</label>
                <select id=name.clone() name=name.clone() required=required aria-describedby=err_id.clone()>
                    <option value="">"Choose…"</option>
                    {options}
                </select>
            }
            .into_any()
        }
        AnswerInputType::MultiChoice => {
            let options = q
                .choices
                .iter()
                .map(|c| {
                    let checked = values.contains(c);
                    view! {
                        <label class="choice">
                            <input type="checkbox" name=name.clone() value=c.clone() checked=checked />
                            " " {c.clone()}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset aria-describedby=err_id.clone()>
                    <legend>{label}{required.then_some(" *")}</legend>
                    {options}
                </fieldset>
            }
            .into_any()
        }
        AnswerInputType::Boolean => {
            let checked = first == "true";
            view! {
                <label class="choice">
                    <input type="checkbox" name=name.clone() value="true" checked=checked required=required aria-describedby=err_id.clone() />
                    " " {label}{required.then_some(" *")}
                </label>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:invalid=invalid>
            {control}
            <p class="field-error" id=err_id role="alert">{err}</p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser;
