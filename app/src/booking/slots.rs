//! The slot engine: the start times a service can be booked at, and who is free at each.
//!
//! Rules, all checked in absolute time (so a daylight-saving change neither invents a start
//! time nor offers one twice):
//! - an appointment lies inside its staff member's working hours (their own, read in their own
//!   zone, or the business's), and inside the service's own hours when it has them;
//! - start times step by the policy's interval from the start of each stretch of working time;
//! - none starts sooner than the minimum lead time from now, or later than the maximum advance;
//! - the time an appointment blocks (itself and its buffers) overlaps no other appointment's
//!   blocked time, no time off and no busy time of that staff member; a group service's
//!   appointment may be joined at its own start time while it has seats left.

use super::hours::{intersect, merge, working_windows};
use super::model::{Booked, Policy, ServiceRules, Span, StaffRules};

/// What the engine is asked: one service, the staff members who may give it, and the range of
/// start times `[from, to)` (the booker's dates, as instants).
pub struct SlotQuery<'a> {
    pub policy: Policy,
    pub service: &'a ServiceRules,
    pub staff: &'a [StaffRules],
    pub now: i64,
    pub from: i64,
    pub to: i64,
}

/// A bookable start time, and the staff members free then: their places in the query's staff,
/// in order (no strings are copied for the thousands of slots of a month).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub start: i64,
    pub end: i64,
    pub staff: Vec<u32>,
}

impl Slot {
    /// The ids of the staff members free at this time.
    pub fn staff_ids<'a>(&self, staff: &'a [StaffRules]) -> Vec<&'a str> {
        self.staff.iter().map(|&i| staff[i as usize].id.as_str()).collect()
    }
}

/// Why a start time cannot be booked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlotRefusal {
    #[error("This time is sooner than the business takes bookings.")]
    TooSoon,
    #[error("This time is further ahead than the business takes bookings.")]
    TooFarAhead,
    #[error("This time is not one the service is offered at.")]
    NotOffered,
    #[error("This time was just taken. Please choose another one.")]
    Taken,
}

/// One staff member's calendar, prepared for many questions.
struct Calendar<'a> {
    /// Blocked time that no appointment may touch, merged.
    busy: Vec<Span>,
    /// Appointments of this group service, which may be joined at their start while seats last.
    groups: Vec<&'a Booked>,
    /// Working time (within the service's own hours), merged.
    windows: Vec<Span>,
}

/// Working time that could hold an appointment of `service` starting in `[from, to)`.
fn windows_for(week: &super::model::Week, service: &ServiceRules, from: i64, to: i64) -> Vec<Span> {
    let (wide_from, wide_to) = (from - 86_400, to + service.duration + 86_400);
    let windows = working_windows(week, wide_from, wide_to);
    match &service.hours {
        Some(own) => intersect(&windows, &working_windows(own, wide_from, wide_to)),
        None => windows,
    }
}

impl<'a> Calendar<'a> {
    fn new(staff: &'a StaffRules, service: &ServiceRules, from: i64, to: i64) -> Self {
        Self::with_windows(staff, service, windows_for(&staff.week, service, from, to))
    }

    fn with_windows(staff: &'a StaffRules, service: &ServiceRules, windows: Vec<Span>) -> Self {
        let is_group = service.maximum_attendees > 1;
        let mut groups = Vec::new();
        let mut busy: Vec<Span> = staff.busy.clone();
        for b in &staff.appointments {
            if is_group && b.service_id == service.id {
                groups.push(b);
            } else {
                busy.push(b.blocked());
            }
        }
        groups.sort_by_key(|b| b.start);
        Calendar {
            busy: merge(busy),
            groups,
            windows,
        }
    }

