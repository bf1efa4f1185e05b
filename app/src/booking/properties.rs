//! Properties of the slot engine over random calendars: every offered slot keeps every rule,
//! and a write's check agrees with the offer.

use super::tests::{at, consultation, local, staff, weekdays, NY};
use super::*;
use jiff::civil::date;
use proptest::prelude::*;

/// Appointments (day, quarter of the day, length and post-buffer in quarters), time off
/// (quarter of the week, length), now, lead time, service length and buffers (in quarters).
type RandomCalendar = (Vec<(i64, i64, i64, i64)>, Vec<(i64, i64)>, i64, i64, i64, i64);

fn calendar() -> impl Strategy<Value = RandomCalendar> {
    (
        // appointments: day offset (0..5), minute of day, length in quarter hours, post-buffer quarters
        prop::collection::vec((0i64..5, 0i64..(24 * 4), 1i64..8, 0i64..3), 0..25),
        // time off: minute-of-week start, length in quarter hours
        prop::collection::vec((0i64..(5 * 24 * 4), 1i64..16), 0..4),
        0i64..(3 * 24 * 4), // now, in quarter hours from the Monday
        0i64..(48 * 4),     // lead time in quarter hours
        1i64..6,            // service length in quarter hours
        0i64..3,            // service buffers in quarter hours
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn every_offered_slot_keeps_every_rule((booked, off, now_q, lead_q, len_q, buf_q) in calendar()) {
        let monday = at(date(2026, 10, 19), 0, 0, NY); // a week before Berlin's change and with New York's soon after
        let q = 900;
        let mut service = consultation();
        service.duration = len_q * q;
        service.pre_buffer = buf_q * q;
        service.post_buffer = buf_q * q;
        let mut ada = staff("ada", weekdays((9, 0), (17, 0), NY));
        for (d, m, l, p) in &booked {
            let start = monday + d * 86_400 + m * q;
            ada.appointments.push(Booked { service_id: "other".into(), start, end: start + l * q, pre_buffer: 0, post_buffer: p * q, attendees: 1 });
        }
        for (m, l) in &off {
            ada.busy.push(Span::new(monday + m * q, monday + (m + l) * q));
        }
        let policy = Policy { interval: q, minimum_lead_time: lead_q * q, maximum_advance: 4 * 86_400 };
        let now = monday + now_q * q;
        let found = slots(&SlotQuery { policy, service: &service, staff: std::slice::from_ref(&ada), now, from: monday, to: monday + 7 * 86_400 });
        let windows = working_windows(&ada.week, monday - 86_400, monday + 8 * 86_400);
        prop_assert!(found.windows(2).all(|w| w[0].start < w[1].start));
        for s in &found {
            prop_assert!(s.start >= now + policy.minimum_lead_time, "inside the lead time");
            prop_assert!(s.start <= now + policy.maximum_advance, "past the maximum advance");
            prop_assert!(windows.iter().any(|w| w.start <= s.start && s.end <= w.end), "outside the hours");
            prop_assert!(windows.iter().any(|w| (s.start - w.start) % q == 0 && w.start <= s.start), "off the grid");
            let blocked = Span::new(s.start - service.pre_buffer, s.end + service.post_buffer);
            for b in &ada.appointments {
                prop_assert!(!b.blocked().overlaps(&blocked), "overlaps an appointment or its buffers");
            }
            for t in &ada.busy {
                prop_assert!(!t.overlaps(&blocked), "overlaps time off");
            }
        }
        // A write checks exactly what the picker offers.
        let offered: std::collections::BTreeSet<i64> = found.iter().map(|s| s.start).collect();
        let mut t = monday;
        while t < monday + 5 * 86_400 {
            prop_assert_eq!(check_slot(policy, &service, std::slice::from_ref(&ada), now, t).is_ok(), offered.contains(&t), "at {}", local(t, NY));
            t += q;
        }
    }
}
