//! The dashboard's agenda of a business's week. The server renders it with the page; hydrated,
//! it asks the `fresh_agenda` server function every 20 seconds (and at once when the tab comes
//! back into view) and shows the week again in place when something changed, such as a booking
//! that just arrived. Lazy: its code is a wasm file of its own that only the dashboard loads.

use crate::rpc::{AgendaDay, AgendaQuery};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The week shown and where its actions post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaSpec {
    pub query: AgendaQuery,
    /// `/dashboard/appointments/{slug}`.
    pub base: String,
    pub csrf: String,
    pub days: Vec<AgendaDay>,
}

#[cfg(feature = "hydrate")]
fn count(days: &[AgendaDay]) -> usize {
    days.iter().map(|d| d.items.iter().filter(|i| i.status == "booked").count()).sum()
}

#[island(lazy)]
pub fn LiveAgenda(spec: AgendaSpec) -> impl IntoView {
    let days = RwSignal::new(spec.days.clone());
    let fingerprint = RwSignal::new(spec.query.fingerprint.clone());
    let notice = RwSignal::new(None::<String>);
    let ready = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let query = spec.query.clone();
        let stopped = StoredValue::new(false);
        let asking = StoredValue::new(false);
        let ask = move || {
            // A hidden tab waits until it is shown again.
            if stopped.get_value() || asking.get_value() || document().hidden() {
                return;
            }
            asking.set_value(true);
            let mut q = query.clone();
            q.fingerprint = fingerprint.get_untracked();
            leptos::task::spawn_local(async move {
                match crate::rpc::fresh_agenda(q).await {
                    Ok(Some(week)) => {
                        let (before, after) = (count(&days.get_untracked()), count(&week.days));
                        let change = match after.cmp(&before) {
                            std::cmp::Ordering::Greater => format!("{} new appointment(s).", after - before),
                            std::cmp::Ordering::Less => format!("{} appointment(s) fewer.", before - after),
                            std::cmp::Ordering::Equal => "Appointments changed.".to_string(),
                        };
                        days.set(week.days);
                        fingerprint.set(week.fingerprint);
                        notice.set(Some(format!("Agenda updated: {change}")));
                    }
                    Ok(None) => {}
                    Err(failure @ (crate::rpc::AgendaFailure::SignedOut { .. } | crate::rpc::AgendaFailure::Invalid { .. })) => {
                        stopped.set_value(true);
                        notice.set(Some(failure.message()));
                    }
                    // A network hiccup: the next tick asks again.
                    Err(_) => {}
                }
                asking.set_value(false);
            });
        };
        Effect::new(move |_| {
            ready.set(true);
            set_interval(ask.clone(), std::time::Duration::from_secs(20));
            let ask = ask.clone();
            let handle = window_event_listener(leptos::ev::visibilitychange, move |_| {
                if !document().hidden() {
                    ask();
                }
            });
            // The listener lives as long as the page.
            std::mem::forget(handle);
        });
    }
    let (base, csrf) = (spec.base.clone(), spec.csrf.clone());
    view! {
        <div class="agenda" data-ready=move || ready.get().then_some("true") data-fingerprint=move || fingerprint.get()>
            <p class="notice" role="status">{move || notice.get()}</p>
            // Keyed by the whole day: a day that did not change keeps its elements (and the
            // focus of whoever is on one of its buttons); only changed days are drawn again.
            <For each=move || days.get() key=|day| day.clone() let(day)>
                <Day day=day base=base.clone() csrf=csrf.clone() />
            </For>
        </div>
    }
}

#[component]
fn Day(day: AgendaDay, base: String, csrf: String) -> impl IntoView {
    if day.items.is_empty() {
        return view! { <h3>{day.label}</h3><p class="hint">"No appointments."</p> }.into_any();
    }
    let rows = day
        .items
        .into_iter()
        .map(|a| {
            let action = |what: &str| format!("{base}/appointments/{}/{what}", a.id);
            let form = |what: &str, label: &'static str| {
                view! {
                    <form method="post" action=action(what) class="inline">
                        <input type="hidden" name="csrf" value=csrf.clone() />
                        <button type="submit">{label}</button>
                    </form>
                }
            };
            let move_link = a.can_move.then(|| view! { <a class="button" href=action("move")>"Move"</a> });
            let cancel = a.can_cancel.then(|| form("cancel", "Cancel"));
            let no_show = a.can_no_show.then(|| form("no-show", "No-show"));
            view! {
                <tr>
                    <td>{a.time}</td>
                    <td>{a.service}</td>
                    <td>{a.customer} " " <span class="hint">{a.email}</span></td>
                    <td>{a.staff}</td>
                    <td><span class=format!("badge {}", a.status)>{a.status.clone()}</span></td>
                    <td>{move_link}{cancel}{no_show}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>{day.label}</h3>
        <table class="grid">
            <thead><tr><th scope="col">"Time"</th><th scope="col">"Service"</th><th scope="col">"Customer"</th><th scope="col">"With"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
