//! An appointment's private page: what, when (in the customer's zone), with whom, and a button
//! to cancel it.

use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct AppointmentView {
    pub business: String,
    pub service: String,
    pub when: String,
    pub with: String,
    pub canceled: bool,
    pub cancel_action: String,
    /// The calendar entry to download.
    pub calendar_link: String,
    /// Where to choose another time.
    pub move_link: String,
    pub book_again: String,
    /// Said at the top after a change.
    pub notice: Option<String>,
    /// Where the customer joins the online meeting in the browser, once it is known.
    pub join_link: Option<String>,
}

#[component]
pub fn AppointmentPage(page: AppointmentView) -> impl IntoView {
    let notice = page.notice.map(|n| view! { <p class="notice" role="status">{n}</p> });
    let action = (!page.canceled).then(|| {
        view! {
            <form method="post" action=page.cancel_action class="cancel">
                <button type="submit">"Cancel this appointment"</button>
            </form>
        }
    });
    view! {
        <article class="appointment narrow">
            {notice}
            <h1>{format!("{} with {}", page.service, page.business)}</h1>
            <dl>
                <dt>"When"</dt><dd>{page.when}</dd>
                <dt>"With"</dt><dd>{page.with}</dd>
                <dt>"Status"</dt><dd>{if page.canceled { "Canceled" } else { "Booked" }}</dd>
            </dl>
            {page.join_link.filter(|_| !page.canceled).map(|link| view! {
                <p><a class="button primary" href=link rel="noopener">"Join the meeting"</a></p>
            })}
            {(!page.canceled).then(|| view! {
                <p><a class="button" href=page.calendar_link download="appointment.ics">"Add to calendar (.ics)"</a></p>
                <p><a href=page.move_link>"Choose another time"</a></p>
            })}
            {action}
            <p><a href=page.book_again>"Book another time"</a></p>
        </article>
    }
}
