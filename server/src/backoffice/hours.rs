//! Weekly hours between the dashboard's editor (one stretch a day) and Graph's
//! `bookingWorkHours`, for a business's opening hours and a staff member's working hours alike.

use super::{form_value, Form};
use crate::appointments::model::{WorkHoursJson, WorkTimeSlotJson};
use app::dashboard::DayHours;

/// The hours as the editor shows them, or none when some day has more than one stretch (the
/// editor would lose them).
pub(super) fn editable(hours: &[WorkHoursJson]) -> Vec<DayHours> {
    if hours.iter().any(|h| h.time_slots.len() > 1) {
        return Vec::new();
    }
    let short = |t: &str| t.get(..5).unwrap_or(t).to_string();
    app::booking::Day::ALL
        .iter()
        .map(|day| {
            let slot = hours.iter().find(|h| h.day == *day).and_then(|h| h.time_slots.first());
            DayHours {
                day: day.name().to_string(),
                open: slot.is_some(),
                from: slot.map(|s| short(&s.start_time)).unwrap_or_else(|| "09:00".into()),
                until: slot.map(|s| short(&s.end_time)).unwrap_or_else(|| "17:00".into()),
            }
        })
        .collect()
}

/// The hours the editor posted: each day ticked open, from its times (checked by the setup
/// rules, which name the day at fault).
pub(super) fn from_form(form: &Form) -> Vec<WorkHoursJson> {
    app::booking::Day::ALL
        .iter()
        .filter(|day| !form_value(form, &format!("open.{}", day.name())).is_empty())
        .map(|day| WorkHoursJson {
            day: *day,
            time_slots: vec![WorkTimeSlotJson {
                start_time: format!("{}:00.0000000", form_value(form, &format!("from.{}", day.name()))),
                end_time: format!("{}:00.0000000", form_value(form, &format!("until.{}", day.name()))),
            }],
        })
        .collect()
}
