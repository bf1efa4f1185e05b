//! A business, its services and staff as Atrium keeps them, and the Graph-shaped hours they
//! carry, turned into the slot engine's rules.

use app::booking::{self, Day, Policy, ServiceRules, TimeSlot, Week, WorkHours};
use app::domain::Invalid;
use serde::{Deserialize, Serialize};

/// One stretch of working time as Graph writes it (`bookingWorkTimeSlot`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkTimeSlotJson {
    /// `09:00:00.0000000`
    pub start_time: String,
    pub end_time: String,
}

/// A day's hours as Graph writes them (`bookingWorkHours`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkHoursJson {
    /// monday … sunday
    #[schema(value_type = String)]
    pub day: Day,
    pub time_slots: Vec<WorkTimeSlotJson>,
}

/// A reminder sent before each appointment of a service (Graph's `bookingReminder`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReminderJson {
    /// Added to the reminder email.
    #[serde(default)]
    pub message: String,
    /// How long before the appointment, ISO 8601 (such as P1D or PT2H).
    pub offset: String,
    /// allAttendees, staff or customer.
    pub recipients: String,
}

impl ReminderJson {
    /// Seconds before the start; the offset was checked when the service was saved.
    pub fn seconds(&self) -> i64 {
        app::booking::parse_duration(&self.offset).unwrap_or(0)
    }
    pub fn to_customer(&self) -> bool {
        matches!(self.recipients.as_str(), "allAttendees" | "customer")
    }
    pub fn to_staff(&self) -> bool {
        matches!(self.recipients.as_str(), "allAttendees" | "staff")
    }
}

/// The reminders of a service, as the job queue takes them.
pub fn reminder_plan(reminders: &[ReminderJson]) -> Vec<crate::jobs::email::Reminder<'_>> {
    reminders
        .iter()
        .map(|r| crate::jobs::email::Reminder {
            before: r.seconds(),
            to_customer: r.to_customer(),
            to_staff: r.to_staff(),
            message: &r.message,
        })
        .collect()
}

/// Graph's hours read in `zone`, every time checked.
pub fn week(hours: &[WorkHoursJson], zone: &str) -> Result<Week, Invalid> {
    let zone = app::tz::parse_zone(zone)?;
    let mut out = Vec::new();
    for h in hours {
        let mut time_slots = Vec::new();
        for s in &h.time_slots {
            let read =
                |t: &str| booking::parse_time_of_day(t).ok_or_else(|| Invalid(format!("{t:?} is not a time of day such as 09:00:00")));
            time_slots.push(TimeSlot {
                start: read(&s.start_time)?,
                end: read(&s.end_time)?,
            });
        }
        out.push(WorkHours { day: h.day, time_slots });
    }
    Ok(Week { hours: out, zone })
}

/// A time of day as Graph writes it.
pub fn graph_time(t: jiff::civil::Time) -> String {
    t.strftime("%H:%M:%S.0000000").to_string()
}

#[derive(Clone, Debug)]
pub struct Business {
    pub id: String,
    pub organization_id: String,
    pub slug: String,
    pub display_name: String,
    pub time_zone: String,
    pub business_hours: Vec<WorkHoursJson>,
    pub policy: Policy,
    pub allow_staff_selection: bool,
    pub is_published: bool,
    /// The Microsoft Bookings business it was imported from, if any.
    pub bookings_business_id: Option<String>,
    pub branding: Branding,
}

/// How a business's booking page looks, and the currency its prices are in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Branding {
    /// An https address of its logo.
    pub logo_url: Option<String>,
    /// `#rrggbb`, dark enough for white text.
    pub brand_color: Option<String>,
    /// ISO 4217, such as USD.
    pub currency: String,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub id: String,
    pub business_id: String,
    pub display_name: String,
    pub duration: i64,
    pub pre_buffer: i64,
    pub post_buffer: i64,
    pub maximum_attendees: i64,
    pub is_location_online: bool,
    pub staff_member_ids: Vec<String>,
    pub service_hours: Option<Vec<WorkHoursJson>>,
    pub reminders: Vec<ReminderJson>,
    /// Graph's `defaultPrice` and `defaultPriceType` (fixedPrice, startingAt, hourly, free,
    /// priceVaries, callUs, notSet).
    pub price: Option<f64>,
    pub price_type: String,
    /// The business's questions it asks (Graph's `customQuestions`).
    pub questions: Vec<QuestionAssignment>,
}

/// A question a business can ask with its services (Graph's `bookingCustomQuestion`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub business_id: String,
    pub display_name: String,
    /// text or radioButton.
    pub answer_input_type: String,
    /// The choices of a radioButton question.
    pub answer_options: Vec<String>,
}

/// A question a service asks (Graph's `bookingQuestionAssignment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionAssignment {
    pub question_id: String,
    #[serde(default)]
    pub is_required: bool,
}

/// A customer's answer, as kept with the appointment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub question_id: String,
    /// The question as it was asked.
    #[serde(default)]
    pub question: String,
    pub answer: String,
}

/// A customer brought over from Microsoft Bookings (Graph's `bookingCustomer`), one per email
/// address in a business.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedCustomer {
    /// Their Bookings id.
    pub id: String,
    pub business_id: String,
    pub display_name: String,
    /// In lower case.
    pub email: String,
    pub phone: Option<String>,
}

impl Service {
    /// A service `id` of `business_id` before anything is applied to it: one seat, online, no
    /// length yet.
    pub fn blank(id: String, business_id: String) -> Service {
        Service {
            id,
            business_id,
            display_name: String::new(),
            duration: 0,
            pre_buffer: 0,
            post_buffer: 0,
            maximum_attendees: 1,
            is_location_online: true,
            staff_member_ids: Vec::new(),
            service_hours: None,
            reminders: Vec::new(),
            price: None,
            price_type: "notSet".into(),
            questions: Vec::new(),
        }
    }

    /// The price as the booking page says it, in `currency`; `None` when there is nothing to say.
    pub fn price_label(&self, currency: &str) -> Option<String> {
        let amount = self.price.map(|p| format!("{currency} {p:.2}"));
        match (self.price_type.as_str(), amount) {
            ("free", _) => Some("Free".into()),
            ("priceVaries", _) => Some("Price varies".into()),
            ("callUs", _) => Some("Call us for the price".into()),
            ("fixedPrice", Some(a)) => Some(a),
            ("startingAt", Some(a)) => Some(format!("from {a}")),
            ("hourly", Some(a)) => Some(format!("{a} per hour")),
            _ => None,
        }
    }

    /// The engine's rules for this service, its own hours read in the business's zone.
    pub fn rules(&self, business: &Business) -> Result<ServiceRules, Invalid> {
        Ok(ServiceRules {
            id: self.id.clone(),
            duration: self.duration,
            pre_buffer: self.pre_buffer,
            post_buffer: self.post_buffer,
            maximum_attendees: self.maximum_attendees,
            hours: match &self.service_hours {
                Some(h) => Some(week(h, &business.time_zone)?),
                None => None,
            },
        })
    }
}

#[derive(Clone, Debug)]
pub struct Staff {
    pub id: String,
    pub business_id: String,
    pub display_name: String,
    pub email_address: String,
    pub time_zone: String,
    pub use_business_hours: bool,
    pub working_hours: Vec<WorkHoursJson>,
}

impl Staff {
    /// The hours this staff member works: their own in their own zone, or the business's.
    pub fn week(&self, business: &Business) -> Result<Week, Invalid> {
        if self.use_business_hours {
            week(&business.business_hours, &business.time_zone)
        } else {
            week(&self.working_hours, &self.time_zone)
        }
    }
}
