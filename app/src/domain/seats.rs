//! The rules of a seat: capacity, waitlist and approval decide admission; the window and the event's status decide whether registering is possible at all.

use super::*;

/// What an event's registration rules decide for a new registrant, given the seats taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Registered,
    Waitlisted,
    PendingApproval,
    /// Full with no waitlist: the registration is refused.
    Full,
}

/// The seat-related settings and counts of one event at the moment of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeatState {
    /// `None` means unlimited.
    pub capacity: Option<i64>,
    pub registered: i64,
    /// Seats held for people who have not confirmed their email address yet.
    pub held: i64,
    /// People already waiting; a newcomer never jumps ahead of them.
    pub waitlisted: i64,
    pub waitlist_enabled: bool,
    pub manual_approval: bool,
}

impl SeatState {
    pub fn seats_left(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.registered - self.held).max(0))
    }

    /// Decides what happens to one more registrant. Seats are only ever handed out while
    /// `registered + held < capacity`, and never ahead of people already on the waitlist.
    pub fn admit(&self) -> Admission {
        let has_seat = match self.capacity {
            None => true,
            Some(c) => self.registered + self.held < c && self.waitlisted == 0,
        };
        if has_seat {
            if self.manual_approval {
                Admission::PendingApproval
            } else {
                Admission::Registered
            }
        } else if self.waitlist_enabled {
            Admission::Waitlisted
        } else {
            Admission::Full
        }
    }

    /// Whether a seat freed by a cancellation can go to the first person on the waitlist.
    pub fn can_promote(&self) -> bool {
        self.waitlisted > 0 && self.capacity.is_none_or(|c| self.registered + self.held < c)
    }
}

/// Why a registration is refused before its details are even looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotPublished,
    Canceled,
    NotOpenYet { opens_at: i64 },
    Closed,
    Ended,
    Full,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::NotPublished => "This event is not open for registration.".into(),
            Refusal::Canceled => "This event has been canceled.".into(),
            Refusal::NotOpenYet { .. } => "Registration for this event has not opened yet.".into(),
            Refusal::Closed => "Registration for this event has closed.".into(),
            Refusal::Ended => "This event has already ended.".into(),
            Refusal::Full => "This event is full.".into(),
        }
    }
}

/// When registration is possible, in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrationWindow {
    pub status: EventStatus,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub ends_at: i64,
}

impl RegistrationWindow {
    pub fn check(&self, now: i64) -> Result<(), Refusal> {
        match self.status {
            EventStatus::Draft => return Err(Refusal::NotPublished),
            EventStatus::Canceled => return Err(Refusal::Canceled),
            EventStatus::Published => {}
        }
        if now >= self.ends_at {
            return Err(Refusal::Ended);
        }
        if let Some(opens_at) = self.opens_at {
            if now < opens_at {
                return Err(Refusal::NotOpenYet { opens_at });
            }
        }
        if let Some(closes_at) = self.closes_at {
            if now >= closes_at {
                return Err(Refusal::Closed);
            }
        }
        Ok(())
    }
}
