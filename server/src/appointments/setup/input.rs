//! What organizers send to set a business up, in the shape of Graph's booking resources
//! (`bookingBusiness`, `bookingService`, `bookingStaffMember`), and how each field is checked
//! and applied: absent fields keep their value, every field at fault is named.

use super::slug::{slug_from, valid_slug};
use crate::appointments::model::{self, Business, QuestionAssignment, ReminderJson, Service, Staff, WorkHoursJson};
use app::booking::{parse_duration, Day};
use app::domain::{EmailAddress, FieldError};
use serde::Deserialize;
use utoipa::ToSchema;

/// A business (`bookingBusiness`) to create or change; on creation `displayName` and `timeZone`
/// are required.
#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BusinessInput {
    pub display_name: Option<String>,
    /// The address of its booking page, `/book/{slug}`: lowercase letters, digits and dashes;
    /// made from the name when left out.
    pub slug: Option<String>,
    /// IANA zone the business hours are read in, such as America/New_York.
    pub time_zone: Option<String>,
    /// Opening hours (`bookingWorkHours`); Monday–Friday 09:00–17:00 when left out.
    pub business_hours: Option<Vec<WorkHoursJson>>,
    pub scheduling_policy: Option<PolicyInput>,
    /// An https address of the logo shown on the booking page; `null` removes it.
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    pub logo_url: Option<Option<String>>,
    /// `#rrggbb` for links and buttons on the booking page, dark enough for white text (WCAG AA,
    /// 4.5:1); `null` for Atrium's own.
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    pub brand_color: Option<Option<String>>,
    /// ISO 4217 currency of the services' prices (USD when left out).
    pub default_currency_iso: Option<String>,
}

/// `bookingSchedulingPolicy`: ISO 8601 durations (defaults PT30M, P1D, P365D, true).
#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyInput {
    pub time_slot_interval: Option<String>,
    pub minimum_lead_time: Option<String>,
    pub maximum_advance: Option<String>,
    pub allow_staff_selection: Option<bool>,
}

/// A service (`bookingService`) to create or change; on creation `displayName` and
/// `defaultDuration` are required.
#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceInput {
    pub display_name: Option<String>,
    /// ISO 8601, such as PT30M (5 minutes to 1 day).
    pub default_duration: Option<String>,
    /// Kept free before each appointment (at most 12 hours).
    pub pre_buffer: Option<String>,
    /// Kept free after each appointment (at most 12 hours).
    pub post_buffer: Option<String>,
    /// Seats per appointment; above 1 makes a group service (at most 1,000).
    pub maximum_attendees_count: Option<i64>,
    pub is_location_online: Option<bool>,
    /// Who gives it: staff members of this business.
    pub staff_member_ids: Option<Vec<String>>,
    /// Hours of its own within the business hours; `null` uses the business hours.
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    pub service_hours: Option<Option<Vec<WorkHoursJson>>>,
    /// Emails sent before each appointment (`bookingReminder`: `offset` from PT5M to P30D,
    /// `recipients` allAttendees, staff or customer, an optional `message`); at most five.
    pub default_reminders: Option<Vec<ReminderJson>>,
    /// Graph's `defaultPrice`: at least 0; `null` for none.
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    pub default_price: Option<Option<f64>>,
    /// fixedPrice, startingAt, hourly, free, priceVaries, callUs or notSet.
    pub default_price_type: Option<String>,
    /// The business's custom questions it asks (`bookingQuestionAssignment`: `questionId`,
    /// `isRequired`), in order.
    pub custom_questions: Option<Vec<QuestionAssignment>>,
}

/// A staff member (`bookingStaffMember`) to create or change; on creation `displayName` is
/// required.
#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffInput {
    pub display_name: Option<String>,
    /// Where their appointment emails go; empty for none.
    pub email_address: Option<String>,
    /// IANA zone their working hours are read in; the business's when left out.
    pub time_zone: Option<String>,
    /// True (the default): they work the business hours; false: their `workingHours`.
    pub use_business_hours: Option<bool>,
    pub working_hours: Option<Vec<WorkHoursJson>>,
}

const MAX_NAME: usize = 200;

fn name(field: &str, value: Option<&String>, target: &mut String, errors: &mut Vec<FieldError>) {
    let Some(value) = value else {
        if target.is_empty() {
            errors.push(FieldError::new(field, "Give a name."));
        }
        return;
    };
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::new(field, "Give a name."));
    } else if value.chars().count() > MAX_NAME {
        errors.push(FieldError::new(field, format!("Keep the name to {MAX_NAME} characters.")));
    } else {
        *target = value.to_string();
    }
}

