//! Load benchmark for appointments, run as a separate process from the server.
//!
//! `bookbench prepare --database-url URL --slug S --staff N --appointments M` creates a published
//! business in America/New_York (weekdays 09:00–17:00, 15-minute steps, no lead time) with N staff
//! members, one 30-minute service they all give, and M appointments spread evenly over the staff
//! in the coming four weeks, in a database the server will then open.
//! `bookbench slots --base URL --slug S --requests R` asks the slots endpoint for a month R times,
//! one request at a time, and prints the latency percentiles.
//! `bookbench rush --base URL --slug S --count N --concurrency C` fires N bookings of "anyone
//! available" at the times of one day (each from its own client address) and checks that no staff
//! member got two overlapping appointments.

use server::appointments::model::{Business, Service, Staff, WorkHoursJson, WorkTimeSlotJson};
use server::appointments::store;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const NY: &str = "America/New_York";

#[path = "bench/args.rs"]
mod args;
use args::{arg, pct, required};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("prepare") => prepare(&args).await,
        Some("slots") => slots(&args).await,
        Some("rush") => rush(&args).await,
        _ => {
            eprintln!(
                "usage: bookbench prepare --database-url URL --slug S --staff N --appointments M\n       \
                 bookbench slots --base URL --slug S --requests R\n       \
                 bookbench rush --base URL --slug S --count N --concurrency C"
            );
            std::process::exit(2);
        }
    }
}

/// The first Monday at least two days from now, in New York.
fn next_monday() -> jiff::civil::Date {
    let zone = jiff::tz::TimeZone::get(NY).expect("zone");
    let mut d = jiff::Timestamp::now()
        .to_zoned(zone)
        .date()
        .checked_add(jiff::Span::new().days(2))
        .unwrap();
    while d.weekday() != jiff::civil::Weekday::Monday {
        d = d.tomorrow().unwrap();
    }
    d
}

fn at(d: jiff::civil::Date, minutes: i64) -> i64 {
    let zone = jiff::tz::TimeZone::get(NY).expect("zone");
    d.at((minutes / 60) as i8, (minutes % 60) as i8, 0, 0)
        .to_zoned(zone)
        .expect("a New York time")
        .timestamp()
        .as_second()
}

async fn prepare(args: &[String]) {
    let url = required(args, "--database-url");
    let slug = required(args, "--slug");
    let staff_count: usize = required(args, "--staff").parse().expect("staff is a number");
    let appointments: usize = required(args, "--appointments").parse().expect("appointments is a number");
    let db = server::store::Db::connect(&server::config::Config::for_dir(".".into(), Some(url)).database_url)
        .await
        .expect("open database");
    db.migrate().await.expect("migrate");
    let (organizer, _) = server::accounts::auth::create_organizer(&db, &format!("{slug}@example.com"), "Bench", None)
        .await
        .expect("create organizer");
    let hours: Vec<WorkHoursJson> = [
        app::booking::Day::Monday,
        app::booking::Day::Tuesday,
        app::booking::Day::Wednesday,
        app::booking::Day::Thursday,
        app::booking::Day::Friday,
    ]
    .into_iter()
    .map(|day| WorkHoursJson {
        day,
        time_slots: vec![WorkTimeSlotJson {
            start_time: "09:00:00.0000000".into(),
            end_time: "17:00:00.0000000".into(),
        }],
    })
    .collect();
    let business = Business {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: organizer.organization_id,
        slug: slug.clone(),
        display_name: "Bench Advisory".into(),
        time_zone: NY.into(),
        business_hours: hours,
        policy: app::booking::Policy {
            interval: 900,
            minimum_lead_time: 0,
            maximum_advance: 180 * 86_400,
        },
        allow_staff_selection: true,
        is_published: true,
        bookings_business_id: None,
        branding: server::appointments::model::Branding {
            currency: "USD".into(),
            ..Default::default()
        },
    };
    let staff: Vec<Staff> = (0..staff_count)
        .map(|i| Staff {
            id: uuid::Uuid::now_v7().to_string(),
            business_id: business.id.clone(),
            display_name: format!("Staff {i:02}"),
            email_address: String::new(),
            time_zone: NY.into(),
            use_business_hours: true,
            working_hours: Vec::new(),
        })
        .collect();
    let service = Service {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: business.id.clone(),
        display_name: "Consultation".into(),
        duration: 1800,
        pre_buffer: 0,
        post_buffer: 0,
        maximum_attendees: 1,
        is_location_online: true,
        staff_member_ids: staff.iter().map(|s| s.id.clone()).collect(),
        service_hours: None,
        reminders: Vec::new(),
        price: None,
        price_type: "notSet".into(),
        questions: Vec::new(),
    };
    let mut tx = db.begin_write().await.expect("begin");
    store::insert_business(&mut tx, &business).await.expect("business");
    for s in &staff {
        store::insert_staff(&mut tx, s).await.expect("staff");
    }
    store::insert_service(&mut tx, &service).await.expect("service");
    // Each staff member's k-th appointment: five a day (09:00, 10:30, 12:00, 13:30, 15:00) on
    // the weekdays from the coming Monday.
    let first = next_monday();
    let weekdays: Vec<jiff::civil::Date> = (0..60)
        .map(|n| first.checked_add(jiff::Span::new().days(n)).unwrap())
        .filter(|d| !matches!(d.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday))
        .collect();
    for i in 0..appointments {
        let (who, k) = (&staff[i % staff_count], i / staff_count);
        let start = at(weekdays[k / 5], 9 * 60 + (k % 5) as i64 * 90);
        let id = uuid::Uuid::now_v7().to_string();
        store::insert_appointment(
            &mut tx,
            &store::NewAppointment {
                id: &id,
                business_id: &business.id,
                service: &service,
                start,
                staff_ids: std::slice::from_ref(&who.id),
                customer_name: "Booked Before",
                customer_email: "before@example.com",
                customer_phone: None,
                customer_time_zone: NY,
                answers: "[]",
                token_hash: &format!("bench-{id}"),
                token_sealed: "-",
                idempotency: None,
            },
        )
        .await
        .expect("appointment");
    }
    tx.commit().await.expect("commit");
    println!("prepared {slug}: {staff_count} staff, {appointments} appointments from {first}");
}

