//! The booking pages: `/book/{business}` (service, staff, day, time, details, all as plain
//! links and forms) and an appointment's private page `/appointments/{token}`.

use super::{html, problem_page, server_error};
use crate::appointments::model::Service;
use crate::appointments::{self, AppointmentError, BookError, Catalog, NewBooking};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use app::book::{BookingForm, BookingPage, BookingView, Choice, PickerSpec, QuestionView};
use app::domain::FieldError;
use app::rpc::DayTimes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use leptos::prelude::*;
use serde::Deserialize;

/// The page's choices, from its address.
#[derive(Deserialize, Default)]
pub(super) struct Picked {
    pub(super) service: Option<String>,
    pub(super) staff: Option<String>,
    pub(super) date: Option<String>,
    pub(super) tz: Option<String>,
    /// The manage token of an appointment being moved.
    pub(super) reschedule: Option<String>,
}

fn minutes(seconds: i64) -> String {
    match seconds / 60 {
        m if m % 60 == 0 && m >= 60 => format!("{} hour{}", m / 60, if m == 60 { "" } else { "s" }),
        m => format!("{m} minutes"),
    }
}

fn not_found() -> Response {
    problem_page(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no business taking bookings at this address.",
    )
}

/// A day's free times for `service` (with `staff`, or anyone) as choices in `zone`, and, when
/// there are none, why.
pub(super) async fn times_of_day(
    state: &AppState,
    catalog: &Catalog,
    service: &Service,
    staff: Option<String>,
    date: jiff::civil::Date,
    zone: &TimeZone,
) -> Result<DayTimes, AppointmentError> {
    let instant = |d: jiff::civil::Date| d.to_zoned(zone.clone()).map(|z| z.timestamp().as_second()).unwrap_or_default();
    let request = appointments::SlotRequest {
        service_id: service.id.clone(),
        staff_id: staff,
        from: instant(date),
        to: instant(date.tomorrow().unwrap_or(date)),
        zone: zone.clone(),
    };
    let slots = match appointments::slots_in(&state.db, &state.calendars, catalog, &request).await {
        Ok(found) => found,
        Err(AppointmentError::Invalid(e)) => {
            return Ok(DayTimes {
                times: Vec::new(),
                notice: e.first().map(|e| e.message.clone()),
            })
        }
        Err(e) => return Err(e),
    };
    let local = |t: i64, format: &str| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.to_zoned(zone.clone()).strftime(format).to_string())
            .unwrap_or_default()
    };
    Ok(DayTimes {
        notice: slots
            .is_empty()
            .then(|| "No times are free on this day. Please choose another day.".to_string()),
        times: slots
            .iter()
            .map(|s| Choice {
                value: local(s.start, "%Y-%m-%dT%H:%M:%S%:z"),
                label: local(s.start, "%H:%M"),
                chosen: false,
            })
            .collect(),
    })
}

