//! Appointments of businesses imported from Microsoft Bookings, kept in both places. Atrium's
//! own changes (booked, moved, canceled on Atrium's pages or API) go to Bookings through the
//! durable queue, never on the customer's request; Bookings has no change notifications for
//! appointments, so each business's calendar (`calendarView`) is read back on a timer, with
//! back-off while it fails, and what changed in Bookings is applied to Atrium, with the times
//! staff are busy in their own calendars (`getStaffAvailability`, the next 62 days).
//!
//! A crash between Bookings making an appointment and Atrium recording it is met on the retry
//! by looking for it first (same service, start and customer address) before making one. Atrium
//! sets `optOutOfCustomerEmail`, as it emails the customer itself: one email, not two. The
//! appointment carries its customer's answers (see `bookings_body`); Bookings' Teams link
//! (`joinWebUrl`) is kept for staff, its anonymous one (when the service allows it) for the
//! customer.

use super::bookings::business_path;
use super::bookings_body;
use super::*;
use crate::appointments::from_bookings::{self, SeenInBookings};
use crate::appointments::model::{Answer, Business};
use crate::appointments::store as appointments;
use crate::appointments::MAX_ANSWER;
pub use crate::jobs::teams::TOPIC_BOOKINGS;
use crate::microsoft::client::GraphError;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// How far ahead staff members' own calendars are read.
const AVAILABILITY_DAYS: i64 = 62;

/// An instant from a Graph `dateTimeTimeZone` (an offset in the text wins over the zone).
fn instant_of(v: &Value) -> Option<i64> {
    let text = v["dateTime"].as_str()?;
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let t = crate::microsoft::models::DateTimeTimeZone {
        date_time: text.to_string(),
        time_zone: v["timeZone"].as_str().unwrap_or("UTC").to_string(),
    };
    graph_time(&t).ok().map(|(t, _)| t)
}

