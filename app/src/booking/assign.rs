//! "Anyone available": which free staff member gets an appointment booked without a choice.

use super::model::StaffRules;

/// The free staff member with the fewest appointments on the appointment's day (the day
/// `day` gives each appointment's start, in the business's zone); ties go to the first by
/// display name, then by id, so the choice is the same on every instance.
pub fn pick_staff<'a>(free: &[&'a StaffRules], start: i64, day: impl Fn(i64) -> jiff::civil::Date) -> Option<&'a StaffRules> {
    let today = day(start);
    free.iter().copied().min_by(|a, b| {
        let count = |s: &StaffRules| s.appointments.iter().filter(|x| day(x.start) == today).count();
        count(a)
            .cmp(&count(b))
            .then_with(|| a.display_name.cmp(&b.display_name))
            .then_with(|| a.id.cmp(&b.id))
    })
}
