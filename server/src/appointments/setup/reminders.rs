//! A service's reminders (Graph's `bookingReminder`) as organizers give them: how many, how
//! long before, to whom, and how long their words may be.

use crate::appointments::model::ReminderJson;
use app::booking::parse_duration;

const MAX_REMINDERS: usize = 5;
const MAX_REMINDER_MESSAGE: usize = 1000;

pub(super) fn check_reminders(reminders: &[ReminderJson]) -> Result<(), String> {
    if reminders.len() > MAX_REMINDERS {
        return Err(format!("Give at most {MAX_REMINDERS} reminders."));
    }
    for r in reminders {
        match parse_duration(&r.offset) {
            Ok(s) if (300..=30 * 86_400).contains(&s) => {}
            Ok(_) => return Err("Send reminders from 5 minutes (PT5M) to 30 days (P30D) before.".into()),
            Err(e) => return Err(e.to_string()),
        }
        if !matches!(r.recipients.as_str(), "allAttendees" | "staff" | "customer") {
            return Err(format!("{:?} is not allAttendees, staff or customer.", r.recipients));
        }
        if r.message.chars().count() > MAX_REMINDER_MESSAGE {
            return Err(format!("Keep a reminder's message to {MAX_REMINDER_MESSAGE} characters."));
        }
    }
    Ok(())
}
