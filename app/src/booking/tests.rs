//! The slot engine against hand-worked days, daylight-saving changes in America/New_York and
//! Europe/Berlin, and properties over random calendars.

use super::*;
use jiff::civil::{date, time, Date};
use jiff::tz::TimeZone;

pub(super) fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

pub(super) fn at(d: Date, hour: i8, minute: i8, z: &str) -> i64 {
    d.at(hour, minute, 0, 0).to_zoned(zone(z)).unwrap().timestamp().as_second()
}

pub(super) fn local(t: i64, z: &str) -> String {
    jiff::Timestamp::from_second(t)
        .unwrap()
        .to_zoned(zone(z))
        .strftime("%Y-%m-%d %H:%M %:z")
        .to_string()
}

/// Working hours `from`–`to` on `days`, in zone `z`.
fn week(days: &[Day], from: (i8, i8), to: (i8, i8), z: &str) -> Week {
    Week {
        hours: days
            .iter()
            .map(|&day| WorkHours {
                day,
                time_slots: vec![TimeSlot {
                    start: time(from.0, from.1, 0, 0),
                    end: time(to.0, to.1, 0, 0),
                }],
            })
            .collect(),
        zone: zone(z),
    }
}

pub(super) fn weekdays(from: (i8, i8), to: (i8, i8), z: &str) -> Week {
    week(&Day::ALL[..5], from, to, z)
}

pub(super) fn every_day(from: (i8, i8), to: (i8, i8), z: &str) -> Week {
    week(&Day::ALL, from, to, z)
}

pub(super) fn consultation() -> ServiceRules {
    ServiceRules {
        id: "consultation".into(),
        duration: 1800,
        pre_buffer: 0,
        post_buffer: 0,
        maximum_attendees: 1,
        hours: None,
    }
}

pub(super) fn staff(id: &str, week: Week) -> StaffRules {
    StaffRules {
        id: id.into(),
        display_name: id.into(),
        week,
        appointments: Vec::new(),
        busy: Vec::new(),
    }
}

const POLICY: Policy = Policy {
    interval: 900,
    minimum_lead_time: 0,
    maximum_advance: 400 * 86_400,
};

/// The slots of day `d` in zone `z`, asked the day before.
fn day_slots(service: &ServiceRules, staff: &[StaffRules], d: Date, z: &str) -> Vec<Slot> {
    slots(&SlotQuery {
        policy: POLICY,
        service,
        staff,
        now: at(d, 0, 0, z) - 86_400,
        from: at(d, 0, 0, z),
        to: at(d.tomorrow().unwrap(), 0, 0, z),
    })
}

pub(super) const NY: &str = "America/New_York";
const BERLIN: &str = "Europe/Berlin";

#[test]
fn a_working_day_is_offered_every_quarter_hour_inside_the_hours() {
    let ada = staff("ada", weekdays((9, 0), (17, 0), NY));
    let monday = date(2026, 12, 7);
    let people = [ada];
    let found = day_slots(&consultation(), &people, monday, NY);
    // 09:00 … 16:30: a 30-minute appointment must end by 17:00.
    assert_eq!(found.len(), 31);
    assert_eq!(local(found[0].start, NY), "2026-12-07 09:00 -05:00");
    assert_eq!(local(found[30].start, NY), "2026-12-07 16:30 -05:00");
    assert!(found.iter().all(|s| s.end - s.start == 1800 && s.staff_ids(&people) == ["ada"]));
    // Saturday: nothing.
    assert!(day_slots(
        &consultation(),
        &[staff("ada", weekdays((9, 0), (17, 0), NY))],
        date(2026, 12, 12),
        NY
    )
    .is_empty());
}

#[test]
fn an_appointment_and_its_buffers_block_the_times_around_it() {
    let monday = date(2026, 12, 7);
    let mut ada = staff("ada", weekdays((9, 0), (17, 0), NY));
    ada.appointments.push(Booked {
        service_id: "consultation".into(),
        start: at(monday, 10, 0, NY),
        end: at(monday, 10, 30, NY),
        pre_buffer: 0,
        post_buffer: 900,
        attendees: 1,
    });
    let mut service = consultation();
    service.pre_buffer = 900;
    let found: Vec<String> = day_slots(&service, &[ada], monday, NY)
        .iter()
        .map(|s| local(s.start, NY)[11..16].to_string())
        .collect();
    // Blocked: 10:00–10:45 (with its post-buffer). A new one needs 15 minutes before it too:
    // 09:15 ends 09:45 (+0) fine; 09:30 would end 10:00 — touching, fine; 09:45 overlaps.
    assert!(found.contains(&"09:30".to_string()));
    for taken in ["09:45", "10:00", "10:15", "10:30", "10:45"] {
        assert!(!found.contains(&taken.to_string()), "{taken} overlaps through buffers: {found:?}");
    }
    assert!(
        found.contains(&"11:00".to_string()),
        "11:00 starts its pre-buffer at 10:45: {found:?}"
    );
}