/// Reads the ISO 8601 duration `value` into `target` when it lies in `[min, max]` seconds.
fn duration(field: &str, value: Option<&String>, (min, max): (i64, i64), target: &mut i64, errors: &mut Vec<FieldError>) {
    let Some(value) = value else { return };
    match parse_duration(value) {
        Ok(s) if (min..=max).contains(&s) => *target = s,
        Ok(_) => errors.push(FieldError::new(
            field,
            format!(
                "Give a duration from {} to {}.",
                app::booking::format_duration(min),
                app::booking::format_duration(max)
            ),
        )),
        Err(e) => errors.push(FieldError::new(field, e.to_string())),
    }
}

fn zone(field: &str, value: Option<&String>, target: &mut String, errors: &mut Vec<FieldError>) {
    let Some(value) = value else { return };
    match app::tz::parse_zone(value) {
        Ok(_) => *target = value.trim().to_string(),
        Err(e) => errors.push(FieldError::new(field, e.0)),
    }
}

/// Hours whose times read, each slot ending after it starts, each day listed once.
fn hours(field: &str, value: &[WorkHoursJson], errors: &mut Vec<FieldError>) -> bool {
    let mut seen: Vec<Day> = Vec::new();
    for h in value {
        if seen.contains(&h.day) {
            errors.push(FieldError::new(
                field,
                format!("{} is listed twice; give all its times in one entry.", h.day.name()),
            ));
            return false;
        }
        seen.push(h.day);
        for s in &h.time_slots {
            let read = |t: &str| app::booking::parse_time_of_day(t);
            match (read(&s.start_time), read(&s.end_time)) {
                // An end at midnight is the end of the day, as the slot engine reads it.
                (Some(start), Some(end)) if start < end || end == jiff::civil::Time::midnight() => {}
                (Some(_), Some(_)) => {
                    errors.push(FieldError::new(
                        field,
                        format!("On {} a time slot ends before it starts.", h.day.name()),
                    ));
                    return false;
                }
                _ => {
                    errors.push(FieldError::new(field, "Give times of day such as 09:00:00."));
                    return false;
                }
            }
        }
    }
    true
}

/// Applies `input` to `b`; on creation the name and zone must be given.
pub fn apply_business(b: &mut Business, input: &BusinessInput, creating: bool) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    name("displayName", input.display_name.as_ref(), &mut b.display_name, &mut errors);
    if creating && input.time_zone.is_none() {
        errors.push(FieldError::new(
            "timeZone",
            "Give the business's time zone, such as America/New_York.",
        ));
    }
    zone("timeZone", input.time_zone.as_ref(), &mut b.time_zone, &mut errors);
    match input.slug.as_deref().map(str::trim) {
        Some(slug) if valid_slug(slug) => b.slug = slug.to_string(),
        Some(_) => errors.push(FieldError::new(
            "slug",
            "Use 3 to 60 lowercase letters, digits and dashes, not starting or ending with a dash.",
        )),
        None if creating => {
            b.slug = slug_from(&b.display_name);
            if !valid_slug(&b.slug) && !b.display_name.is_empty() {
                errors.push(FieldError::new(
                    "slug",
                    "Give the booking page an address such as contoso-advisory.",
                ));
            }
        }
        None => {}
    }
    if let Some(h) = &input.business_hours {
        if hours("businessHours", h, &mut errors) {
            b.business_hours = h.clone();
        }
    }
    if let Some(p) = &input.scheduling_policy {
        let policy = &mut b.policy;
        duration(
            "schedulingPolicy.timeSlotInterval",
            p.time_slot_interval.as_ref(),
            (300, 86_400),
            &mut policy.interval,
            &mut errors,
        );
        duration(
            "schedulingPolicy.minimumLeadTime",
            p.minimum_lead_time.as_ref(),
            (0, 365 * 86_400),
            &mut policy.minimum_lead_time,
            &mut errors,
        );
        duration(
            "schedulingPolicy.maximumAdvance",
            p.maximum_advance.as_ref(),
            (86_400, 400 * 86_400),
            &mut policy.maximum_advance,
            &mut errors,
        );
        if let Some(allow) = p.allow_staff_selection {
            b.allow_staff_selection = allow;
        }
    }
    super::branding::apply_branding(&mut b.branding, input, &mut errors);
    if errors.is_empty() && policy_backwards(b) {
        errors.push(FieldError::new(
            "schedulingPolicy.maximumAdvance",
            "The maximum advance must be longer than the minimum lead time.",
        ));
    }
    if errors.is_empty() {
        if let Err(e) = model::week(&b.business_hours, &b.time_zone) {
            errors.push(FieldError::new("businessHours", e.0));
        }
    }
    errors.is_empty().then_some(()).ok_or(errors)
}

