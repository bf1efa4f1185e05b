//! Moving an appointment from the dashboard: the day's free times with the same staff member,
//! under the same rules customers book by, in the business's zone.

use super::Csrf;
use crate::views::Choice;
use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct MoveView {
    pub business: String,
    pub slug: String,
    pub id: String,
    /// "Consultation with Ada Lovelace (ada@example.com)".
    pub what: String,
    /// Its time now, in the business's zone.
    pub now_at: String,
    pub staff: String,
    pub zone: String,
    pub date: String,
    pub times: Vec<Choice>,
    /// Why there are no times, or why the move was refused.
    pub notice: Option<String>,
    pub csrf: String,
}

#[component]
pub fn MovePage(page: MoveView) -> impl IntoView {
    let back = format!("/dashboard/appointments/{}", page.slug);
    let action = format!("{back}/appointments/{}/move", page.id);
    let empty = page.times.is_empty();
    let times = page
        .times
        .into_iter()
        .map(|c| {
            let id = format!("at-{}", c.value.chars().filter(char::is_ascii_alphanumeric).collect::<String>());
            view! {
                <li>
                    <input type="radio" id=id.clone() name="start" value=c.value checked=c.chosen required=true />
                    <label for=id>{c.label}</label>
                </li>
            }
        })
        .collect_view();
    view! {
        <p><a href=back>{format!("← {}", page.business)}</a></p>
        <h1>"Move an appointment"</h1>
        <p>{page.what}</p>
        <p class="hint">{format!("Now {} with {}. Times in {}.", page.now_at, page.staff, page.zone)}</p>
        {page.notice.map(|n| view! { <p class="banner" role="status">{n}</p> })}
        <form method="get" action=action.clone() class="filters">
            <label for="date">"Day"</label>
            <input id="date" name="date" type="date" value=page.date required=true />
            <button type="submit">"Show times"</button>
        </form>
        <form method="post" action=action class="stack book" hidden=empty>
            <Csrf token=page.csrf />
            <fieldset>
                <legend>"New time"</legend>
                <ul class="slots">{times}</ul>
            </fieldset>
            <p class="hint">"The customer and the staff member are emailed the new time; in Microsoft mode the same Teams meeting moves."</p>
            <button type="submit" class="primary">"Move"</button>
        </form>
    }
}
