//! The dashboard's list of the organization's events.

use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct DashEventRow {
    pub slug: String,
    pub title: String,
    pub status: String,
    pub when: String,
    pub registered: i64,
    pub capacity: Option<i64>,
    pub waitlisted: i64,
    pub pending: i64,
}

#[component]
pub fn EventsList(rows: Vec<DashEventRow>) -> impl IntoView {
    let empty = rows.is_empty();
    let body = rows
        .into_iter()
        .map(|r| {
            let href = format!("/dashboard/events/{}", r.slug);
            let seats = match r.capacity {
                Some(c) => format!("{} / {}", r.registered, c),
                None => r.registered.to_string(),
            };
            view! {
                <tr>
                    <td><a href=href>{r.title}</a></td>
                    <td><span class=format!("badge {}", r.status)>{r.status.clone()}</span></td>
                    <td>{r.when}</td>
                    <td class="num">{seats}</td>
                    <td class="num">{r.waitlisted}</td>
                    <td class="num">{r.pending}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="toolbar">
            <h1>"Events"</h1>
            <a class="button primary" href="/dashboard/events/new">"New event"</a>
        </div>
        {empty.then(|| view! { <p class="empty">"No events yet. Create your first one."</p> })}
        <table class="grid">
            <thead><tr><th scope="col">"Event"</th><th scope="col">"Status"</th><th scope="col">"When"</th><th scope="col">"Registered"</th><th scope="col">"Waitlist"</th><th scope="col">"Pending"</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}