#[test]
fn lead_time_and_maximum_advance_bound_the_offer() {
    let monday = date(2026, 12, 7);
    let ada = staff("ada", weekdays((9, 0), (17, 0), NY));
    let policy = Policy {
        interval: 900,
        minimum_lead_time: 2 * 3600,
        maximum_advance: 3 * 86_400,
    };
    let now = at(monday, 8, 10, NY);
    let found = slots(&SlotQuery {
        policy,
        service: &consultation(),
        staff: std::slice::from_ref(&ada),
        now,
        from: at(monday, 0, 0, NY),
        to: at(date(2026, 12, 14), 0, 0, NY),
    });
    assert_eq!(local(found[0].start, NY), "2026-12-07 10:15 -05:00", "the first step after 10:10");
    assert!(found.iter().all(|s| s.start <= now + 3 * 86_400));
    // Now + 3 days is Thursday 08:10, before the hours: Wednesday's last slot is the last one.
    assert_eq!(
        local(found.last().unwrap().start, NY),
        "2026-12-09 16:30 -05:00",
        "stops at now + 3 days"
    );
}

/// Spans of a day in which every time of day is working time, so that daylight-saving changes
/// (which happen at night) fall inside the hours.
fn transition_day(z: &str, d: Date) -> (Vec<Slot>, Vec<String>) {
    let around = staff("night", every_day((0, 0), (0, 0), z));
    let mut service = consultation();
    service.duration = 900;
    let found = day_slots(&service, &[around], d, z);
    let labels = found.iter().map(|s| local(s.start, z)).collect();
    (found, labels)
}

fn assert_no_repeats_and_sorted(found: &[Slot]) {
    assert!(found.windows(2).all(|w| w[0].start < w[1].start), "strictly increasing instants");
}

#[test]
fn spring_forward_offers_no_time_that_does_not_exist() {
    for (z, d, gap) in [(NY, date(2026, 3, 8), "02:"), (BERLIN, date(2026, 3, 29), "02:")] {
        let (found, labels) = transition_day(z, d);
        assert_no_repeats_and_sorted(&found);
        assert_eq!(found.len(), 23 * 4, "{z}: a 23-hour day of quarter hours");
        assert!(!labels.iter().any(|l| l[11..].starts_with(gap)), "{z}: {labels:?}");
    }
}

#[test]
fn fall_back_offers_each_instant_once() {
    for (z, d) in [(NY, date(2026, 11, 1)), (BERLIN, date(2026, 10, 25))] {
        let (found, labels) = transition_day(z, d);
        assert_no_repeats_and_sorted(&found);
        assert_eq!(found.len(), 25 * 4, "{z}: a 25-hour day of quarter hours");
        // The repeated hour appears with both offsets, as two different times.
        let repeated: Vec<&String> = labels
            .iter()
            .filter(|l| l[11..].starts_with(if z == NY { "01:30" } else { "02:30" }))
            .collect();
        assert_eq!(repeated.len(), 2, "{z}: {repeated:?}");
        assert_ne!(repeated[0], repeated[1]);
    }
}

#[test]
fn a_booker_elsewhere_gets_their_own_dates_and_a_lead_time_ending_on_the_transition_day() {
    // Hours 09:00–17:00 every day in New York; the booker in Tokyo asks for "March 9" there,
    // which is March 8 19:00 … March 9 19:00 in New York (a 23-hour New York day between).
    let ny = staff("ny", every_day((9, 0), (17, 0), NY));
    let tokyo = "Asia/Tokyo";
    let now = at(date(2026, 3, 7), 12, 0, NY);
    let policy = Policy {
        interval: 900,
        minimum_lead_time: 22 * 3600, // ends 2026-03-08 11:00 EDT, after the change at 02:00
        maximum_advance: 30 * 86_400,
    };
    let found = slots(&SlotQuery {
        policy,
        service: &consultation(),
        staff: std::slice::from_ref(&ny),
        now,
        from: at(date(2026, 3, 8), 0, 0, tokyo),
        to: at(date(2026, 3, 10), 0, 0, tokyo),
    });
    let labels: Vec<String> = found.iter().map(|s| local(s.start, NY)).collect();
    assert_eq!(
        labels[0], "2026-03-08 11:00 -04:00",
        "lead time counted in real hours across the change"
    );
    assert!(found
        .iter()
        .all(|s| s.start >= at(date(2026, 3, 8), 0, 0, tokyo) && s.start < at(date(2026, 3, 10), 0, 0, tokyo)));
    assert_no_repeats_and_sorted(&found);
}

#[test]
fn a_staff_member_works_their_own_hours_in_their_own_zone() {
    let monday = date(2026, 12, 7);
    let ny = staff("ny", weekdays((9, 0), (17, 0), NY));
    let london = staff("london", weekdays((13, 0), (15, 0), "Europe/London")); // 08:00–10:00 in New York
    let people = [ny, london];
    let found = day_slots(&consultation(), &people, monday, NY);
    let both = |hhmm: &str| {
        found
            .iter()
            .find(|s| local(s.start, NY)[11..16] == *hhmm)
            .map(|s| s.staff_ids(&people).iter().map(|id| id.to_string()).collect::<Vec<_>>())
    };
    assert_eq!(both("08:00"), Some(vec!["london".to_string()]));
    assert_eq!(both("09:00"), Some(vec!["ny".to_string(), "london".to_string()]));
    assert_eq!(both("09:30"), Some(vec!["ny".to_string(), "london".to_string()]));
    assert_eq!(
        both("09:45"),
        Some(vec!["ny".to_string()]),
        "london's day ends at 10:00 New York time"
    );
}