async fn service_id(client: &reqwest::Client, base: &str, slug: &str) -> String {
    let services: serde_json::Value = client
        .get(format!("{base}/api/v1/businesses/{slug}/services"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    services["value"][0]["id"].as_str().expect("a service").to_string()
}

async fn slots(args: &[String]) {
    let base = required(args, "--base");
    let slug = required(args, "--slug");
    let requests: usize = arg(args, "--requests").unwrap_or_else(|| "200".into()).parse().expect("requests");
    let client = reqwest::Client::new();
    let service = service_id(&client, &base, &slug).await;
    let first = next_monday();
    let end = first.checked_add(jiff::Span::new().days(31)).unwrap();
    let url = format!("{base}/api/v1/businesses/{slug}/slots?serviceId={service}&start={first}&end={end}&timeZone={NY}");
    let mut latencies = Vec::with_capacity(requests);
    let mut found = 0;
    for _ in 0..requests {
        let t = Instant::now();
        let r = client.get(&url).send().await.expect("slots");
        assert_eq!(r.status(), 200, "slots answered {}", r.status());
        let body: serde_json::Value = r.json().await.expect("json");
        latencies.push(t.elapsed());
        found = body["value"].as_array().map(Vec::len).unwrap_or(0);
    }
    latencies.sort();
    println!(
        "slots for {first}..{end} ({found} slots): {requests} requests, one at a time; p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms",
        pct(&latencies, 0.5),
        pct(&latencies, 0.9),
        pct(&latencies, 0.99)
    );
}

async fn rush(args: &[String]) {
    let base = required(args, "--base");
    let slug = required(args, "--slug");
    let count: usize = arg(args, "--count").unwrap_or_else(|| "2000".into()).parse().expect("count");
    let concurrency: usize = arg(args, "--concurrency")
        .unwrap_or_else(|| "50".into())
        .parse()
        .expect("concurrency");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let service = service_id(&client, &base, &slug).await;
    // The day after the prepared appointments' first day: its free times are what everyone wants.
    let day = next_monday().tomorrow().unwrap();
    let times: Vec<String> = (0..16)
        .map(|n| {
            jiff::Timestamp::from_second(at(day, 9 * 60 + n * 30))
                .unwrap()
                .to_zoned(jiff::tz::TimeZone::get(NY).unwrap())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .collect();
    let url = format!("{base}/api/v1/businesses/{slug}/appointments");
    let next = Arc::new(AtomicUsize::new(0));
    let booked: Arc<Mutex<Vec<(String, i64, i64)>>> = Arc::default();
    let statuses: Arc<Mutex<std::collections::BTreeMap<u16, usize>>> = Arc::default();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (next, booked, statuses, client, url, times, service) = (
            next.clone(),
            booked.clone(),
            statuses.clone(),
            client.clone(),
            url.clone(),
            times.clone(),
            service.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let from = std::net::Ipv4Addr::from(0x0a00_0000u32 | (i as u32 + 1));
                let body = serde_json::json!({
                    "serviceId": service,
                    "start": times[i % times.len()],
                    "customer": {"name": format!("Rush {i}"), "email": format!("rush{i}@example.com"), "timeZone": NY},
                });
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .header("x-forwarded-for", from.to_string())
                    .json(&body)
                    .send()
                    .await;
                let Ok(r) = r else {
                    *statuses.lock().unwrap().entry(0).or_insert(0) += 1;
                    continue;
                };
                let status = r.status().as_u16();
                let body: serde_json::Value = r.json().await.unwrap_or_default();
                latencies.push(t.elapsed());
                *statuses.lock().unwrap().entry(status).or_insert(0) += 1;
                if status == 201 {
                    let when = |k: &str| {
                        body[k]
                            .as_str()
                            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                            .map(|t| t.as_second())
                    };
                    let (start, end) = (when("start").expect("start"), when("end").expect("end"));
                    for staff in body["staffIds"].as_array().into_iter().flatten() {
                        booked.lock().unwrap().push((staff.as_str().unwrap_or("").to_string(), start, end));
                    }
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let mut booked = booked.lock().unwrap().clone();
    booked.sort();
    let double = booked.windows(2).filter(|w| w[0].0 == w[1].0 && w[1].1 < w[0].2).count();
    println!(
        "{count} bookings of one day's 16 times, {concurrency} concurrent: {:.2} s = {:.0} bookings/s; latency p50 {:.1} ms, p99 {:.1} ms",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        pct(&latencies, 0.5),
        pct(&latencies, 0.99)
    );
    for (status, n) in statuses.lock().unwrap().iter() {
        println!("  HTTP {status}: {n}");
    }
    println!("  staff members booked twice for overlapping times: {double}");
}
