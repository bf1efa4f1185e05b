//! The weekly hours editor shared by a business's opening hours and a staff member's working
//! hours: one stretch a day, each day ticked open or not.

use leptos::prelude::*;

/// A weekday's hours in the editor (one stretch a day).
#[derive(Clone, Debug)]
pub struct DayHours {
    pub day: String,
    pub open: bool,
    pub from: String,
    pub until: String,
}

/// The seven days' fieldsets (`open.{day}`, `from.{day}`, `until.{day}`), inside the caller's form.
#[component]
pub fn HoursEditor(hours: Vec<DayHours>) -> impl IntoView {
    hours
        .into_iter()
        .map(|h| {
            let title = format!("{}{}", h.day.get(..1).unwrap_or_default().to_uppercase(), h.day.get(1..).unwrap_or_default());
            let (open_id, from_id, until_id) = (format!("open-{}", h.day), format!("from-{}", h.day), format!("until-{}", h.day));
            let (open_for, from_for, until_for) = (open_id.clone(), from_id.clone(), until_id.clone());
            view! {
                <fieldset class="field filters">
                    <legend>{title}</legend>
                    <label class="choice" for=open_for><input type="checkbox" id=open_id name=format!("open.{}", h.day) value="1" checked=h.open />"Open"</label>
                    <label for=from_for>"from"</label>
                    <input type="time" id=from_id name=format!("from.{}", h.day) value=h.from />
                    <label for=until_for>"until"</label>
                    <input type="time" id=until_id name=format!("until.{}", h.day) value=h.until />
                </fieldset>
            }
        })
        .collect_view()
}