#[test]
fn a_group_service_fills_its_seats_and_then_closes() {
    let monday = date(2026, 12, 7);
    let mut service = consultation();
    service.maximum_attendees = 3;
    let mut coach = staff("coach", weekdays((9, 0), (17, 0), NY));
    let ten = at(monday, 10, 0, NY);
    let booked = |attendees| Booked {
        service_id: "consultation".into(),
        start: ten,
        end: ten + 1800,
        pre_buffer: 0,
        post_buffer: 0,
        attendees,
    };
    coach.appointments.push(booked(2));
    let starts = |c: &StaffRules| -> Vec<i64> {
        day_slots(&service, std::slice::from_ref(c), monday, NY)
            .iter()
            .map(|s| s.start)
            .collect()
    };
    let open = starts(&coach);
    assert!(open.contains(&ten), "one seat left at 10:00");
    assert!(!open.contains(&(ten + 900)), "10:15 overlaps the group");
    assert_eq!(
        check_slot(POLICY, &service, std::slice::from_ref(&coach), ten - 86_400, ten),
        Ok(vec!["coach".to_string()])
    );
    coach.appointments[0] = booked(3);
    assert!(!starts(&coach).contains(&ten), "full");
    assert_eq!(
        check_slot(POLICY, &service, std::slice::from_ref(&coach), ten - 86_400, ten),
        Err(SlotRefusal::Taken)
    );
}

#[test]
fn check_slot_says_why_a_time_cannot_be_booked() {
    let monday = date(2026, 12, 7);
    let ada = staff("ada", weekdays((9, 0), (17, 0), NY));
    let service = consultation();
    let policy = Policy {
        interval: 900,
        minimum_lead_time: 3600,
        maximum_advance: 86_400,
    };
    let now = at(monday, 9, 0, NY);
    let s = std::slice::from_ref(&ada);
    assert_eq!(
        check_slot(policy, &service, s, now, at(monday, 9, 30, NY)),
        Err(SlotRefusal::TooSoon)
    );
    assert_eq!(check_slot(policy, &service, s, now, at(monday, 10, 0, NY)), Ok(vec!["ada".into()]));
    assert_eq!(
        check_slot(policy, &service, s, now, at(monday, 10, 5, NY)),
        Err(SlotRefusal::NotOffered),
        "off the grid"
    );
    assert_eq!(
        check_slot(policy, &service, s, now, at(monday, 16, 45, NY)),
        Err(SlotRefusal::NotOffered),
        "would end after 17:00"
    );
    assert_eq!(
        check_slot(policy, &service, s, now, at(date(2026, 12, 9), 10, 0, NY)),
        Err(SlotRefusal::TooFarAhead)
    );
}

#[test]
fn anyone_available_goes_to_the_least_booked_that_day_then_by_name() {
    let monday = date(2026, 12, 7);
    let day = |t: i64| jiff::Timestamp::from_second(t).unwrap().to_zoned(zone(NY)).date();
    let mut bo = staff("b", weekdays((9, 0), (17, 0), NY));
    bo.display_name = "Bo".into();
    let mut al = staff("a", weekdays((9, 0), (17, 0), NY));
    al.display_name = "Al".into();
    let one = |start| Booked {
        service_id: "x".into(),
        start,
        end: start + 1800,
        pre_buffer: 0,
        post_buffer: 0,
        attendees: 1,
    };
    let start = at(monday, 15, 0, NY);
    assert_eq!(pick_staff(&[&bo, &al], start, day).unwrap().id, "a", "a tie goes to Al by name");
    al.appointments.push(one(at(monday, 9, 0, NY)));
    bo.appointments.push(one(at(date(2026, 12, 8), 9, 0, NY)));
    assert_eq!(pick_staff(&[&bo, &al], start, day).unwrap().id, "b", "Bo has none that day");
}

#[test]
fn durations_read_and_written_as_graph_does() {
    assert_eq!(parse_duration("PT15M"), Ok(900));
    assert_eq!(parse_duration("PT2H"), Ok(7200));
    assert_eq!(parse_duration("P180D"), Ok(180 * 86_400));
    assert_eq!(parse_duration("P1DT2H"), Ok(93_600));
    assert!(parse_duration("15 minutes").is_err());
    assert!(parse_duration("-PT5M").is_err());
    for s in [900, 7200, 180 * 86_400, 93_600, 5430] {
        assert_eq!(parse_duration(&format_duration(s)), Ok(s));
    }
    assert_eq!(format_duration(900), "PT15M");
    assert_eq!(format_duration(180 * 86_400), "P180D");
    assert_eq!(parse_time_of_day("09:00:00.0000000"), Some(time(9, 0, 0, 0)));
}
