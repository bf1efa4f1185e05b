//! Browser-only helpers behind the islands: time zones through `Intl`, the form submission
//! through the `register` server function, and small DOM chores.

use crate::domain::{answer_field, AnswerInputType, FieldError, RawAnswer};
use crate::rpc::{NewRegistration, Registered};
use crate::views::SubmitSpec;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn set(obj: &Object, key: &str, value: &str) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &JsValue::from_str(value));
}

fn locale() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".into())
}

pub fn time_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &Object::new()).resolved_options();
    Reflect::get(&options, &JsValue::from_str("timeZone")).ok()?.as_string()
}

/// The zone the visitor picked with the switcher (kept in a cookie), else the browser's.
pub fn chosen_or_detected_zone() -> Option<String> {
    let doc: web_sys::HtmlDocument = web_sys::window()?.document()?.dyn_into().ok()?;
    let cookies = doc.cookie().ok().unwrap_or_default();
    for part in cookies.split(';') {
        if let Some(v) = part.trim().strip_prefix("atrium_tz=") {
            return js_sys::decode_uri_component(v).ok()?.as_string();
        }
    }
    time_zone()
}

pub fn format_range(start_unix: i64, end_unix: i64, zone: &str) -> Option<String> {
    let start = js_sys::Date::new(&JsValue::from_f64(start_unix as f64 * 1000.0));
    let end = js_sys::Date::new(&JsValue::from_f64(end_unix as f64 * 1000.0));
    let day = Object::new();
    set(&day, "weekday", "long");
    set(&day, "year", "numeric");
    set(&day, "month", "long");
    set(&day, "day", "numeric");
    set(&day, "timeZone", zone);
    let time = Object::new();
    set(&time, "hour", "2-digit");
    set(&time, "minute", "2-digit");
    set(&time, "timeZone", zone);
    set(&time, "timeZoneName", "short");
    let lang = locale();
    let d1 = start.to_locale_date_string(&lang, &day).as_string()?;
    let d2 = end.to_locale_date_string(&lang, &day).as_string()?;
    let t1 = start.to_locale_time_string_with_options(&lang, &time).as_string()?;
    let t2 = end.to_locale_time_string_with_options(&lang, &time).as_string()?;
    Some(if d1 == d2 {
        format!("{d1}, {} – {t2}", strip_zone(&t1, &t2))
    } else {
        format!("{d1}, {t1} – {d2}, {t2}")
    })
}

/// "15:00 CET" and "16:00 CET" → "15:00", to write the zone once at the end.
fn strip_zone<'a>(t1: &'a str, t2: &str) -> &'a str {
    match (t1.rsplit_once(' '), t2.rsplit_once(' ')) {
        (Some((time, z1)), Some((_, z2))) if z1 == z2 => time,
        _ => t1,
    }
}

pub fn select_zone(zone: &str) {
    set_field_value("tz-select", zone);
}

/// 128 bits from the browser's cryptographic random source, as hex: another person's
/// key can't be guessed.
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto: send no key rather than a guessable one.
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn form_of(ev: &leptos::ev::SubmitEvent) -> Option<web_sys::HtmlFormElement> {
    ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
}

pub fn go_to(path: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
}

pub fn focus_first_error() {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(".field.invalid input, .field.invalid select, .field.invalid textarea")
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

pub enum Outcome {
    Created { manage_token: String },
    Existing { message: String },
    Invalid(Vec<FieldError>),
}

fn collect(spec: &SubmitSpec, form: &web_sys::HtmlFormElement) -> Option<NewRegistration> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let one = |name: &str| data.get(name).as_string().unwrap_or_default();
    let answers = spec
        .questions
        .iter()
        .filter_map(|(id, kind)| {
            let name = answer_field(id);
            let mut a = RawAnswer {
                question_id: id.clone(),
                ..Default::default()
            };
            match kind {
                AnswerInputType::MultiChoice => {
                    let all: Vec<String> = data.get_all(&name).iter().filter_map(|v| v.as_string()).collect();
                    a.multi_choice_values = Some(all);
                }
                AnswerInputType::Boolean => a.boolean_value = Some(one(&name) == "true"),
                _ => {
                    let v = one(&name);
                    if v.is_empty() {
                        return None;
                    }
                    a.value = Some(v);
                }
            }
            Some(a)
        })
        .collect();
    Some(NewRegistration {
        first_name: one("firstName"),
        last_name: one("lastName"),
        email: one("email"),
        preferred_timezone: one("preferredTimezone"),
        preferred_language: Some(locale()),
        answers,
        accept_terms: one("acceptTerms") == "true",
        website: Some(one("website")).filter(|w| !w.is_empty()),
    })
}

/// Sends the form through the `register` server function.
pub async fn submit_registration(spec: &SubmitSpec, form: Option<web_sys::HtmlFormElement>, key: &str) -> Outcome {
    let Some(registration) = form.and_then(|f| collect(spec, &f)) else {
        return Outcome::Invalid(vec![FieldError::new(
            "form",
            "Something went wrong reading the form. Please try again.",
        )]);
    };
    let key = (!key.is_empty()).then(|| key.to_string());
    match crate::rpc::register(spec.slug.clone(), registration, key).await {
        Ok(Registered::Created { manage_token }) => Outcome::Created { manage_token },
        Ok(Registered::Existing { message }) => Outcome::Existing { message },
        Err(failure) => Outcome::Invalid(failure.field_errors()),
    }
}

/// The current value of the input or select with this id: what the visitor may have changed
/// before the island came to life.
pub fn field_value(id: &str) -> Option<String> {
    let element = web_sys::window()?.document()?.get_element_by_id(id)?;
    if let Some(select) = element.dyn_ref::<web_sys::HtmlSelectElement>() {
        return Some(select.value());
    }
    element.dyn_ref::<web_sys::HtmlInputElement>().map(|input| input.value())
}

/// Sets the value of the input or select with this id.
pub fn set_field_value(id: &str, value: &str) {
    let Some(element) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    if let Some(select) = element.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.set_value(value);
    } else if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    }
}

/// The id of the element an event happened to.
pub fn target_id(ev: &web_sys::Event) -> Option<String> {
    let element: web_sys::Element = ev.target()?.dyn_into().ok()?;
    Some(element.id()).filter(|id| !id.is_empty())
}

/// Marks the element with this id `data-ready="true"`: its island is live, for tests and styles.
pub fn mark_ready(id: &str) {
    if let Some(element) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        let _ = element.set_attribute("data-ready", "true");
    }
}

/// Puts `text` in the element with this id.
pub fn set_text(id: &str, text: &str) {
    if let Some(element) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        element.set_text_content(Some(text));
    }
}

/// Shows each of `errors` next to its field (`err-{field}`), marks the field and its input
/// invalid, and clears the problems of the other `fields`.
pub fn show_field_errors(fields: &[String], errors: &[FieldError]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    for name in fields {
        let message = errors.iter().find(|e| e.field == *name).map(|e| e.message.as_str());
        if let Some(input) = document.get_element_by_id(name) {
            if input.has_attribute("aria-invalid") {
                let _ = input.set_attribute("aria-invalid", if message.is_some() { "true" } else { "false" });
            }
        }
        let Some(error) = document.get_element_by_id(&format!("err-{name}")) else {
            continue;
        };
        error.set_text_content(message);
        if let Some(field) = error.parent_element() {
            let classes: Vec<String> = field
                .class_name()
                .split_whitespace()
                .filter(|c| *c != "invalid")
                .map(str::to_string)
                .chain(message.map(|_| "invalid".to_string()))
                .collect();
            field.set_class_name(&classes.join(" "));
        }
    }
}
