//! Uploading the attendance report Teams made, with the result on a page of its own.

use super::*;
use crate::accounts::auth::SignedIn;
use crate::events::{self as manage};
use crate::portal::problem_page;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

pub(super) async fn import_attendance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(slug): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let mut csrf = String::new();
    let mut report = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) if name == "csrf" => csrf = String::from_utf8_lossy(&bytes).to_string(),
                    Ok(bytes) if name == "report" => report = Some(bytes),
                    Ok(_) => {}
                    Err(_) => {
                        return problem_page(
                            StatusCode::BAD_REQUEST,
                            "The upload failed",
                            "Please try again with a smaller file.",
                        )
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return problem_page(StatusCode::BAD_REQUEST, "The upload failed", "Please try again."),
        }
    }
    if let Err(r) = check_csrf(&signed, &vec![("csrf".to_string(), csrf)]) {
        return r;
    }
    let Some(report) = report else {
        return problem_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "No file",
            "Choose the attendance report to import.",
        );
    };
    match crate::attendance::import(&state.db, &signed.organizer, &slug, &report).await {
        // The result is a page of its own: the list of people not registered can be long.
        Ok(summary) => {
            let title = match manage::event(&state.db, &signed.organizer, &slug).await {
                Ok(e) => e.title,
                Err(e) => return manage_error(e),
            };
            dash(&signed, StatusCode::OK, "Attendance imported", move || {
                view! {
                    <app::dashboard::AttendanceResultPage
                        title=title
                        slug=slug
                        attendees=summary.attendees
                        matched=summary.matched
                        unmatched=summary.unmatched
                    />
                }
            })
        }
        Err(e) => manage_error(e),
    }
}
