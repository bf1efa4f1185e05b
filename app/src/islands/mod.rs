//! The interactive parts of Atrium's pages. Everything around them is plain server-rendered
//! HTML that works without JavaScript; these islands hydrate in the browser to show times in the
//! visitor's own time zone and to submit the registration form in place.

mod agenda;
mod booking;

pub use agenda::{AgendaSpec, LiveAgenda};
pub use booking::DayAndTimes;

#[cfg(feature = "hydrate")]
use crate::domain::FieldError;
use crate::views::{SubmitSpec, Times};
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

/// The registration form. Its fields are plain server-rendered HTML (`children`), so without
/// JavaScript it posts to the server like any form; hydrated, it submits through the `register`
/// server function, keeps what was typed, and shows each field's problem next to it.
#[island]
pub fn RegistrationForm(spec: SubmitSpec, children: Children) -> impl IntoView {
    let general = RwSignal::new(spec.general_error.clone());
    let notice = RwSignal::new(spec.notice.clone());
    let busy = RwSignal::new(false);
    // Set once the island is live in the browser, so tests and styles can tell.
    let ready = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        ready.set(true);
        if let Some(zone) = browser::chosen_or_detected_zone() {
            browser::set_field_value("preferredTimezone", &zone);
            browser::set_text("preferred-zone", &zone);
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
                    let shown = |errors: &[FieldError]| {
                        let fields = spec.fields();
                        browser::show_field_errors(&fields, errors);
                        // The form's own problems, and any about a field it does not show.
                        let general_errors: Vec<&str> = errors
                            .iter()
                            .filter(|e| !fields.contains(&e.field))
                            .map(|e| e.message.as_str())
                            .collect();
                        general.set(Some(general_errors.join(" ")).filter(|m| !m.is_empty()));
                    };
                    match browser::submit_registration(&spec, form, &key).await {
                        browser::Outcome::Created { manage_token } => {
                            browser::go_to(&format!("/r/{manage_token}?new=1"));
                        }
                        browser::Outcome::Existing { message } => {
                            shown(&[]);
                            notice.set(Some(message));
                            busy.set(false);
                        }
                        browser::Outcome::Invalid(list) => {
                            shown(&list);
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
    let action = format!("/events/{}", spec.slug);
    let submit_label = spec.submit_label.clone();
    view! {
        <form class="registration" method="post" action=action on:submit=on_submit data-ready=move || ready.get().then_some("true")>
            <p class="form-error" role="alert">{move || general.get()}</p>
            {children()}
            <p class="notice" role="status">{move || notice.get()}</p>
            <button type="submit" class="primary" disabled=move || busy.get() aria-busy=move || if busy.get() { "true" } else { "false" }>
                {move || if busy.get() { "Sending…".to_string() } else { submit_label.clone() }}
            </button>
        </form>
    }
}

#[cfg(feature = "hydrate")]
mod browser;
