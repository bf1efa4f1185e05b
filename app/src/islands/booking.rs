//! The booking page's day and times. The day form (staff member, day, zone) is plain
//! server-rendered HTML that reloads the page without JavaScript; hydrated, this island listens
//! to it, asks the `free_times` server function whenever the customer changes the day, the staff
//! member or the zone, and updates the times in place; the browser's own zone is shown unless the
//! customer chose one. The island itself holds only what changes: the times and their notice.

use crate::views::TimesSpec;
use leptos::prelude::*;

/// The radio id of a time: its start without punctuation, the same on the server and in the
/// browser, and unique within a day.
fn slot_id(value: &str) -> String {
    let digits: String = value.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("slot-{digits}")
}

/// The day's times; `children` are the details asked with the time (and the button), inside the
/// form the time is posted with. Lazy: its code is a wasm file of its own, loaded only by pages
/// that show it, so the event pages do not carry it.
#[island(lazy)]
pub fn DayAndTimes(spec: TimesSpec, children: Children) -> impl IntoView {
    let staff = RwSignal::new(spec.staff.clone());
    let zone = RwSignal::new(spec.zone.clone());
    let times = RwSignal::new(spec.times.clone());
    let notice = RwSignal::new(spec.notice.clone());
    let busy = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let date = RwSignal::new(spec.date.clone());
        // Each request is numbered; only the newest one's answer is shown.
        let asked = StoredValue::new(0u64);
        let (slug, service) = (spec.slug.clone(), spec.service.clone());
        let refresh = move || {
            let query = crate::rpc::DayQuery {
                slug: slug.clone(),
                service_id: service.clone(),
                staff_id: staff.get_untracked(),
                date: date.get_untracked(),
                time_zone: zone.get_untracked(),
            };
            asked.update_value(|n| *n += 1);
            let number = asked.get_value();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer = crate::rpc::free_times(query).await;
                if asked.get_value() != number {
                    return;
                }
                match answer {
                    Ok(day) => {
                        times.set(day.times);
                        notice.set(day.notice);
                    }
                    Err(failure) => {
                        times.set(Vec::new());
                        notice.set(Some(failure.message()));
                    }
                }
                busy.set(false);
            });
        };
        let fields = [("staff", staff), ("date", date), ("tz", zone)];
        let zone_chosen = spec.zone_chosen;
        let page_zone = spec.zone.clone();
        Effect::new(move |_| {
            use super::browser;
            // Whatever the visitor changed while the page was loading stands.
            let mut changed = false;
            for (id, signal) in fields {
                if let Some(value) = browser::field_value(id).filter(|v| *v != signal.get_untracked()) {
                    signal.set(value);
                    changed = true;
                }
            }
            if !zone_chosen && zone.get_untracked() == page_zone {
                if let Some(browser_zone) = browser::time_zone().filter(|z| *z != page_zone) {
                    browser::set_field_value("tz", &browser_zone);
                    zone.set(browser_zone);
                    changed = true;
                }
            }
            if changed {
                refresh();
            }
            // The day form is the page's own; its changes and its button are heard here.
            let on_change = refresh.clone();
            let listening = window_event_listener(leptos::ev::change, move |ev| {
                let Some(id) = browser::target_id(&ev) else { return };
                if let Some((_, signal)) = fields.iter().find(|(field, _)| *field == id) {
                    signal.set(browser::field_value(&id).unwrap_or_default());
                    on_change();
                }
            });
            let on_submit = refresh.clone();
            let submitting = window_event_listener(leptos::ev::submit, move |ev| {
                if browser::target_id(&ev).as_deref() == Some("choose-day") {
                    ev.prevent_default();
                    on_submit();
                }
            });
            // Both live as long as the page.
            std::mem::forget((listening, submitting));
            browser::mark_ready("choose-day");
        });
    }
    view! {
        <p class="notice" role="status">{move || notice.get()}</p>
        <form method="post" action=spec.action.clone() class="stack book" hidden=move || times.with(Vec::is_empty)
            aria-busy=move || if busy.get() { "true" } else { "false" }>
            <input type="hidden" name="service" value=spec.service.clone() />
            <input type="hidden" name="staff" value=move || staff.get() />
            <input type="hidden" name="tz" value=move || zone.get() />
            <fieldset>
                <legend>"Time"</legend>
                <ul class="slots">
                    {move || {
                        times
                            .get()
                            .into_iter()
                            .map(|c| {
                                let id = slot_id(&c.value);
                                view! {
                                    <li>
                                        <input type="radio" id=id.clone() name="start" value=c.value checked=c.chosen required=true />
                                        <label for=id>{c.label}</label>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <p class="field-error">{spec.start_error.clone()}</p>
            </fieldset>
            {children()}
        </form>
    }
}
