//! Load benchmark for Atrium's registration path, run as a separate process from the server.
//!
//! `loadbench prepare --database-url URL --slug S --capacity N [--teams-webinar ID]` creates a
//! published event with a waitlist (linked to a Teams webinar when given) in a database the
//! server will then open. `loadbench rush --base URL --slug S
//! --count N --concurrency C` fires N registrations (distinct people) at the event, then as many
//! `/healthz` requests at the same concurrency, and prints throughput, latency percentiles, the
//! oversold count and the ratio of the two throughputs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "bench/args.rs"]
mod args;
use args::{arg, pct, required};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("prepare") => prepare(&args).await,
        Some("rush") => rush(&args).await,
        _ => {
            eprintln!("usage: loadbench prepare --database-url URL --slug S --capacity N\n       loadbench rush --base URL --slug S --count N --concurrency C");
            std::process::exit(2);
        }
    }
}

async fn prepare(args: &[String]) {
    let url = required(args, "--database-url");
    let slug = required(args, "--slug");
    let capacity: i64 = required(args, "--capacity").parse().expect("capacity is a number");
    let db = server::store::Db::connect(&server::config::Config::for_dir(".".into(), Some(url)).database_url)
        .await
        .expect("open database");
    db.migrate().await.expect("migrate");
    let now = jiff::Timestamp::now().as_second();
    let (organizer, _) = server::accounts::auth::create_organizer(&db, "load@example.com", "Load Test", None)
        .await
        .expect("create organizer");
    server::events::insert(
        &db,
        &server::events::NewEvent {
            organization_id: organizer.organization_id,
            slug: slug.clone(),
            title: "Launch day rush".into(),
            summary: "Load test".into(),
            description: String::new(),
            kind: app::domain::EventKind::Webinar,
            status: app::domain::EventStatus::Published,
            start_at: now + 7 * 86_400,
            end_at: now + 7 * 86_400 + 3600,
            time_zone: "Europe/Berlin".into(),
            capacity: Some(capacity),
            waitlist_enabled: true,
            manual_approval: false,
            registration_opens_at: None,
            registration_closes_at: None,
            join_url: Some("https://teams.microsoft.com/l/meetup-join/load".into()),
            terms_url: None,
            questions: Vec::new(),
            presenters: Vec::new(),
        },
    )
    .await
    .expect("create event");
    // Microsoft mode: the event is linked to this Teams webinar, so confirmed people go there.
    if let Some(webinar) = arg(args, "--teams-webinar") {
        sqlx::query("UPDATE events SET teams_webinar_id = $1, teams_stage = 'published' WHERE slug = $2")
            .bind(webinar)
            .bind(&slug)
            .execute(&db.pool)
            .await
            .expect("link the webinar");
    }
    println!("prepared event with capacity {capacity}");
}

struct Run {
    latencies: Vec<Duration>,
    elapsed: Duration,
    statuses: std::collections::BTreeMap<String, usize>,
}

async fn fire(count: usize, concurrency: usize, make: Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync>, classify: bool) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let next = next.clone();
        let make = make.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut statuses = std::collections::BTreeMap::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t = Instant::now();
                let outcome = match make(i).send().await {
                    Ok(r) => {
                        let code = r.status().as_u16();
                        let body = r.bytes().await.unwrap_or_default();
                        if classify && code < 300 {
                            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                            v["status"].as_str().unwrap_or("?").to_string()
                        } else {
                            format!("HTTP {code}")
                        }
                    }
                    Err(e) => format!("error: {}", e.without_url()),
                };
                latencies.push(t.elapsed());
                *statuses.entry(outcome).or_insert(0) += 1;
            }
            (latencies, statuses)
        }));
    }
    let mut run = Run {
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
        statuses: Default::default(),
    };
    for w in workers {
        let (l, s) = w.await.expect("worker");
        run.latencies.extend(l);
        for (k, v) in s {
            *run.statuses.entry(k).or_insert(0) += v;
        }
    }
    run.elapsed = started.elapsed();
    run.latencies.sort();
    run
}

fn report(name: &str, run: &Run) -> f64 {
    let rps = run.latencies.len() as f64 / run.elapsed.as_secs_f64();
    println!(
        "{name}: {} requests in {:.2} s = {:.0} req/s; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        run.latencies.len(),
        run.elapsed.as_secs_f64(),
        rps,
        pct(&run.latencies, 0.50),
        pct(&run.latencies, 0.90),
        pct(&run.latencies, 0.99),
        pct(&run.latencies, 1.0),
    );
    for (k, v) in &run.statuses {
        println!("  {k}: {v}");
    }
    rps
}

async fn rush(args: &[String]) {
    let base = required(args, "--base");
    let slug = required(args, "--slug");
    let count: usize = arg(args, "--count").unwrap_or_else(|| "10000".into()).parse().expect("count");
    let concurrency: usize = arg(args, "--concurrency")
        .unwrap_or_else(|| "100".into())
        .parse()
        .expect("concurrency");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    let event: serde_json::Value = client
        .get(format!("{base}/api/v1/events/{slug}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let capacity = event["capacity"].as_i64().expect("event has a capacity");
    let run_id = jiff::Timestamp::now().as_millisecond();

    let url = format!("{base}/api/v1/events/{slug}/registrations");
    let c = client.clone();
    let registrations = fire(
        count,
        concurrency,
        Arc::new(move |i| {
            // Each registration from its own client address, through the trusted loopback proxy
            // the benchmark configures, as people behind a reverse proxy would arrive: the
            // per-address limit applies to each person, not to the load generator.
            let from = std::net::Ipv4Addr::from(0x0a00_0000u32 | (i as u32 + 1));
            c.post(&url).header("x-forwarded-for", from.to_string()).json(&serde_json::json!({
                "firstName": "Load",
                "lastName": format!("Tester {i}"),
                "email": format!("load.{run_id}.{i}@example.com"),
                "preferredTimezone": "Europe/Berlin",
            }))
        }),
        true,
    )
    .await;
    let c = client.clone();
    let health_url = format!("{base}/healthz");
    let health = fire(count, concurrency, Arc::new(move |_| c.get(&health_url)), false).await;

    println!("{count} registrations at a {capacity}-seat event, {concurrency} concurrent connections");
    let reg_rps = report("registrations", &registrations);
    let health_rps = report("healthz", &health);
    let after: serde_json::Value = client
        .get(format!("{base}/api/v1/events/{slug}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let registered = after["registeredCount"].as_i64().unwrap_or(-1);
    let answered_registered = registrations.statuses.get("registered").copied().unwrap_or(0) as i64;
    println!(
        "event after the rush: registeredCount {registered}, waitlistedCount {}; oversold: {}",
        after["waitlistedCount"],
        (registered - capacity).max(0).max(answered_registered - capacity)
    );
    println!("registration throughput / healthz throughput: {:.2}", reg_rps / health_rps);
}
