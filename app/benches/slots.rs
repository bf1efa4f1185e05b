//! The slot engine alone: a month of 15-minute slots for a 30-minute service given by `n`
//! staff members (New York, weekdays 09:00–17:00) with `100 × n` appointments booked, at three
//! sizes to show how the cost grows. Run with `cargo bench -p app --features ssr --bench slots`.

use app::booking::{slots, Booked, Day, Policy, ServiceRules, SlotQuery, StaffRules, TimeSlot, Week, WorkHours};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use jiff::civil::{date, time};
use jiff::tz::TimeZone;

fn staff(n: usize, appointments_each: usize, month_start: i64) -> Vec<StaffRules> {
    let zone = TimeZone::get("America/New_York").unwrap();
    let week = Week {
        hours: [Day::Monday, Day::Tuesday, Day::Wednesday, Day::Thursday, Day::Friday]
            .into_iter()
            .map(|day| WorkHours {
                day,
                time_slots: vec![TimeSlot {
                    start: time(9, 0, 0, 0),
                    end: time(17, 0, 0, 0),
                }],
            })
            .collect(),
        zone,
    };
    (0..n)
        .map(|i| StaffRules {
            id: format!("staff-{i:02}"),
            display_name: format!("Staff {i:02}"),
            week: week.clone(),
            // Spread over the month's working hours: every ~7 hours of wall time, 30 minutes long.
            appointments: (0..appointments_each)
                .map(|k| {
                    let start = month_start + 14 * 3600 + (k as i64) * 25_200 + (i as i64 % 4) * 900;
                    Booked {
                        service_id: "consultation".into(),
                        start,
                        end: start + 1800,
                        pre_buffer: 0,
                        post_buffer: 0,
                        attendees: 1,
                    }
                })
                .collect(),
            busy: Vec::new(),
        })
        .collect()
}

fn month(c: &mut Criterion) {
    let zone = TimeZone::get("America/New_York").unwrap();
    let from = date(2027, 3, 1).to_zoned(zone.clone()).unwrap().timestamp().as_second();
    let to = date(2027, 4, 1).to_zoned(zone).unwrap().timestamp().as_second();
    let service = ServiceRules {
        id: "consultation".into(),
        duration: 1800,
        pre_buffer: 0,
        post_buffer: 0,
        maximum_attendees: 1,
        hours: None,
    };
    let policy = Policy {
        interval: 900,
        minimum_lead_time: 7200,
        maximum_advance: 180 * 86_400,
    };
    let mut group = c.benchmark_group("a month of slots");
    for n in [5usize, 10, 20] {
        let staff = staff(n, 100, from);
        group.bench_with_input(BenchmarkId::new("staff, 100 appointments each", n), &staff, |b, staff| {
            b.iter(|| {
                slots(&SlotQuery {
                    policy,
                    service: &service,
                    staff,
                    now: from - 86_400,
                    from,
                    to,
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, month);
criterion_main!(benches);
