//! The events list and each event's overview: counts, charts, registrants, reminders, attendance, organizers, and where it stands in Teams.

use super::*;
use crate::accounts::auth::SignedIn;
use crate::backoffice::notice::{Notice, NoticeQuery};
use crate::events::Event;
use crate::events::{self as manage};
use crate::portal::{html, server_error};
use crate::AppState;
use app::dashboard::{DashEventRow, EventOverview, EventOverviewPage, EventsList, RegistrantView};
use app::domain::RegistrationStatus;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;
use serde::Deserialize;

pub(super) fn when(e: &Event) -> String {
    let zone = app::tz::parse_zone(&e.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    app::tz::format_range(e.start_at, e.end_at, &zone)
}

pub(super) async fn events_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    let list = match manage::list(&state.db, &signed.organizer).await {
        Ok(l) => l,
        Err(e) => return manage_error(e),
    };
    let rows = list
        .iter()
        .map(|e| DashEventRow {
            slug: e.slug.clone(),
            title: e.title.clone(),
            status: e.status.as_str().into(),
            when: when(e),
            registered: e.registered_count,
            capacity: e.capacity,
            waitlisted: e.waitlisted_count,
            pending: e.pending_count,
        })
        .collect();
    dash(&signed, StatusCode::OK, "Events", move || view! { <EventsList rows=rows /> })
}

#[derive(Deserialize)]
pub(super) struct OverviewQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    saved: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

pub(super) const PAGE_SIZE: i64 = 25;

