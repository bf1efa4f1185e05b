//! The SQL adapter of the organizer's event commands ([`EventWriter`] on `WriteTx`): writing an
//! event's questions and presenters, and the other changes organizers make.

use super::super::input::PresenterRecord;
use super::super::storage::EventWriter;
use super::super::NewEvent;
use crate::store::WriteTx;
use app::domain::{EventStatus, PredefinedLabel, Question, RegistrationStatus};

impl EventWriter for WriteTx {
    async fn write_presenters(&mut self, event_id: &str, presenters: &[PresenterRecord]) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM presenters WHERE event_id = $1")
            .bind(event_id)
            .execute(&mut *self.tx)
            .await?;
        for (position, p) in presenters.iter().enumerate() {
            sqlx::query(
                "INSERT INTO presenters (id, event_id, position, name, email, bio, company, job_title, photo_url, linkedin_url, website_url, x_url) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(event_id)
            .bind(position as i64)
            .bind(&p.presenter.name)
            .bind(&p.email)
            .bind(&p.presenter.bio)
            .bind(&p.presenter.company)
            .bind(&p.presenter.job_title)
            .bind(&p.photo_url)
            .bind(&p.linkedin_url)
            .bind(&p.website_url)
            .bind(&p.x_url)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn write_questions(&mut self, event_id: &str, questions: &[(Question, Option<PredefinedLabel>)]) -> Result<(), sqlx::Error> {
        // Keep the ids of questions that stay, so answers already given still line up.
        let existing: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, label, answer_input_type FROM questions WHERE event_id = $1")
                .bind(event_id)
                .fetch_all(&mut *self.tx)
                .await?;
        sqlx::query("DELETE FROM questions WHERE event_id = $1")
            .bind(event_id)
            .execute(&mut *self.tx)
            .await?;
        for (position, (q, predefined)) in questions.iter().enumerate() {
            let id = existing
                .iter()
                .find(|(_, label, input)| *label == q.label && input == q.answer_input_type.as_str())
                .map(|(id, _, _)| id.clone())
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            sqlx::query(
                "INSERT INTO questions (id, event_id, position, kind, predefined_label, label, answer_input_type, choices, is_required) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(event_id)
            .bind(position as i64)
            .bind(q.kind.as_str())
            .bind(predefined.map(|p| p.as_str()))
            .bind(&q.label)
            .bind(q.answer_input_type.as_str())
            .bind(serde_json::to_string(&q.choices).expect("choices serialise"))
            .bind(q.is_required as i64)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Makes `organizer_id` an organizer of the event.
    async fn add_organizer(&mut self, event_id: &str, organizer_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO event_organizers (event_id, organizer_id) VALUES ($1, $2)")
            .bind(event_id)
            .bind(organizer_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Whether Teams (rather than Atrium) emails the webinar's attendees their join links.
    async fn set_teams_emails(&mut self, event_id: &str, teams_emails: bool) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE events SET teams_emails = $2 WHERE id = $1")
            .bind(event_id)
            .bind(teams_emails as i64)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Minutes registrants have to confirm their email address; 0 turns confirmation off.
    async fn set_confirmation_minutes(&mut self, event_id: &str, minutes: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE events SET confirm_hold_minutes = $2 WHERE id = $1")
            .bind(event_id)
            .bind(minutes)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Writes the editable fields of an event.
    async fn update_fields(&mut self, event_id: &str, new: &NewEvent, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE events SET ics_sequence = ics_sequence + 1, slug = $2, title = $3, summary = $4, description = $5, kind = $6, start_at = $7, end_at = $8, time_zone = $9, \
             capacity = $10, waitlist_enabled = $11, manual_approval = $12, registration_opens_at = $13, registration_closes_at = $14, \
             join_url = $15, terms_url = $16, updated_at = $17 WHERE id = $1",
        )
        .bind(event_id)
        .bind(&new.slug)
        .bind(&new.title)
        .bind(&new.summary)
        .bind(&new.description)
        .bind(new.kind.as_str())
        .bind(new.start_at)
        .bind(new.end_at)
        .bind(&new.time_zone)
        .bind(new.capacity)
        .bind(new.waitlist_enabled as i64)
        .bind(new.manual_approval as i64)
        .bind(new.registration_opens_at)
        .bind(new.registration_closes_at)
        .bind(&new.join_url)
        .bind(&new.terms_url)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Links the event to a Teams webinar owned by `owner` (an organizer id, or "" for the
    /// organization's service account). A webinar already linked elsewhere is a unique violation.
    async fn link_webinar(&mut self, event_id: &str, webinar: &str, owner: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE events SET teams_webinar_id = $2, teams_owner = $3 WHERE id = $1")
            .bind(event_id)
            .bind(webinar)
            .bind(owner)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn unlink_webinar(&mut self, event_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE events SET teams_webinar_id = NULL WHERE id = $1")
            .bind(event_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Marks the event's Teams copy out of date; the worker sends the newest state once.
    async fn bump_teams_version(&mut self, event_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE events SET teams_version = teams_version + 1 WHERE id = $1")
            .bind(event_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Publishes a draft or cancels an event.
    async fn set_status(&mut self, event_id: &str, status: EventStatus, now: i64) -> Result<(), sqlx::Error> {
        let guard = match status {
            EventStatus::Published => " AND status = 'draft'",
            _ => "",
        };
        sqlx::query(&format!(
            "UPDATE events SET ics_sequence = ics_sequence + 1, status = $3, updated_at = $2 WHERE id = $1{guard}"
        ))
        .bind(event_id)
        .bind(now)
        .bind(status.as_str())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The organizer's own connected Microsoft 365 account, if they connected one.
    async fn personal_microsoft_account(&mut self, organizer_id: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT organizer_id FROM personal_microsoft_accounts WHERE organizer_id = $1")
            .bind(organizer_id)
            .fetch_optional(&mut *self.tx)
            .await
    }

    /// Who owns the event in Teams: an organizer id, or "" for the organization's service account.
    async fn set_teams_owner(&mut self, event_id: &str, owner: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE events SET teams_owner = $2 WHERE id = $1")
            .bind(event_id)
            .bind(owner)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn insert_event(&mut self, new: &NewEvent, now: i64) -> Result<String, sqlx::Error> {
        super::insert_in(self, new, now).await
    }

    async fn rearm_reminders(&mut self, event_id: &str, start_at: i64, now: i64) -> Result<(), sqlx::Error> {
        super::reminders::rearm(self, event_id, start_at, now).await
    }

    async fn registrants_with(&mut self, event_id: &str, statuses: &[RegistrationStatus]) -> Result<Vec<(String, String)>, sqlx::Error> {
        registrants_with(self, event_id, statuses).await
    }
}

/// The event's registrations in one of `statuses`: (id, email).
pub async fn registrants_with(
    tx: &mut WriteTx,
    event_id: &str,
    statuses: &[RegistrationStatus],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT id, email FROM registrations WHERE event_id = $1 AND status IN ({})",
        crate::store::placeholders(2, statuses.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(event_id);
    for s in statuses {
        q = q.bind(s.as_str());
    }
    q.fetch_all(&mut *tx.tx).await
}
