//! Server-rendered pages. Each is plain HTML that works without JavaScript; islands add to it.

use crate::domain::{EventKind, RegistrationStatus};
use crate::islands::{LocalTimes, RegistrationForm};
use crate::registration_fields::RegistrationFields;
use crate::views::{EventCard, EventPage, ManagePage, Times};
use leptos::prelude::*;

/// The frame around every page: skip link, header with the organization's name, footer.
#[component]
pub fn Frame(site_name: String, children: Children) -> impl IntoView {
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="site">
            <a class="brand" href="/">{site_name}</a>
            <nav aria-label="Site"><a href="/">"Events"</a></nav>
        </header>
        <main id="main">{children()}</main>
        <footer class="site"><p>"Powered by Atrium"</p></footer>
    }
}

fn kind_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Webinar => "Webinar",
        EventKind::Meeting => "Meeting",
    }
}

/// Where attendees join, said plainly on the page (ACS guests can't join Teams webinars).
fn join_note(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Webinar => "Online webinar in Microsoft Teams. You'll join in Teams on the web or the Teams app; no account needed.",
        EventKind::Meeting => "Online meeting in Microsoft Teams. Join with this link in your browser or the Teams app; no account needed.",
    }
}

#[component]
pub fn HomePage(events: Vec<EventCard>) -> impl IntoView {
    let empty = events.is_empty();
    let cards = events
        .into_iter()
        .map(|e| {
            let href = format!("/events/{}", e.slug);
            view! {
                <li class="card">
                    <p class="kind">{kind_label(e.kind)}</p>
                    <h2><a href=href>{e.title}</a></h2>
                    <p class="when"><LocalTimes times=e.times /></p>
                    <p>{e.summary}</p>
                    <p class="availability">{e.availability}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <h1>"Upcoming events"</h1>
        {empty.then(|| view! { <p class="empty">"There are no upcoming events right now. Please check back soon."</p> })}
        <ul class="cards">{cards}</ul>
    }
}

/// The time-zone switcher: a plain GET form, so it works without JavaScript.
#[component]
fn ZoneSwitcher(times: Times, zones: Vec<String>) -> impl IntoView {
    let options = zones
        .into_iter()
        .map(|z| {
            let selected = z == times.zone;
            view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
        })
        .collect_view();
    view! {
        <form class="tz" method="get">
            <label for="tz-select">"Show times in"</label>
            <select id="tz-select" name="tz">{options}</select>
            <button type="submit">"Show"</button>
        </form>
    }
}

#[component]
pub fn EventDetail(page: EventPage) -> impl IntoView {
    let presenters = (!page.presenters.is_empty()).then(|| {
        let items = page
            .presenters
            .into_iter()
            .map(|p| {
                let alt = format!("Photo of {}", p.name);
                let links = p
                    .links
                    .into_iter()
                    .map(|(label, url)| view! { <a href=url rel="noopener noreferrer nofollow">{label}</a> " " })
                    .collect_view();
                view! {
                    <li>
                        {p.photo_url.map(|src| view! { <img class="avatar" src=src alt=alt width="56" height="56" loading="lazy" /> })}
                        <strong>{p.name}</strong> <span>{p.title_line}</span>
                        <p>{p.bio}</p>
                        <p class="links">{links}</p>
                    </li>
                }
            })
            .collect_view();
        view! { <section aria-labelledby="presenters"><h2 id="presenters">"Presenters"</h2><ul class="presenters">{items}</ul></section> }
    });
    let paragraphs = page
        .description
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| view! { <p>{p.trim().to_string()}</p> })
        .collect_view();
    let registration = match page.closed_reason {
        Some(reason) => view! { <p class="closed" role="status">{reason}</p> }.into_any(),
        None => {
            let submit = page.form.submit_spec();
            view! { <RegistrationForm spec=submit><RegistrationFields spec=page.form /></RegistrationForm> }.into_any()
        }
    };
    view! {
        <article class="event">
            <p class="kind">{kind_label(page.kind)}{page.canceled.then_some(" · Canceled")}</p>
            <h1>{page.title}</h1>
            <p class="when"><LocalTimes times=page.times.clone() /></p>
            <ZoneSwitcher times=page.times zones=page.zones />
            <p class="join-note">{join_note(page.kind)}</p>
            <p class="availability">{page.availability}</p>
            <div class="description">{paragraphs}</div>
            {presenters}
            <section class="register" aria-labelledby="register">
                <h2 id="register">"Register"</h2>
                {registration}
            </section>
        </article>
    }
}

#[component]
pub fn ManageDetail(page: ManagePage) -> impl IntoView {
    let banner = if page.just_canceled {
        Some("Your registration is canceled. We've emailed you a confirmation.".to_string())
    } else if page.just_registered {
        Some(match page.status {
            RegistrationStatus::Registered => "You're registered! We've emailed your confirmation with a calendar invite.".to_string(),
            RegistrationStatus::Waitlisted => match page.waitlist_position {
                Some(n) => format!("The event is full, so you're on the waitlist at position {n}. We'll email you if a place opens up."),
                None => "You're on the waitlist. We'll email you if a place opens up.".to_string(),
            },
            RegistrationStatus::PendingApproval => {
                "Thanks! Your registration is awaiting the organizer's approval. We'll email you once they decide.".to_string()
            }
            other => other.describe().to_string(),
        })
    } else {
        None
    };
    let status_line = match (page.status, page.waitlist_position) {
        (RegistrationStatus::Waitlisted, Some(n)) => format!("You're on the waitlist at position {n}."),
        (s, _) => s.describe().to_string(),
    };
    let confirm_action = format!("/r/{}/confirm", page.token);
    let join = match (&page.join_url, page.status, page.event_canceled) {
        (_, _, true) => Some(view! { <p class="closed">"This event has been canceled by the organizer."</p> }.into_any()),
        (_, RegistrationStatus::Unconfirmed, false) => Some(
            view! {
                <form method="post" action=confirm_action class="confirm">
                    <button type="submit" class="primary">"Confirm my email address"</button>
                </form>
            }
            .into_any(),
        ),
        (Some(url), RegistrationStatus::Registered, false) => Some(
            view! {
                <p class="join">
                    <a class="button primary" href=url.clone() rel="noopener noreferrer">"Join the event"</a>
                </p>
                <p class="hint">{join_note(page.event_kind)}</p>
            }
            .into_any(),
        ),
        (None, RegistrationStatus::Registered, false) if page.teams_sends_link => Some(
            view! {
                <p class="hint join-teams">
                    "Microsoft Teams emails you a personal join link for this webinar. Join with it in the Teams app or on the web; no account needed."
                </p>
            }
            .into_any(),
        ),
        (None, RegistrationStatus::Registered, false) => {
            Some(view! { <p class="hint">"The join link will appear here before the event starts."</p> }.into_any())
        }
        _ => None,
    };
    let answers = (!page.answers.is_empty()).then(|| {
        let rows = page
            .answers
            .into_iter()
            .map(|(q, a)| view! { <dt>{q}</dt><dd>{a}</dd> })
            .collect_view();
        view! { <h2>"Your answers"</h2><dl class="answers">{rows}</dl> }
    });
    let ics = format!("/r/{}/invite.ics", page.token);
    let cancel_action = format!("/r/{}/cancel", page.token);
    let event_href = format!("/events/{}", page.event_slug);
    view! {
        <article class="manage">
            {banner.map(|b| view! { <p class="banner" role="status">{b}</p> })}
            <p class="kind">"Your registration"</p>
            <h1><a href=event_href>{page.event_title}</a></h1>
            <p class="when"><LocalTimes times=page.times /></p>
            <p class="status" data-status=page.status.as_str()>{status_line}</p>
            <dl class="who">
                <dt>"Name"</dt><dd>{page.first_name} " " {page.last_name}</dd>
                <dt>"Email"</dt><dd>{page.email}</dd>
            </dl>
            {join}
            <p><a class="button" href=ics download="invite.ics">"Add to calendar (.ics)"</a></p>
            {answers}
            {page.can_cancel.then(|| view! {
                <form method="post" action=cancel_action class="cancel">
                    <h2>"Can't make it?"</h2>
                    <p>"Canceling frees your place for someone on the waitlist."</p>
                    <button type="submit" class="danger">"Cancel my registration"</button>
                </form>
            })}
            <p class="hint">"Keep this page's address private: anyone with it can manage your registration."</p>
        </article>
    }
}

/// A page for errors a person can understand: not found, gone, or something broken.
#[component]
pub fn Problem(title: String, detail: String) -> impl IntoView {
    view! {
        <article class="problem">
            <h1>{title}</h1>
            <p>{detail}</p>
            <p><a href="/">"See upcoming events"</a></p>
        </article>
    }
}

/// What the email-confirmation page shows.
#[derive(Clone, Debug)]
pub struct ConfirmAddress {
    pub action: String,
    pub event_title: String,
    pub email: String,
}

/// Confirms a registrant's email address with one button (a form post, so that mail scanners
/// following the link confirm nothing).
#[component]
pub fn ConfirmAddressPage(page: ConfirmAddress) -> impl IntoView {
    view! {
        <article class="manage">
            <p class="kind">"Confirm your email address"</p>
            <h1>{page.event_title}</h1>
            <p>"Confirm that " <strong>{page.email}</strong> " is your address to keep your place."</p>
            <form method="post" action=page.action>
                <button type="submit" class="primary">"Confirm my email address"</button>
            </form>
        </article>
    }
}
