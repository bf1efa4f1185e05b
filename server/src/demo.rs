//! Demo content for a fresh install: a webinar open for registration, a nearly full meeting, and
//! a business taking appointments.

use crate::events::{insert, NewEvent, Presenter};
use crate::registrations::{register, NewRegistration};
use crate::store::Db;
use app::domain::{AnswerInputType, EventKind, EventStatus, PredefinedLabel, Question, QuestionKind};

fn custom(label: &str, kind: AnswerInputType, required: bool, choices: &[&str]) -> (Question, Option<PredefinedLabel>) {
    (
        Question {
            id: String::new(),
            kind: QuestionKind::Custom,
            label: label.into(),
            answer_input_type: kind,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            is_required: required,
        },
        None,
    )
}

fn predefined(label: PredefinedLabel, required: bool) -> (Question, Option<PredefinedLabel>) {
    (Question::predefined("", label, required), Some(label))
}

/// The demo organizer's sign-in, documented in the README (demo content only).
pub const DEMO_ORGANIZER: &str = "organizer@example.com";
pub const DEMO_PASSWORD: &str = "atrium-demo-password";

/// The Unix time of `days` from today at `hour`:00 in `zone`.
fn at(days: i64, hour: i8, zone: &str) -> i64 {
    let tz = jiff::tz::TimeZone::get(zone).expect("demo zone exists");
    let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
    let day = today.checked_add(jiff::Span::new().days(days)).expect("date in range");
    day.at(hour, 0, 0, 0)
        .to_zoned(tz)
        .expect("valid local time")
        .timestamp()
        .as_second()
}

/// Seeds demo events when the database has none.
pub async fn seed_if_empty(db: &Db, sealer: &crate::crypto::Sealer) -> Result<(), sqlx::Error> {
    // Never beside real accounts: the demo organizer's password is public.
    let events = crate::events::store::count(db).await?;
    let organizers = crate::accounts::store::organizers::count(db).await?;
    if events > 0 || organizers > 0 {
        return Ok(());
    }
    let (organizer, _) = crate::accounts::auth::create_organizer(db, DEMO_ORGANIZER, "Contoso Events", Some(DEMO_PASSWORD))
        .await
        .map_err(|e| match e {
            crate::accounts::auth::AuthError::Db(e) => e,
            other => sqlx::Error::Protocol(format!("demo organizer: {other}")),
        })?;
    let org = organizer.organization_id;
    let start = at(14, 16, "Europe/Berlin");
    insert(
        db,
        &NewEvent {
            organization_id: org.clone(),
            slug: "building-for-teams-2026".into(),
            title: "Building for Microsoft Teams in 2026".into(),
            summary: "A live webinar on meetings, webinars and calling APIs, with Q&A.".into(),
            description: "Join our engineers for a tour of what's new for developers building on Microsoft Teams.\n\n\
                We'll cover webinars and registration, virtual appointments, and calling from the browser, and leave plenty of time for your questions."
                .into(),
            kind: EventKind::Webinar,
            status: EventStatus::Published,
            start_at: start,
            end_at: start + 90 * 60,
            time_zone: "Europe/Berlin".into(),
            capacity: Some(100),
            waitlist_enabled: true,
            manual_approval: false,
            registration_opens_at: None,
            registration_closes_at: Some(start - 3600),
            join_url: Some("https://teams.microsoft.com/l/meetup-join/19%3ameeting_demo%40thread.v2/0".into()),
            terms_url: Some("https://example.com/privacy".into()),
            questions: vec![
                predefined(PredefinedLabel::JobTitle, false),
                predefined(PredefinedLabel::Organization, true),
                custom("How did you hear about us?", AnswerInputType::SingleChoice, false, &["Newsletter", "A colleague", "Social media", "Search"]),
                custom("Which topics interest you most?", AnswerInputType::MultiChoice, false, &["Webinars", "Appointments", "Calling", "Chat"]),
                custom("Anything you'd like us to cover?", AnswerInputType::MultilineText, false, &[]),
            ],
            presenters: vec![
                Presenter { name: "Mira Okafor".into(), company: "Contoso".into(), job_title: "Principal Engineer".into(), bio: "Mira builds real-time collaboration tools.".into(), ..Default::default() },
                Presenter { name: "Jonas Weber".into(), company: "Contoso".into(), job_title: "Developer Advocate".into(), bio: "Jonas helps teams ship on Microsoft 365.".into(), ..Default::default() },
            ],
        },
    )
    .await?;

    let start = at(7, 10, "America/New_York");
    insert(
        db,
        &NewEvent {
            organization_id: org.clone(),
            slug: "office-hours-december".into(),
            title: "Office hours: ask the Atrium team".into(),
            summary: "A small-group online meeting — only a few places left.".into(),
            description: "Bring your questions about running events and appointments with Atrium. We keep this session small so everyone gets time to talk.".into(),
            kind: EventKind::Meeting,
            status: EventStatus::Published,
            start_at: start,
            end_at: start + 45 * 60,
            time_zone: "America/New_York".into(),
            capacity: Some(12),
            waitlist_enabled: true,
            manual_approval: false,
            registration_opens_at: None,
            registration_closes_at: None,
            join_url: Some("https://teams.microsoft.com/l/meetup-join/19%3ameeting_office_hours%40thread.v2/0".into()),
            terms_url: None,
            questions: vec![custom("What would you like to discuss?", AnswerInputType::Text, true, &[])],
            presenters: Vec::new(),
        },
    )
    .await?;
    let registrar = crate::registrations::Registrar::start(db.clone(), sealer.clone(), i64::MAX);
    let names = [
        "Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "Edsger", "Radia",
    ];
    for (i, name) in names.iter().enumerate() {
        let event = crate::events::public_by_slug(db, "office-hours-december")
            .await?
            .expect("just created");
        let input = NewRegistration {
            first_name: name.to_string(),
            last_name: "Demo".into(),
            email: format!("{}.demo{i}@example.com", name.to_lowercase()),
            preferred_timezone: "America/New_York".into(),
            preferred_language: Some("en-US".into()),
            answers: vec![app::domain::RawAnswer {
                question_id: event.questions[0].id.clone(),
                value: Some("Getting started".into()),
                ..Default::default()
            }],
            accept_terms: false,
            website: None,
        };
        register(&registrar, "office-hours-december", &input, None, None)
            .await
            .map_err(|e| match e {
                crate::registrations::RegisterError::Db(e) => e,
                other => sqlx::Error::Protocol(format!("demo registration failed: {other}")),
            })?;
    }
    crate::appointments::demo::seed(db, &org).await?;
    tracing::info!("seeded demo content");
    Ok(())
}