fn policy_backwards(b: &Business) -> bool {
    b.policy.maximum_advance <= b.policy.minimum_lead_time
}

/// Applies `input` to `s`, whose staff must be among `staff_ids` and questions among
/// `question_ids` (the business's).
pub fn apply_service(
    s: &mut Service,
    input: &ServiceInput,
    (staff_ids, question_ids): (&[String], &[String]),
    creating: bool,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    name("displayName", input.display_name.as_ref(), &mut s.display_name, &mut errors);
    if creating && input.default_duration.is_none() {
        errors.push(FieldError::new("defaultDuration", "Give the appointment's length, such as PT30M."));
    }
    duration(
        "defaultDuration",
        input.default_duration.as_ref(),
        (300, 86_400),
        &mut s.duration,
        &mut errors,
    );
    duration(
        "preBuffer",
        input.pre_buffer.as_ref(),
        (0, 12 * 3600),
        &mut s.pre_buffer,
        &mut errors,
    );
    duration(
        "postBuffer",
        input.post_buffer.as_ref(),
        (0, 12 * 3600),
        &mut s.post_buffer,
        &mut errors,
    );
    match input.maximum_attendees_count {
        Some(n) if (1..=1000).contains(&n) => s.maximum_attendees = n,
        Some(_) => errors.push(FieldError::new("maximumAttendeesCount", "Give from 1 to 1,000 seats.")),
        None => {}
    }
    if let Some(online) = input.is_location_online {
        s.is_location_online = online;
    }
    if let Some(ids) = &input.staff_member_ids {
        match ids.iter().find(|id| !staff_ids.contains(id)) {
            Some(id) => errors.push(FieldError::new(
                "staffMemberIds",
                format!("{id:?} is not a staff member of this business."),
            )),
            None => {
                let mut ids = ids.clone();
                ids.sort();
                ids.dedup();
                s.staff_member_ids = ids;
            }
        }
    }
    match &input.service_hours {
        Some(Some(h)) if hours("serviceHours", h, &mut errors) => s.service_hours = Some(h.clone()),
        Some(None) => s.service_hours = None,
        _ => {}
    }
    if let Some(reminders) = &input.default_reminders {
        match super::reminders::check_reminders(reminders) {
            Ok(()) => s.reminders = reminders.clone(),
            Err(message) => errors.push(FieldError::new("defaultReminders", message)),
        }
    }
    super::branding::apply_price(s, input, &mut errors);
    if let Some(asked) = &input.custom_questions {
        let mut ids: Vec<&str> = asked.iter().map(|a| a.question_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if let Some(a) = asked.iter().find(|a| !question_ids.contains(&a.question_id)) {
            errors.push(FieldError::new(
                "customQuestions",
                format!("{:?} is not a question of this business.", a.question_id),
            ));
        } else if ids.len() != asked.len() {
            errors.push(FieldError::new("customQuestions", "A question is listed twice."));
        } else {
            s.questions = asked.clone();
        }
    }
    errors.is_empty().then_some(()).ok_or(errors)
}

/// Applies `input` to `s`.
pub fn apply_staff(s: &mut Staff, input: &StaffInput) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    name("displayName", input.display_name.as_ref(), &mut s.display_name, &mut errors);
    if let Some(email) = input.email_address.as_deref().map(str::trim) {
        if email.is_empty() {
            s.email_address.clear();
        } else {
            match EmailAddress::parse(email) {
                Ok(e) => s.email_address = e.as_str().to_string(),
                Err(e) => errors.push(FieldError::new("emailAddress", e.0)),
            }
        }
    }
    zone("timeZone", input.time_zone.as_ref(), &mut s.time_zone, &mut errors);
    if let Some(b) = input.use_business_hours {
        s.use_business_hours = b;
    }
    if let Some(h) = &input.working_hours {
        if hours("workingHours", h, &mut errors) {
            s.working_hours = h.clone();
        }
    }
    if errors.is_empty() && !s.use_business_hours && s.working_hours.is_empty() {
        errors.push(FieldError::new(
            "workingHours",
            "Give their working hours, or set useBusinessHours.",
        ));
    }
    errors.is_empty().then_some(()).ok_or(errors)
}
