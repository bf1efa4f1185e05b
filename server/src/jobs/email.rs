//! Emails waiting to be sent: which message, to whom, about which registration or appointment.

use crate::store::WriteTx;
use serde::{Deserialize, Serialize};

pub const TOPIC: &str = "email";

/// Which email to send about a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mail {
    Confirmation,
    Waitlisted,
    PendingApproval,
    Promoted,
    Canceled,
    /// The registration's details again, for someone who registered twice.
    Details,
    /// The organizer approved a pending registration.
    Approved,
    /// The organizer declined a pending registration.
    Rejected,
    /// The organizer canceled the whole event, with their message.
    EventCanceled,
    /// A message from the organizer to registrants.
    Announcement,
    /// A scheduled reminder before the event starts.
    Reminder,
    /// Asks the person to confirm their email address before their place is theirs.
    ConfirmAddress,
}

impl Mail {
    /// The name shown in the email log (`confirmation`, `eventCanceled` …).
    pub fn label(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// A queued email.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailJob {
    pub mail: Mail,
    pub registration_id: String,
    /// The waitlist position when the message was written, as the email should state it.
    #[serde(default)]
    pub waitlist_position: Option<i64>,
    /// The organizer's own words, for cancellations and announcements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

async fn insert(tx: &mut WriteTx, job: &EmailJob, recipient: &str) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_string(job).expect("an email job serialises");
    let about = super::store::About {
        registration_id: Some(&job.registration_id),
        event_id: None,
    };
    super::store::insert(tx, TOPIC, &payload, recipient, about, Some(&job.mail.label())).await
}

/// Queues an email about a registration, inside the caller's transaction.
pub async fn enqueue(
    tx: &mut WriteTx,
    mail: Mail,
    registration_id: &str,
    recipient: &str,
    waitlist_position: Option<i64>,
) -> Result<(), sqlx::Error> {
    let job = EmailJob {
        mail,
        registration_id: registration_id.to_string(),
        waitlist_position,
        message: None,
    };
    insert(tx, &job, recipient).await
}

/// Queues one email to every registration in `recipients` (id, email), with the organizer's
/// own words when there are some.
pub async fn enqueue_many(tx: &mut WriteTx, mail: Mail, recipients: &[(String, String)], message: Option<&str>) -> Result<(), sqlx::Error> {
    for (registration_id, email) in recipients {
        let job = EmailJob {
            mail,
            registration_id: registration_id.clone(),
            waitlist_position: None,
            message: message.map(str::to_string),
        };
        insert(tx, &job, email).await?;
    }
    Ok(())
}

/// Emails about appointments go through their own topic: they are about an appointment, not a
/// registration.
pub const APPOINTMENT_TOPIC: &str = "appointment_email";

/// Which email to send about an appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AppointmentMail {
    Booked,
    Rescheduled,
    Canceled,
    /// Sent ahead of the appointment, as the service's reminders say.
    Reminder,
}

/// A queued email about an appointment, to its customer or to one of its staff members.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentEmailJob {
    pub mail: AppointmentMail,
    pub appointment_id: String,
    /// The staff member it goes to; the customer when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    /// A reminder's: the start it reminds of (a moved appointment's old reminders are not sent)
    /// and the service's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Queues an email about an appointment to each of `recipients` (the staff member's id, or
/// none for the customer, and the address), inside the caller's transaction.
pub async fn enqueue_appointment(
    tx: &mut WriteTx,
    mail: AppointmentMail,
    appointment_id: &str,
    recipients: &[(Option<&str>, &str)],
) -> Result<(), sqlx::Error> {
    let label = format!(
        "appointment{}",
        match mail {
            AppointmentMail::Booked => "Booked",
            AppointmentMail::Rescheduled => "Rescheduled",
            AppointmentMail::Canceled => "Canceled",
            AppointmentMail::Reminder => "Reminder",
        }
    );
    for (staff_id, address) in recipients {
        let job = AppointmentEmailJob {
            mail,
            appointment_id: appointment_id.to_string(),
            staff_id: staff_id.map(str::to_string),
            start: None,
            message: None,
        };
        let payload = serde_json::to_string(&job).expect("an email job serialises");
        let about = super::store::About {
            registration_id: None,
            event_id: None,
        };
        super::store::insert(tx, APPOINTMENT_TOPIC, &payload, address, about, Some(&label)).await?;
    }
    Ok(())
}

/// A reminder to send `before` seconds ahead of an appointment, to whom, with what words.
pub struct Reminder<'a> {
    pub before: i64,
    pub to_customer: bool,
    pub to_staff: bool,
    pub message: &'a str,
}

/// Queues the reminders of an appointment starting at `start` (Unix seconds), each due its
/// offset before: to the customer (`recipients[0]`, with no staff id) and the staff, as each
/// reminder says. Reminders already due are not queued. The worker sends one only if the
/// appointment is still booked for that start, so moving or canceling needs no clean-up.
pub async fn enqueue_reminders(
    tx: &mut WriteTx,
    appointment_id: &str,
    start: i64,
    reminders: &[Reminder<'_>],
    recipients: &[(Option<&str>, &str)],
) -> Result<(), sqlx::Error> {
    let now = tx.now_ms();
    for reminder in reminders {
        let due = (start - reminder.before) * 1000;
        if due <= now {
            continue;
        }
        for (staff_id, address) in recipients {
            if (staff_id.is_none() && !reminder.to_customer) || (staff_id.is_some() && !reminder.to_staff) {
                continue;
            }
            let job = AppointmentEmailJob {
                mail: AppointmentMail::Reminder,
                appointment_id: appointment_id.to_string(),
                staff_id: staff_id.map(str::to_string),
                start: Some(start),
                message: Some(reminder.message.to_string()).filter(|m| !m.trim().is_empty()),
            };
            let payload = serde_json::to_string(&job).expect("an email job serialises");
            let about = super::store::About {
                registration_id: None,
                event_id: None,
            };
            super::store::insert_due(tx, APPOINTMENT_TOPIC, &payload, address, about, Some("appointmentReminder"), due).await?;
        }
    }
    Ok(())
}