pub(super) async fn overview(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<OverviewQuery>,
) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(e),
    };
    let status = q.status.as_deref().and_then(RegistrationStatus::parse);
    // Anything but a sensible page number shows the first page.
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=crate::registrations::organizer::MAX_PAGE).contains(p))
        .unwrap_or(1);
    let (rows, total) = match crate::registrations::organizer::registrants(
        &state.db,
        &signed.organizer,
        &slug,
        status,
        q.q.as_deref(),
        (PAGE_SIZE, (page - 1) * PAGE_SIZE),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return manage_error(e),
    };
    let stats = match registration_stats(&state, &event).await {
        Ok(s) => s,
        Err(e) => return server_error(&e),
    };
    let zone = app::tz::parse_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let reminders = match crate::events::reminders::list(&state.db, &event.id).await {
        Ok(r) => r,
        Err(e) => return server_error(&e),
    };
    let attended = match crate::attendance::by_email(&state.db, &event.id).await {
        Ok(a) => a,
        Err(e) => return server_error(&e),
    };
    let local = |t: i64| app::tz::zoned(t, &zone).strftime("%Y-%m-%d %H:%M %Z").to_string();
    let reminder_hours = reminders
        .iter()
        .map(|r| format_hours(r.offset_minutes))
        .collect::<Vec<_>>()
        .join(", ");
    let reminders = reminders
        .iter()
        .map(|r| {
            let state = match r.sent_at {
                Some(t) => format!("sent {}", local(t)),
                None => format!("scheduled for {}", local(event.start_at - r.offset_minutes * 60)),
            };
            (format!("{} before", crate::events::reminders::describe(r.offset_minutes)), state)
        })
        .collect();
    let attendance = (!attended.is_empty()).then(|| crate::attendance::histogram(attended.values().copied()));
    let (members, organizing) = match (
        crate::accounts::team::members(&state.db, &signed.organizer).await,
        crate::events::organizers::event_organizers(&state.db, &signed.organizer, &slug).await,
    ) {
        (Ok(m), Ok(o)) => (m, o),
        (Err(e), _) => return server_error(&e),
        (_, Err(e)) => return manage_error(e),
    };
    let organizers = members
        .into_iter()
        .map(|m| {
            let on = organizing.iter().any(|o| o.id == m.id);
            (m.id, m.email, on)
        })
        .collect();
    let teams = if state.teams.is_some() {
        match teams_status(&state, &event).await {
            Ok(t) => t,
            Err(e) => return server_error(&e),
        }
    } else {
        None
    };
    let page_data = EventOverview {
        teams,
        organizers,
        attendance,
        reminders,
        reminder_hours,
        slug: event.slug.clone(),
        title: event.title.clone(),
        status: event.status.as_str().into(),
        when: when(&event),
        public_url: format!("/events/{}", event.slug),
        counts: stats.0,
        per_day: stats.1,
        registrants: rows
            .into_iter()
            .map(|r| RegistrantView {
                attended: attended
                    .get(&r.email.to_lowercase())
                    .map(|s| format!("{} min", (s + 30) / 60))
                    .unwrap_or_else(|| "—".into()),
                id: r.id,
                name: format!("{} {}", r.first_name, r.last_name),
                email: r.email,
                status: r.status,
                registered_at: r
                    .registration_date_time
                    .parse::<jiff::Timestamp>()
                    .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                answers: r
                    .registration_question_answers
                    .iter()
                    .map(|a| format!("{}: {}", a.display_name, a.as_text()))
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect(),
        total,
        page,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        filter_status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        search: q.q.clone().unwrap_or_default(),
        notice: q
            .saved
            .map(|_| Notice::Saved.text())
            .or_else(|| crate::backoffice::notice::from_query(&q.notice)),
        error: None,
    };
    let csrf = signed.csrf.clone();
    let title = event.title.clone();
    dash(
        &signed,
        StatusCode::OK,
        &title,
        move || view! { <EventOverviewPage page=page_data csrf=csrf /> },
    )
}

pub(super) type Stats = (Vec<(String, i64)>, Vec<(String, i64)>);

/// Registrations by status, and new registrations per day over the last two weeks in the
/// event's time zone.
pub(super) async fn registration_stats(state: &AppState, event: &Event) -> Result<Stats, sqlx::Error> {
    let counts = crate::registrations::store::organizer::count_by_status(&state.db, &event.id).await?;
    let by_status = RegistrationStatus::ALL
        .iter()
        .map(|s| {
            let n = counts.iter().find(|(status, _)| status == s.as_str()).map_or(0, |(_, n)| *n);
            (s.as_str().to_string(), n)
        })
        .collect();
    let zone = app::tz::parse_zone(&event.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
    let days: Vec<jiff::civil::Date> = (0..14)
        .rev()
        .filter_map(|d| today.checked_sub(jiff::Span::new().days(d)).ok())
        .collect();
    let since = days[0].to_zoned(zone.clone()).map(|z| z.timestamp().as_second()).unwrap_or(0);
    let created = crate::registrations::store::organizer::created_since(&state.db, &event.id, since).await?;
    let mut per_day: Vec<(String, i64)> = days.iter().map(|d| (d.strftime("%b %-d").to_string(), 0)).collect();
    for t in created {
        let day = app::tz::zoned(t, &zone).date();
        if let Some(i) = days.iter().position(|d| *d == day) {
            per_day[i].1 += 1;
        }
    }
    Ok((by_status, per_day))
}

/// The public page as attendees will see it, for any status; registering is switched off.
pub(super) async fn preview(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(e),
    };
    let mut page = crate::portal::event_view(
        &event,
        (event.time_zone.clone(), false),
        Default::default(),
        Vec::new(),
        None,
        state.db.now(),
    );
    page.closed_reason = Some(format!(
        "Preview of a {} event: the registration form appears here once it is published.",
        event.status.as_str()
    ));
    let back = format!("/dashboard/events/{slug}");
    let title = format!("Preview: {}", event.title);
    html(StatusCode::OK, &title, false, true, move || {
        view! {
            <p class="banner" role="status">"Preview — only organizers see this page. " <a href=back>"Back to the dashboard"</a></p>
            <app::pages::EventDetail page=page />
        }
    })
}

/// Where an event stands in Teams, for its overview.
pub(super) async fn teams_status(state: &AppState, event: &crate::events::Event) -> Result<Option<String>, sqlx::Error> {
    let stage = crate::microsoft::store::events::teams_stage(&state.db, &event.id).await?;
    let waiting = crate::jobs::pending_graph_jobs_of_event(&state.db, &event.id).await?;
    let emails = if event.teams_emails {
        "Teams emails attendees their personal join links"
    } else {
        "Atrium emails attendees the join link"
    };
    Ok(match (&event.teams_meeting_id, &event.teams_webinar_id, stage.as_deref()) {
        (Some(_), _, _) => Some(format!(
            "In Teams: meeting created. Join link: {}",
            event.teams_join_url.as_deref().unwrap_or("not given")
        )),
        (None, Some(_), Some("published") | None) => Some(format!("In Teams: webinar published. {emails}.")),
        (None, Some(_), Some(_)) => Some("In Teams: the webinar is being set up…".into()),
        (None, None, _) if waiting > 0 => Some("In Teams: being created…".into()),
        (None, None, _) if event.status == app::domain::EventStatus::Published => {
            Some("Not in Teams: connect a Microsoft 365 account, then publish a draft to create it there.".into())
        }
        _ => None,
    })
}
