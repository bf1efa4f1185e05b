//! An organizer's decision on one registration (approve, decline, promote, cancel): checked
//! against its status and the free seats, applied with its emails, Teams work, the waitlist
//! moving up and an audit entry, all over [`OrganizerDecisions`] in one transaction.

use super::organizer::Decision;
use super::storage::OrganizerDecisions;
use crate::accounts::auth::Organizer;
use crate::events::{counter, promote_waitlisted, Counter, Event, ManageError};
use crate::jobs::email::{self, Mail};
use app::domain::RegistrationStatus;

/// Applies `decision` to the registration `registration_id` of `current` (an event of the
/// organizer's), and answers its new status. Approving or promoting needs a free seat.
pub(super) async fn apply(
    tx: &mut impl OrganizerDecisions,
    org: &Organizer,
    current: &Event,
    registration_id: &str,
    decision: Decision,
    now: i64,
) -> Result<RegistrationStatus, ManageError> {
    let locked = tx.lock_event(&current.id).await?;
    let reg = tx
        .registration(registration_id)
        .await?
        .filter(|r| r.event_id == current.id)
        .ok_or(ManageError::NotFound)?;
    let from = reg.status;
    let (to, mail) = match decision {
        Decision::Approve if from == RegistrationStatus::PendingApproval => (RegistrationStatus::Registered, Mail::Approved),
        Decision::Reject if from == RegistrationStatus::PendingApproval => (RegistrationStatus::RejectedByOrganizer, Mail::Rejected),
        Decision::Promote if from == RegistrationStatus::Waitlisted => (RegistrationStatus::Registered, Mail::Promoted),
        Decision::Cancel if from.can_become(RegistrationStatus::Canceled) => (RegistrationStatus::Canceled, Mail::Canceled),
        _ => {
            return Err(ManageError::Conflict(format!(
                "A registration that is {} can't be changed that way.",
                from.as_str()
            )))
        }
    };
    if to == RegistrationStatus::Registered && locked.capacity.is_some_and(|c| locked.registered_count + locked.held_count >= c) {
        return Err(ManageError::Conflict("There is no free seat. Raise the capacity first.".into()));
    }
    tx.set_status(registration_id, to, now).await?;
    let freed = counter(from, reg.confirm_as);
    tx.shift_counts(&current.id, freed, counter(to, None), now).await?;
    // An address never confirmed gets no email.
    if from != RegistrationStatus::Unconfirmed {
        email::enqueue(tx, mail, registration_id, &reg.email, None).await?;
    }
    let in_webinar = locked.teams_webinar_id.is_some();
    if to == RegistrationStatus::Registered {
        crate::jobs::teams::register(tx, in_webinar, &current.id, registration_id).await?;
    }
    if from == RegistrationStatus::Registered && to == RegistrationStatus::Canceled {
        crate::jobs::teams::unregister(tx, in_webinar, &current.id, registration_id).await?;
    }
    if matches!(freed, Some(Counter::Registered | Counter::Held)) {
        promote_waitlisted(tx, &current.id, now).await?;
    }
    let action = match decision {
        Decision::Approve => "registration.approved",
        Decision::Reject => "registration.rejected",
        Decision::Promote => "registration.promoted",
        Decision::Cancel => "registration.canceled",
    };
    tx.add_entry(&org.organization_id, &org.email, action, &current.slug, now).await?;
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::auth::sample_organizer as organizer;
    use crate::registrations::fake::{event, labels, tables, Tables, NOW};
    use RegistrationStatus::{Canceled, PendingApproval, Registered, RejectedByOrganizer, Waitlisted};

    async fn decide(t: &mut Tables, id: &str, decision: Decision) -> Result<RegistrationStatus, ManageError> {
        let current = t.events["e1"].clone();
        apply(t, &organizer(), &current, id, decision, NOW).await
    }

    fn counts(t: &Tables) -> (i64, i64, i64) {
        let e = &t.events["e1"];
        (e.registered_count, e.waitlisted_count, e.pending_count)
    }

    #[tokio::test]
    async fn approving_takes_a_free_seat_emails_and_is_in_the_audit_trail() {
        let mut t = tables([event("e1", Some(2), true)]);
        t.add("e1", "p1", PendingApproval, None);
        assert_eq!(decide(&mut t, "p1", Decision::Approve).await.unwrap(), Registered);
        assert_eq!(counts(&t), (1, 0, 0));
        assert_eq!(labels(&t), ["approved"]);
        let entry = &t.audit[0];
        assert_eq!(
            (entry.0.as_str(), entry.1.as_str(), entry.2.as_str(), entry.3.as_str()),
            ("org1", "ada@contoso.example", "registration.approved", "e1-launch")
        );
    }

    #[tokio::test]
    async fn without_a_free_seat_approving_or_promoting_is_a_conflict_and_changes_nothing() {
        let mut t = tables([event("e1", Some(1), true)]);
        t.add("e1", "r1", Registered, None);
        t.add("e1", "p1", PendingApproval, None);
        t.add("e1", "w1", Waitlisted, None);
        for (id, decision) in [("p1", Decision::Approve), ("w1", Decision::Promote)] {
            assert!(matches!(decide(&mut t, id, decision).await, Err(ManageError::Conflict(m)) if m.contains("no free seat")));
        }
        assert_eq!((counts(&t), labels(&t).len(), t.audit.len()), ((1, 1, 1), 0, 0));
        // Declining needs no seat.
        assert_eq!(decide(&mut t, "p1", Decision::Reject).await.unwrap(), RejectedByOrganizer);
        assert_eq!((counts(&t), labels(&t)), ((1, 1, 0), vec!["rejected"]));
    }

    #[tokio::test]
    async fn a_decision_that_does_not_fit_the_status_is_a_conflict() {
        let mut t = tables([event("e1", Some(5), true)]);
        t.add("e1", "r1", Registered, None);
        for decision in [Decision::Approve, Decision::Reject, Decision::Promote] {
            assert!(matches!(decide(&mut t, "r1", decision).await, Err(ManageError::Conflict(_))));
        }
        assert!(t.jobs.jobs.is_empty() && t.audit.is_empty());
    }

    #[tokio::test]
    async fn canceling_a_seat_moves_the_waitlist_up_and_tells_teams() {
        let mut e = event("e1", Some(1), true);
        e.teams_webinar_id = Some("w".into());
        let mut t = tables([e]);
        t.add("e1", "r1", Registered, None);
        t.add("e1", "w1", Waitlisted, None);
        assert_eq!(decide(&mut t, "r1", Decision::Cancel).await.unwrap(), Canceled);
        assert_eq!(t.row("w1").unwrap().0.status, Registered);
        use crate::jobs::teams::{TOPIC_REGISTER, TOPIC_UNREGISTER};
        assert_eq!(labels(&t), ["canceled", TOPIC_UNREGISTER, "promoted", TOPIC_REGISTER]);
    }

    #[tokio::test]
    async fn another_events_registration_is_not_found() {
        let mut t = tables([event("e1", Some(5), true), event("e2", Some(5), true)]);
        t.add("e2", "x1", PendingApproval, None);
        assert!(matches!(decide(&mut t, "x1", Decision::Approve).await, Err(ManageError::NotFound)));
        assert_eq!(t.row("x1").unwrap().0.status, PendingApproval);
    }
}
