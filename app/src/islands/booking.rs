//! The booking page's day and times. Without JavaScript the day form reloads the page with that
//! day's times; hydrated, changing the day, the staff member or the zone asks the `free_times`
//! server function and updates the times in place, and the browser's own zone is shown unless
//! the customer chose one.

use crate::rpc::DayQuery;
use crate::views::{Choice, PickerSpec};
use leptos::prelude::*;

/// The radio id of a time: its start without punctuation, the same on the server and in the
/// browser, and unique within a day.
fn slot_id(value: &str) -> String {
    let digits: String = value.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("slot-{digits}")
}

fn chosen(list: &[Choice]) -> String {
    list.iter().find(|c| c.chosen).map(|c| c.value.clone()).unwrap_or_default()
}

/// The day form and the day's times; `children` are the details asked with the time (and the
/// button), inside the form the time is posted with. Lazy: its code is split into a wasm file of
/// its own, loaded only by pages that show it, so the event pages do not carry it.
#[island(lazy)]
pub fn DayAndTimes(spec: PickerSpec, children: Children) -> impl IntoView {
    let staff = RwSignal::new(spec.staff.as_deref().map(chosen).unwrap_or_default());
    let zone = RwSignal::new(chosen(&spec.zones));
    let date = RwSignal::new(spec.date.clone());
    let times = RwSignal::new(spec.times.clone());
    let notice = RwSignal::new(spec.notice.clone());
    let busy = RwSignal::new(false);
    let ready = RwSignal::new(false);
    // Each request is numbered; only the newest one's answer is shown.
    let asked = StoredValue::new(0u64);
    let query = {
        let (slug, service) = (spec.slug.clone(), spec.service.clone());
        move || DayQuery {
            slug: slug.clone(),
            service_id: service.clone(),
            staff_id: staff.get_untracked(),
            date: date.get_untracked(),
            time_zone: zone.get_untracked(),
        }
    };
    let refresh = move || {
        let query = query();
        asked.update_value(|n| *n += 1);
        let number = asked.get_value();
        busy.set(true);
        #[cfg(feature = "hydrate")]
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
        #[cfg(not(feature = "hydrate"))]
        let _ = (query, number);
    };
    #[cfg(feature = "hydrate")]
    {
        let zone_chosen = spec.zone_chosen;
        let chosen_zone = zone.get_untracked();
        let refresh = refresh.clone();
        Effect::new(move |_| {
            ready.set(true);
            // Whatever the visitor changed while the page was loading stands.
            let mut changed = false;
            for (id, signal) in [("staff", staff), ("date", date), ("tz", zone)] {
                if let Some(value) = super::browser::field_value(id).filter(|v| *v != signal.get_untracked()) {
                    signal.set(value);
                    changed = true;
                }
            }
            let touched_zone = changed && zone.get_untracked() != chosen_zone;
            if !zone_chosen && !touched_zone {
                if let Some(browser_zone) = super::browser::time_zone().filter(|z| *z != zone.get_untracked()) {
                    zone.set(browser_zone);
                    changed = true;
                }
            }
            if changed {
                refresh();
            }
        });
    }
    let on_change = |signal: RwSignal<String>, refresh: Box<dyn Fn() + Send + Sync>| {
        move |ev: leptos::ev::Event| {
            signal.set(event_target_value(&ev));
            refresh();
        }
    };
    let staff_field = spec.staff.clone().map(|list| {
        let options = list
            .into_iter()
            .map(|c| view! { <option value=c.value selected=c.chosen>{c.label}</option> })
            .collect_view();
        let change = on_change(staff, Box::new(refresh.clone()));
        view! {
            <div class="field">
                <label for="staff">"With"</label>
                <select id="staff" name="staff" on:change=change prop:value=move || staff.get()>{options}</select>
            </div>
        }
        .into_any()
    });
    let zone_options = spec
        .zones
        .iter()
        .map(|c| view! { <option value=c.value.clone() selected=c.chosen>{c.label.clone()}</option> })
        .collect_view();
    let on_submit = {
        let refresh = refresh.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            refresh();
        }
    };
    let start_error = spec.start_error.clone();
    let day_form = view! {
        <form method="get" class="stack choose-day" on:submit=on_submit data-ready=move || ready.get().then_some("true")>
            <input type="hidden" name="service" value=spec.service.clone() />
            {spec.moving.clone().map(|token| view! { <input type="hidden" name="reschedule" value=token /> })}
            {staff_field}
            <div class="field">
                <label for="date">"Day"</label>
                <input id="date" name="date" type="date" value=spec.date.clone() required=true
                    on:change=on_change(date, Box::new(refresh.clone())) />
            </div>
            <div class="field">
                <label for="tz">"Times shown in"</label>
                <select id="tz" name="tz" on:change=on_change(zone, Box::new(refresh.clone())) prop:value=move || zone.get()>
                    {zone_options}
                </select>
            </div>
            <button type="submit">"Show times"</button>
        </form>
    }
    .into_any();
    let times_form = view! {
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
                <p class="field-error">{start_error}</p>
            </fieldset>
            {children()}
        </form>
    }
    .into_any();
    view! {
        {day_form}
        <p class="notice" role="status">{move || notice.get()}</p>
        {times_form}
    }
}