/// What Bookings holds of an appointment; `None` for one Atrium cannot read.
fn seen(item: &Value) -> Option<SeenInBookings> {
    let customer = item["customers"].as_array().and_then(|c| c.first()).cloned().unwrap_or_default();
    let link = |key: &str| item[key].as_str().filter(|u| u.starts_with("https://")).map(str::to_string);
    // Staff join in Teams; the customer through the anonymous link when the service allows it.
    let teams = link("joinWebUrl");
    Some(SeenInBookings {
        bookings_id: item["id"].as_str()?.to_string(),
        service_id: item["serviceId"].as_str()?.to_string(),
        start: instant_of(&item["startDateTime"])?,
        end: instant_of(&item["endDateTime"])?,
        staff_ids: item["staffMemberIds"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        customer_name: customer["name"].as_str().unwrap_or("").to_string(),
        customer_email: customer["emailAddress"].as_str().unwrap_or("").to_string(),
        customer_phone: customer["phone"].as_str().filter(|p| !p.is_empty()).map(str::to_string),
        customer_time_zone: item["customerTimeZone"]
            .as_str()
            .and_then(|z| bodies::iana_zone(z.trim()))
            .filter(|z| app::tz::parse_zone(z).is_ok()),
        teams_join_url: teams.clone(),
        join_url: link("anonymousJoinWebUrl").or(teams),
        answers: answers_of(&customer["customQuestionAnswers"]),
    })
}

/// Most answers kept of one appointment read back from Bookings; each is cut to the length
/// Atrium's own booking form takes.
const MAX_ANSWERS: usize = 50;

/// The answers a customer gave in Bookings (`bookingQuestionAnswer`): the text answer, or the
/// option chosen for a `radioButton` question. Unanswered questions are left out.
fn answers_of(list: &Value) -> Vec<Answer> {
    let Some(list) = list.as_array() else { return Vec::new() };
    list.iter()
        .filter_map(|a| {
            let question_id = a["questionId"].as_str().filter(|id| !id.is_empty())?;
            let answer = a["answer"]
                .as_str()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .or_else(|| a["selectedOptions"].as_array()?.iter().filter_map(Value::as_str).next())?;
            Some(Answer {
                question_id: question_id.to_string(),
                question: a["question"].as_str().unwrap_or("").chars().take(MAX_ANSWER).collect(),
                answer: answer.chars().take(MAX_ANSWER).collect(),
            })
        })
        .take(MAX_ANSWERS)
        .collect()
}

impl TeamsSync {
    /// Claims up to five Bookings jobs and brings each appointment in Bookings in line with
    /// Atrium's; failures are retried later with back-off. Returns how many were claimed.
    pub async fn sync_bookings_appointments(&self) -> Result<usize, sqlx::Error> {
        self.appointment_jobs(
            TOPIC_BOOKINGS,
            |id, retry| async move { self.appointment_in_bookings(&id, retry).await },
        )
        .await
    }

    async fn appointment_in_bookings(&self, id: &str, retry: bool) -> Result<(), SyncError> {
        let Some(a) = appointments::by_id(&self.db, id).await? else {
            return Ok(());
        };
        let business = appointments::business_by_id(&self.db, &a.business_id)
            .await?
            .ok_or("the appointment's business is gone")?;
        let Some(bookings_id) = &business.bookings_business_id else {
            return Ok(());
        };
        let (token, mailbox) = self.organization_token(&business.organization_id).await?;
        let base = business_path(bookings_id);
        let call = |method: Method, path: String, body: Option<Value>| {
            let (token, mailbox) = (token.clone(), mailbox.clone());
            async move { self.client.request_as(&token, method, &path, body.as_ref(), &mailbox).await }
        };
        if let Some(held) = &a.bookings_appointment_id {
            let outcome = if a.status == "canceled" {
                let body = json!({"cancellationMessage": "Canceled through Atrium."});
                call(Method::POST, format!("{base}/appointments/{held}/cancel"), Some(body)).await
            } else {
                let body = bookings_body::changed_appointment(&self.db, &a).await?;
                call(Method::PATCH, format!("{base}/appointments/{held}"), Some(body)).await
            };
            match outcome {
                // Already gone from Bookings: the calendar read will cancel it here.
                Ok(_) | Err(GraphError::Http { status: 404, .. }) => {}
                Err(e) => return Err(e.into()),
            }
            appointments::set_bookings_sequence(&self.db, id, a.sequence).await?;
            return Ok(());
        }
        if a.status == "canceled" {
            // Canceled before Bookings ever held it; nothing to undo unless a crash left one.
            if let Some(found) = self.find_in_bookings(&call, &base, &a).await? {
                let body = json!({"cancellationMessage": "Canceled through Atrium."});
                call(
                    Method::POST,
                    format!("{base}/appointments/{}/cancel", found.bookings_id),
                    Some(body),
                )
                .await?;
            }
            return Ok(());
        }
        let found = if retry {
            self.find_in_bookings(&call, &base, &a).await?
        } else {
            None
        };
        let held = match found {
            Some(found) => found,
            None => {
                let service = appointments::all_services_of(&self.db, &business.id)
                    .await?
                    .into_iter()
                    .find(|s| s.id == a.service_id)
                    .ok_or("the appointment's service is gone")?;
                let body = bookings_body::new_appointment(&self.db, &a, &service).await?;
                let path = format!("{base}/appointments");
                let (_, made) = self.client.create_as(&token, Method::POST, &path, Some(&body), &mailbox).await?;
                seen(&made).ok_or("Bookings answered with an appointment Atrium cannot read")?
            }
        };
        appointments::set_bookings_id(
            &self.db,
            id,
            &held.bookings_id,
            a.sequence,
            held.teams_join_url.as_deref(),
            held.join_url.as_deref(),
        )
        .await?;
        Ok(())
    }

    /// An appointment in Bookings for `a`'s service, start and customer address (one an earlier
    /// attempt made before a crash).
    async fn find_in_bookings<F, Fut>(
        &self,
        call: &F,
        base: &str,
        a: &appointments::AppointmentRow,
    ) -> Result<Option<SeenInBookings>, SyncError>
    where
        F: Fn(Method, String, Option<Value>) -> Fut,
        Fut: std::future::Future<Output = Result<(reqwest::StatusCode, Value), GraphError>>,
    {
        let path = format!("{base}/calendarView?start={}&end={}", offset(a.start - 60), offset(a.end + 60));
        let (_, list) = call(Method::GET, path, None).await?;
        Ok(list["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(seen)
            .find(|s| s.service_id == a.service_id && s.start == a.start && s.customer_email.eq_ignore_ascii_case(&a.customer_email)))
    }

    /// Reads the calendar of every business imported from Bookings, from now to its maximum
    /// advance, and applies what changed there. Returns how many changes were applied.
    pub async fn read_bookings_calendars(&self) -> Result<usize, SyncError> {
        let mut applied = 0;
        for business in appointments::bookings_businesses(&self.db).await? {
            applied += self.read_bookings_calendar(&business).await?;
        }
        Ok(applied)
    }

    async fn read_bookings_calendar(&self, business: &Business) -> Result<usize, SyncError> {
        let Some(bookings_id) = &business.bookings_business_id else {
            return Ok(0);
        };
        let (token, mailbox) = self.organization_token(&business.organization_id).await?;
        let (from, to) = (self.db.now(), self.db.now() + business.policy.maximum_advance);
        let path = format!(
            "{}/calendarView?start={}&end={}",
            business_path(bookings_id),
            offset(from),
            offset(to)
        );
        let (_, list) = self.client.request_as(&token, Method::GET, &path, None, &mailbox).await?;
        let items: Vec<SeenInBookings> = list["value"].as_array().into_iter().flatten().filter_map(seen).collect();
        // What Atrium holds of the business over the same range, read once (a day before it too,
        // for appointments under way); an item outside it (moved from further ahead) is looked
        // up by itself.
        let held: HashMap<String, appointments::AppointmentRow> =
            appointments::appointments_between(&self.db, &business.id, from - 86_400, to)
                .await?
                .into_iter()
                .filter_map(|row| Some((row.bookings_appointment_id.clone()?, row)))
                .collect();
        let mut applied = 0;
        let failed = |e: crate::appointments::BookError| SyncError::Refused(format!("a change from Bookings could not be applied: {e}"));
        for item in &items {
            let row = match held.get(&item.bookings_id) {
                Some(row) => Some(row.clone()),
                None => appointments::by_bookings_id(&self.db, &item.bookings_id).await?,
            };
            match row {
                // Atrium's own change is still on its way to Bookings: Bookings is behind.
                Some(row) if row.bookings_sequence != Some(row.sequence) || row.status != "booked" => {}
                Some(row) if row.start != item.start || row.end != item.end => {
                    from_bookings::moved_in_bookings(&self.db, &row, item).await.map_err(failed)?;
                    applied += 1;
                }
                Some(_) => {}
                None => {
                    let unheld =
                        appointments::unheld_match(&self.db, &business.id, &item.service_id, item.start, &item.customer_email).await?;
                    if let Some(mine) = unheld {
                        // Atrium's own, made in Bookings just before a crash: now it is held.
                        appointments::set_bookings_id(
                            &self.db,
                            &mine.id,
                            &item.bookings_id,
                            mine.sequence,
                            item.teams_join_url.as_deref(),
                            item.join_url.as_deref(),
                        )
                        .await?;
                    } else if from_bookings::made_in_bookings(&self.db, &self.sealer, business, item)
                        .await
                        .map_err(failed)?
                        .is_some()
                    {
                        applied += 1;
                    }
                }
            }
        }
        // Held by both, in step with Bookings, starting in the range, and gone from Bookings'
        // calendar: canceled there.
        let listed: HashSet<&str> = items.iter().map(|i| i.bookings_id.as_str()).collect();
        let gone = held.iter().filter(|(bookings_id, row)| {
            row.status == "booked"
                && row.bookings_sequence == Some(row.sequence)
                && row.start >= from
                && !listed.contains(bookings_id.as_str())
        });
        for (_, row) in gone {
            crate::appointments::cancel_id(&self.db, &row.id, false).await.map_err(failed)?;
            applied += 1;
        }
        let until = to.min(from + AVAILABILITY_DAYS * 86_400);
        applied += self
            .read_staff_availability(business, bookings_id, (&token, &mailbox), (from, until))
            .await?;
        Ok(applied)
    }

    /// Reads when the business's staff are busy outside Bookings' own appointments (their own
    /// calendars) over `[from, to)` and keeps those times like time off. Returns how many staff
    /// members' busy times changed.
    async fn read_staff_availability(
        &self,
        business: &Business,
        bookings_id: &str,
        (token, mailbox): (&str, &str),
        (from, to): (i64, i64),
    ) -> Result<usize, SyncError> {
        let staff = appointments::staff_of(&self.db, &business.id).await?;
        if staff.is_empty() {
            return Ok(0);
        }
        let body = json!({
            "staffIds": staff.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            "startDateTime": {"dateTime": offset(from).trim_end_matches('Z'), "timeZone": "UTC"},
            "endDateTime": {"dateTime": offset(to).trim_end_matches('Z'), "timeZone": "UTC"},
        });
        let path = format!("{}/getStaffAvailability", business_path(bookings_id));
        let (_, answer) = self.client.request_as(token, Method::POST, &path, Some(&body), mailbox).await?;
        // The documentation's answer names the list `staffAvailabilityItem`; OData would say `value`.
        let entries = answer["value"]
            .as_array()
            .or(answer["staffAvailabilityItem"].as_array())
            .cloned()
            .unwrap_or_default();
        let mut changed = 0;
        for s in &staff {
            let busy: Vec<app::booking::Span> = entries
                .iter()
                .filter(|e| e["staffId"] == s.id.as_str())
                .flat_map(|e| e["availabilityItems"].as_array().cloned().unwrap_or_default())
                // Bookings' own appointments carry their service and are read from the calendar.
                .filter(|i| i["serviceId"].as_str().unwrap_or("").is_empty())
                .filter(|i| {
                    matches!(
                        i["status"].as_str().map(str::to_ascii_lowercase).as_deref(),
                        Some("busy" | "outofoffice")
                    )
                })
                .filter_map(|i| {
                    Some(app::booking::Span::new(
                        instant_of(&i["startDateTime"])?,
                        instant_of(&i["endDateTime"])?,
                    ))
                })
                .filter(|span| span.end > span.start)
                .collect();
            if appointments::replace_external_busy(&self.db, &s.id, from, to, &busy).await? {
                changed += 1;
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_given_in_bookings_are_read_back() {
        let given = json!([
            {"questionId": "q-size", "question": "Size?", "answerInputType": "radioButton", "answer": "", "selectedOptions": ["Large"]},
            {"questionId": "q-age", "question": "Age?", "answerInputType": "text", "answer": " 25 ", "selectedOptions": []},
            {"questionId": "q-skipped", "question": "Anything else?", "answerInputType": "text", "answer": ""},
            {"question": "No id", "answer": "lost"},
        ]);
        let answers = answers_of(&given);
        assert_eq!(answers.len(), 2, "unanswered and unidentified answers are left out");
        assert_eq!((answers[0].question_id.as_str(), answers[0].answer.as_str()), ("q-size", "Large"));
        assert_eq!((answers[1].question.as_str(), answers[1].answer.as_str()), ("Age?", "25"));
        let many = json!((0..80)
            .map(|i| json!({"questionId": format!("q{i}"), "answer": "x".repeat(5000)}))
            .collect::<Vec<_>>());
        let kept = answers_of(&many);
        assert_eq!(kept.len(), MAX_ANSWERS);
        assert!(kept.iter().all(|a| a.answer.chars().count() == MAX_ANSWER));
        assert!(answers_of(&json!(null)).is_empty());
    }
}