/// The page for `picked`, with what the customer typed, errors and a notice.
pub(super) async fn render(
    state: &AppState,
    catalog: &Catalog,
    picked: &Picked,
    form: BookingForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let business = &catalog.business;
    let zone_chosen = picked.tz.as_deref().is_some_and(|z| app::tz::parse_zone(z).is_ok());
    let zone_name = picked
        .tz
        .as_deref()
        .filter(|_| zone_chosen)
        .unwrap_or(&business.time_zone)
        .to_string();
    let zone = app::tz::parse_zone(&zone_name).unwrap_or(TimeZone::UTC);
    let service = picked.service.as_deref().and_then(|id| catalog.service(id));
    let today = jiff::Timestamp::from_second(state.db.now())
        .map(|t| t.to_zoned(zone.clone()).date())
        .unwrap_or_default();
    let date = picked
        .date
        .as_deref()
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .unwrap_or(today);
    let staff_choice = picked.staff.clone().filter(|s| !s.is_empty());
    let mut picker = None;
    if let Some(service) = service {
        let day = match times_of_day(state, catalog, service, staff_choice.clone(), date, &zone).await {
            Ok(day) => day,
            Err(e) => return server_error(&e),
        };
        let moving = picked.reschedule.clone().filter(|t| !t.is_empty());
        picker = Some(PickerSpec {
            slug: business.slug.clone(),
            service: service.id.clone(),
            staff: business.allow_staff_selection.then(|| {
                let mut choices = vec![Choice {
                    value: String::new(),
                    label: "Anyone available".into(),
                    chosen: staff_choice.is_none(),
                }];
                choices.extend(
                    catalog
                        .staff
                        .iter()
                        .filter(|s| service.staff_member_ids.contains(&s.id))
                        .map(|s| Choice {
                            value: s.id.clone(),
                            label: s.display_name.clone(),
                            chosen: staff_choice.as_deref() == Some(s.id.as_str()),
                        }),
                );
                choices
            }),
            zones: app::tz::zone_names()
                .iter()
                .map(|z| Choice {
                    value: z.clone(),
                    label: z.replace('_', " "),
                    chosen: *z == zone_name,
                })
                .collect(),
            zone_chosen,
            date: date.to_string(),
            times: day.times,
            // A refusal of the time just posted says more than "nothing free".
            notice: notice.or(day.notice),
            action: match &moving {
                Some(token) => format!("/appointments/{token}/reschedule"),
                None => format!("/book/{}", business.slug),
            },
            moving,
            start_error: errors.iter().find(|e| e.field == "start").map(|e| e.message.clone()),
        });
    }
    let questions = service
        .map(|service| {
            catalog
                .questions_of(service)
                .map(|(q, required)| QuestionView {
                    id: q.id.clone(),
                    label: q.display_name.clone(),
                    options: if q.answer_input_type == "radioButton" {
                        q.answer_options.clone()
                    } else {
                        Vec::new()
                    },
                    required,
                })
                .collect()
        })
        .unwrap_or_default();
    let view = BookingView {
        questions,
        business: business.display_name.clone(),
        logo: business.branding.logo_url.clone(),
        brand_sheet: business
            .branding
            .brand_color
            .as_ref()
            .map(|_| format!("/book/{}/brand.css", business.slug)),
        services: catalog
            .services
            .iter()
            .map(|s| {
                (
                    Choice {
                        value: s.id.clone(),
                        label: s.display_name.clone(),
                        chosen: service.is_some_and(|c| c.id == s.id),
                    },
                    match s.price_label(&business.branding.currency) {
                        Some(price) => format!("{} · {price}", minutes(s.duration)),
                        None => minutes(s.duration),
                    },
                )
            })
            .collect(),
        picker,
        form,
        errors,
    };
    let title = format!("Book with {}", business.display_name);
    let interactive = view.picker.is_some();
    let mut response = html(status, &title, interactive, false, move || view! { <BookingPage page=view /> });
    // Free times change by the minute.
    response
        .headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

pub(super) async fn booking_page(State(state): State<AppState>, Path(slug): Path<String>, Query(picked): Query<Picked>) -> Response {
    match Catalog::load(&state.db, &slug).await {
        Ok(catalog) => render(&state, &catalog, &picked, BookingForm::default(), Vec::new(), None, StatusCode::OK).await,
        Err(appointments::AppointmentError::NotFound) => not_found(),
        Err(e) => server_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct Posted {
    #[serde(default)]
    service: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    tz: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

pub(super) async fn book_form(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Ok(posted) = serde_urlencoded::from_bytes::<Posted>(&body) else {
        return problem_page(
            StatusCode::BAD_REQUEST,
            "We couldn't read that form",
            "Please go back and try again.",
        );
    };
    // Answers come as `answer.{questionId}` fields, one per question.
    let answers: Vec<(String, String)> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("answer.").map(|id| (id.to_string(), v)))
        .take(50)
        .collect();
    let catalog = match Catalog::load(&state.db, &slug).await {
        Ok(c) => c,
        Err(appointments::AppointmentError::NotFound) => return not_found(),
        Err(e) => return server_error(&e),
    };
    let input = NewBooking {
        service_id: posted.service.clone(),
        staff_id: Some(posted.staff.clone()).filter(|s| !s.is_empty()),
        start: posted.start.clone(),
        customer: appointments::Customer {
            name: posted.name.clone(),
            email: posted.email.clone(),
            phone: Some(posted.phone.clone()).filter(|p| !p.trim().is_empty()),
            time_zone: Some(posted.tz.clone()).filter(|z| !z.is_empty()),
        },
        answers: answers
            .iter()
            .map(|(question_id, answer)| appointments::AnswerInput {
                question_id: question_id.clone(),
                answer: answer.clone(),
            })
            .collect(),
    };
    let picked = Picked {
        service: Some(posted.service.clone()),
        staff: Some(posted.staff.clone()),
        date: posted.start.get(..10).map(str::to_string),
        tz: Some(posted.tz.clone()),
        reschedule: None,
    };
    let form = BookingForm {
        name: posted.name,
        email: posted.email,
        phone: posted.phone,
        answers,
    };
    let address = client.to_string();
    match appointments::book_in(
        &state.db,
        &state.sealer,
        &catalog,
        &input,
        None,
        Some(&address),
        state.microsoft.is_some(),
    )
    .await
    {
        Ok(booking) => {
            state.after_write();
            Redirect::to(&format!("/appointments/{}?booked=1", booking.manage_token)).into_response()
        }
        Err(BookError::Invalid(errors)) => render(&state, &catalog, &picked, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(BookError::Refused { refusal, .. }) => {
            render(
                &state,
                &catalog,
                &picked,
                form,
                Vec::new(),
                Some(refusal.to_string()),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(BookError::Limited(wait)) => problem_page(StatusCode::TOO_MANY_REQUESTS, "Too many bookings", &super::limited_message(wait)),
        Err(BookError::NotFound) => not_found(),
        Err(e) => server_error(&e),
    }
}

/// The business's brand colour as a stylesheet (a style attribute would need the page's
/// policy to allow inline styles); Atrium's own colours when it has none.
pub(super) async fn brand_sheet(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let colour = match crate::appointments::Catalog::load(&state.db, &slug).await {
        Ok(c) => c.business.branding.brand_color,
        Err(_) => None,
    };
    // Checked as `#rrggbb` when saved; checked again, as it goes into CSS.
    let colour = colour.filter(|c| c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit()));
    let css = colour.map(|c| format!(":root {{ --brand: {c}; }}\n")).unwrap_or_default();
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        css,
    )
        .into_response()
}