    /// Whether an appointment of `service` at `start` fits around everything else.
    fn free(&self, service: &ServiceRules, start: i64) -> bool {
        let blocked = Span::new(start - service.pre_buffer, start + service.duration + service.post_buffer);
        // The first busy span that ends after this one starts decides.
        let i = self.busy.partition_point(|b| b.end <= blocked.start);
        if self.busy.get(i).is_some_and(|b| b.start < blocked.end) {
            return false;
        }
        let mut taken = 0;
        for g in &self.groups {
            if g.blocked().start >= blocked.end {
                break;
            }
            if g.blocked().overlaps(&blocked) {
                if g.start != start {
                    return false;
                }
                taken += g.attendees;
            }
        }
        taken < service.maximum_attendees.max(1)
    }

    /// Start times on this calendar's grid within `[from, to)`, in order.
    fn grid(&self, service: &ServiceRules, interval: i64, from: i64, to: i64) -> impl Iterator<Item = i64> + '_ {
        let duration = service.duration;
        self.windows.iter().flat_map(move |w| {
            // The first step of this window at or after `from`.
            let skip = if from > w.start {
                (from - w.start + interval - 1) / interval
            } else {
                0
            };
            let first = w.start + skip * interval;
            (0..)
                .map(move |k| first + k * interval)
                .take_while(move |s| s + duration <= w.end && *s < to)
        })
    }
}

/// The bookable start times in the query's range, sorted, each with the staff free then.
pub fn slots(q: &SlotQuery) -> Vec<Slot> {
    let interval = q.policy.interval.max(60);
    let from = q.from.max(q.now + q.policy.minimum_lead_time);
    let to = q.to.min(q.now + q.policy.maximum_advance + 1);
    if from >= to || q.service.duration <= 0 {
        return Vec::new();
    }
    // Staff on the same hours (most use the business's) share one reading of them: turning
    // hours into instants is the costly part.
    let mut weeks: Vec<(&super::model::Week, Vec<Span>)> = Vec::new();
    let mut free: Vec<(i64, u32)> = Vec::new();
    for (index, staff) in q.staff.iter().enumerate() {
        let windows = match weeks.iter().find(|(w, _)| w.zone == staff.week.zone && w.hours == staff.week.hours) {
            Some((_, windows)) => windows.clone(),
            None => {
                let windows = windows_for(&staff.week, q.service, from, to);
                weeks.push((&staff.week, windows.clone()));
                windows
            }
        };
        let calendar = Calendar::with_windows(staff, q.service, windows);
        free.extend(
            calendar
                .grid(q.service, interval, from, to)
                .filter(|start| calendar.free(q.service, *start))
                .map(|start| (start, index as u32)),
        );
    }
    // In time order, and for each time the staff in the query's order.
    free.sort_unstable();
    let mut out: Vec<Slot> = Vec::new();
    for (start, index) in free {
        match out.last_mut() {
            Some(last) if last.start == start => last.staff.push(index),
            _ => out.push(Slot {
                start,
                end: start + q.service.duration,
                staff: vec![index],
            }),
        }
    }
    out
}

/// Checks one start time before it is written: the staff members free then, or why none is.
/// The same rules as [`slots`], so a write can never take a time the picker would not offer.
pub fn check_slot(policy: Policy, service: &ServiceRules, staff: &[StaffRules], now: i64, start: i64) -> Result<Vec<String>, SlotRefusal> {
    if start < now + policy.minimum_lead_time {
        return Err(SlotRefusal::TooSoon);
    }
    if start > now + policy.maximum_advance {
        return Err(SlotRefusal::TooFarAhead);
    }
    let interval = policy.interval.max(60);
    let mut on_grid = false;
    let mut free = Vec::new();
    for s in staff {
        let calendar = Calendar::new(s, service, start, start + 1);
        if calendar.grid(service, interval, start, start + 1).any(|t| t == start) {
            on_grid = true;
            if calendar.free(service, start) {
                free.push(s.id.clone());
            }
        }
    }
    match (on_grid, free.is_empty()) {
        (false, _) => Err(SlotRefusal::NotOffered),
        (true, true) => Err(SlotRefusal::Taken),
        (true, false) => Ok(free),
    }
}
