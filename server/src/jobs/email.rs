//! Emails waiting to be sent: which message, to whom, about which registration or appointment.

use super::{JobWriter, NewJob};
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

async fn insert(tx: &mut impl JobWriter, job: &EmailJob, recipient: &str) -> Result<(), sqlx::Error> {
    let label = job.mail.label();
    tx.queue(NewJob {
        topic: TOPIC,
        payload: serde_json::to_string(job).expect("an email job serialises"),
        recipient,
        registration_id: Some(&job.registration_id),
        event_id: None,
        label: Some(&label),
    })
    .await
}

/// Queues an email about a registration, inside the caller's transaction.
pub async fn enqueue(
    tx: &mut impl JobWriter,
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
pub async fn enqueue_many(
    tx: &mut impl JobWriter,
    mail: Mail,
    recipients: &[(String, String)],
    message: Option<&str>,
) -> Result<(), sqlx::Error> {
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
    tx: &mut impl JobWriter,
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
        tx.queue(NewJob {
            topic: APPOINTMENT_TOPIC,
            payload: serde_json::to_string(&job).expect("an email job serialises"),
            recipient: address,
            label: Some(&label),
            ..NewJob::default()
        })
        .await?;
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
    tx: &mut impl JobWriter,
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
            let job = NewJob {
                topic: APPOINTMENT_TOPIC,
                payload: serde_json::to_string(&job).expect("an email job serialises"),
                recipient: address,
                label: Some("appointmentReminder"),
                ..NewJob::default()
            };
            tx.add_job(job, due).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::fake::ListJobs;

    #[tokio::test]
    async fn an_announcement_goes_to_each_registrant_with_the_organizers_words() {
        let mut jobs = ListJobs {
            now_ms: 7_000,
            ..ListJobs::default()
        };
        let to = [
            ("r1".to_string(), "ada@example.com".to_string()),
            ("r2".to_string(), "bo@example.com".to_string()),
        ];
        enqueue_many(&mut jobs, Mail::Announcement, &to, Some("Room 4 now")).await.unwrap();
        let sent: Vec<_> = jobs
            .jobs
            .iter()
            .map(|j| (j.recipient.as_str(), j.registration_id.as_deref(), j.due_ms))
            .collect();
        assert_eq!(
            sent,
            [("ada@example.com", Some("r1"), 7_000), ("bo@example.com", Some("r2"), 7_000)]
        );
        for job in &jobs.jobs {
            assert_eq!((job.topic.as_str(), job.label.as_deref()), (TOPIC, Some("announcement")));
            assert_eq!(job.payload["message"], "Room 4 now");
        }
    }

    #[tokio::test]
    async fn a_waitlisted_email_states_the_position_and_has_no_message() {
        let mut jobs = ListJobs::default();
        enqueue(&mut jobs, Mail::Waitlisted, "r9", "cy@example.com", Some(3)).await.unwrap();
        let job = &jobs.jobs[0];
        assert_eq!(job.payload["waitlistPosition"], 3);
        assert!(job.payload.get("message").is_none(), "{}", job.payload);
        assert_eq!(job.label.as_deref(), Some("waitlisted"));
    }

    #[tokio::test]
    async fn reminders_are_due_ahead_of_the_start_and_only_to_whom_they_are_for() {
        let start = 100_000; // seconds
        let mut jobs = ListJobs {
            now_ms: (start - 7_200) * 1000,
            ..ListJobs::default()
        };
        let reminders = [
            // Due a day ahead: already past, so not queued.
            Reminder {
                before: 86_400,
                to_customer: true,
                to_staff: true,
                message: "",
            },
            Reminder {
                before: 3_600,
                to_customer: true,
                to_staff: false,
                message: "Bring your ID",
            },
            Reminder {
                before: 600,
                to_customer: false,
                to_staff: true,
                message: " ",
            },
        ];
        let to = [(None, "cust@example.com"), (Some("s1"), "staff@example.com")];
        enqueue_reminders(&mut jobs, "a1", start, &reminders, &to).await.unwrap();
        let queued: Vec<_> = jobs.jobs.iter().map(|j| (j.recipient.as_str(), j.due_ms)).collect();
        assert_eq!(
            queued,
            [
                ("cust@example.com", (start - 3_600) * 1000),
                ("staff@example.com", (start - 600) * 1000)
            ]
        );
        assert_eq!(jobs.jobs[0].payload["message"], "Bring your ID");
        assert!(jobs.jobs[1].payload["message"].is_null(), "a blank message is left out");
        assert_eq!(jobs.jobs[1].payload["staffId"], "s1");
        assert!(jobs
            .jobs
            .iter()
            .all(|j| j.topic == APPOINTMENT_TOPIC && j.label.as_deref() == Some("appointmentReminder")));
    }
}
