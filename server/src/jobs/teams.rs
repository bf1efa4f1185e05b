//! Work for Microsoft Teams, queued by the features that cause it and done by the Microsoft
//! worker: a registration to add or cancel in a webinar, a webinar or meeting to create,
//! update or cancel, an appointment's meeting to make, move or remove, an appointment to keep in
//! Microsoft Bookings.

use super::{JobWriter, NewJob};
use serde::{Deserialize, Serialize};

pub const TOPIC_REGISTER: &str = "graph.register";
pub const TOPIC_UNREGISTER: &str = "graph.unregister";
pub const TOPIC_WEBINAR: &str = "graph.webinar";
pub const TOPIC_WEBINAR_CANCEL: &str = "graph.webinar.cancel";
pub const TOPIC_UPDATE: &str = "graph.update";
pub const TOPIC_APPOINTMENT: &str = "graph.appointment";
pub const TOPIC_BOOKINGS: &str = "graph.bookings";

/// A registration to take to (or cancel in) the event's Teams webinar.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterJob {
    pub registration_id: String,
}

/// A step for a whole event in Teams.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventJob {
    pub event_id: String,
}

/// Queues a Teams job about the event `event_id` (and the registration, for a registration's job).
async fn queue(
    tx: &mut impl JobWriter,
    topic: &str,
    payload: &impl Serialize,
    event_id: &str,
    registration_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    tx.queue(NewJob {
        topic,
        payload: serde_json::to_string(payload).expect("a Teams job serialises"),
        registration_id,
        event_id: Some(event_id),
        label: Some(topic),
        ..NewJob::default()
    })
    .await
}

/// Queues a confirmed registration of the event `event_id` for Teams, when the event is linked
/// to a webinar.
pub async fn register(tx: &mut impl JobWriter, in_webinar: bool, event_id: &str, registration_id: &str) -> Result<(), sqlx::Error> {
    if !in_webinar {
        return Ok(());
    }
    let job = RegisterJob {
        registration_id: registration_id.to_string(),
    };
    queue(tx, TOPIC_REGISTER, &job, event_id, Some(registration_id)).await
}

/// Queues canceling a registration of the event `event_id` in Teams, when the event is linked
/// to a webinar.
pub async fn unregister(tx: &mut impl JobWriter, in_webinar: bool, event_id: &str, registration_id: &str) -> Result<(), sqlx::Error> {
    if !in_webinar {
        return Ok(());
    }
    let job = RegisterJob {
        registration_id: registration_id.to_string(),
    };
    queue(tx, TOPIC_UNREGISTER, &job, event_id, Some(registration_id)).await
}

/// Queues creating and publishing the event's webinar (or meeting) in Teams.
pub async fn create_event(tx: &mut impl JobWriter, event_id: &str) -> Result<(), sqlx::Error> {
    queue(tx, TOPIC_WEBINAR, &EventJob { event_id: event_id.into() }, event_id, None).await
}

/// Queues bringing the event in Teams up to date (the worker sends the newest state once,
/// however many updates were queued).
pub async fn update_event(tx: &mut impl JobWriter, event_id: &str) -> Result<(), sqlx::Error> {
    queue(tx, TOPIC_UPDATE, &EventJob { event_id: event_id.into() }, event_id, None).await
}

/// Queues canceling the event's webinar (or removing its meeting) in Teams.
pub async fn cancel_event(tx: &mut impl JobWriter, event_id: &str) -> Result<(), sqlx::Error> {
    queue(tx, TOPIC_WEBINAR_CANCEL, &EventJob { event_id: event_id.into() }, event_id, None).await
}

/// An appointment whose Teams meeting is to match it (made, moved or removed).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentJob {
    pub appointment_id: String,
}

/// Queues bringing the appointment's Teams meeting in line with the appointment as it will be
/// when the job runs: the worker reads the appointment then, so one job per change is enough
/// and a repeated one changes nothing.
pub async fn appointment(tx: &mut impl JobWriter, appointment_id: &str) -> Result<(), sqlx::Error> {
    appointment_job(tx, TOPIC_APPOINTMENT, appointment_id).await
}

/// Queues bringing the appointment in Microsoft Bookings in line with Atrium's (made, moved or
/// canceled there), for a business imported from Bookings; read when the job runs, like
/// [`appointment`].
pub async fn bookings_appointment(tx: &mut impl JobWriter, appointment_id: &str) -> Result<(), sqlx::Error> {
    appointment_job(tx, TOPIC_BOOKINGS, appointment_id).await
}

async fn appointment_job(tx: &mut impl JobWriter, topic: &str, appointment_id: &str) -> Result<(), sqlx::Error> {
    let job = AppointmentJob {
        appointment_id: appointment_id.into(),
    };
    tx.queue(NewJob {
        topic,
        payload: serde_json::to_string(&job).expect("a Teams job serialises"),
        label: Some(topic),
        ..NewJob::default()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::fake::ListJobs;

    #[tokio::test]
    async fn a_registration_goes_to_teams_only_for_an_event_linked_to_a_webinar() {
        let mut jobs = ListJobs::default();
        register(&mut jobs, false, "e1", "r1").await.unwrap();
        unregister(&mut jobs, false, "e1", "r1").await.unwrap();
        assert!(jobs.jobs.is_empty());
        register(&mut jobs, true, "e1", "r1").await.unwrap();
        unregister(&mut jobs, true, "e1", "r1").await.unwrap();
        let topics: Vec<_> = jobs
            .jobs
            .iter()
            .map(|j| (j.topic.as_str(), j.event_id.as_deref(), j.registration_id.as_deref()))
            .collect();
        assert_eq!(
            topics,
            [(TOPIC_REGISTER, Some("e1"), Some("r1")), (TOPIC_UNREGISTER, Some("e1"), Some("r1"))]
        );
    }

    #[tokio::test]
    async fn an_appointments_jobs_name_only_the_appointment() {
        let mut jobs = ListJobs::default();
        appointment(&mut jobs, "a1").await.unwrap();
        bookings_appointment(&mut jobs, "a1").await.unwrap();
        assert_eq!(jobs.jobs[0].topic, TOPIC_APPOINTMENT);
        assert_eq!(jobs.jobs[1].topic, TOPIC_BOOKINGS);
        for job in &jobs.jobs {
            assert_eq!(job.payload, serde_json::json!({ "appointmentId": "a1" }));
            assert_eq!((job.recipient.as_str(), job.event_id.as_deref()), ("", None));
        }
    }
}
