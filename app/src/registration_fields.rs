//! The registration form's fields, rendered on the server inside the `RegistrationForm` island:
//! what was typed, each field's problem next to it, the questions of every kind, the terms, the
//! visitor's zone and the field only robots fill in. Being plain HTML, they cost the browser no
//! code; the island shows new problems in them when a submission comes back.

use crate::domain::{answer_field, AnswerInputType, FieldError, Question};
use crate::views::FormSpec;
use leptos::prelude::*;

fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

#[component]
fn Basic(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    autocomplete: &'static str,
    errors: Vec<FieldError>,
) -> impl IntoView {
    let err = error_for(&errors, name);
    let invalid = err.is_some();
    let err_id = format!("err-{name}");
    view! {
        <div class="field" class:invalid=invalid>
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                value=value
                required=true
                maxlength=if kind == "email" { "254" } else { "100" }
                autocomplete=autocomplete
                aria-invalid=if invalid { "true" } else { "false" }
                aria-describedby=err_id.clone()
            />
            <p class="field-error" id=err_id role="alert">{err}</p>
        </div>
    }
}

#[component]
fn Ask(question: Question, values: Vec<String>, errors: Vec<FieldError>) -> impl IntoView {
    let q = question;
    let name = answer_field(&q.id);
    let err_id = format!("err-{name}");
    let err = error_for(&errors, &name);
    let invalid = err.is_some();
    let required = q.is_required;
    let label = q.label.clone();
    let first = values.first().cloned().unwrap_or_default();
    let control = match q.answer_input_type {
        AnswerInputType::Text => view! {
            <label for=name.clone()>{label}{required.then_some(" *")}</label>
            <input id=name.clone() name=name.clone() type="text" value=first maxlength="1000" required=required aria-describedby=err_id.clone()
                aria-invalid=if invalid { "true" } else { "false" } />
        }
        .into_any(),
        AnswerInputType::MultilineText => view! {
            <label for=name.clone()>{label}{required.then_some(" *")}</label>
            <textarea id=name.clone() name=name.clone() rows="4" maxlength="4000" required=required aria-describedby=err_id.clone()
                aria-invalid=if invalid { "true" } else { "false" }>{first}</textarea>
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
                <select id=name.clone() name=name.clone() required=required aria-describedby=err_id.clone()
                    aria-invalid=if invalid { "true" } else { "false" }>
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

/// Every field of the registration form, as typed, with the problems found.
#[component]
pub fn RegistrationFields(spec: FormSpec) -> impl IntoView {
    let v = spec.values.clone();
    let errors = spec.errors.clone();
    let questions = spec
        .questions
        .iter()
        .map(|q| view! { <Ask question=q.clone() values=spec.values.answer(&q.id).to_vec() errors=errors.clone() /> })
        .collect_view();
    let terms = spec.terms_url.clone().map(|url| {
        let err = error_for(&errors, "acceptTerms");
        let invalid = err.is_some();
        view! {
            <div class="field consent" class:invalid=invalid>
                <label>
                    <input type="checkbox" name="acceptTerms" value="true" checked=spec.values.accept_terms required=true aria-describedby="err-acceptTerms" />
                    " I agree to the "
                    <a href=url target="_blank" rel="noopener noreferrer">"terms and privacy notice"</a>
                    "."
                </label>
                <p class="field-error" id="err-acceptTerms" role="alert">{err}</p>
            </div>
        }
    });
    let zone = spec.preferred_timezone.clone();
    view! {
        <div class="row">
            <Basic name="firstName" label="First name" kind="text" value=v.first_name.clone() autocomplete="given-name" errors=errors.clone() />
            <Basic name="lastName" label="Last name" kind="text" value=v.last_name.clone() autocomplete="family-name" errors=errors.clone() />
        </div>
        <Basic name="email" label="Email" kind="email" value=v.email.clone() autocomplete="email" errors=errors.clone() />
        {questions}
        <input type="hidden" id="preferredTimezone" name="preferredTimezone" value=zone.clone() />
        <p class="hint">"Times will be shown to you in " <strong id="preferred-zone">{zone}</strong> "."</p>
        {terms}
        // Left empty by people (it is hidden from them); robots fill it in.
        <div class="trap" aria-hidden="true">
            <label for="website">"Leave this empty"</label>
            <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" value="" />
        </div>
    }
}
