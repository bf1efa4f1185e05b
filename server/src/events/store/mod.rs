//! The events' SQL: reading events with their questions and presenters, and storing new ones.

pub mod organizers;
pub mod reminders;
pub mod seats;
pub mod writes;

use super::{Event, NewEvent, Presenter};
use crate::accounts::auth::Organizer;
use crate::store::{decode_error, Db, WriteTx};
use app::domain::{AnswerInputType, EventKind, EventStatus, PredefinedLabel, Question, QuestionKind};
use sqlx::any::AnyRow;
use sqlx::Row;

pub const EVENT_COLUMNS: &str =
    "id, organization_id, slug, title, summary, description, kind, status, start_at, end_at, time_zone, capacity, \
    waitlist_enabled, manual_approval, registration_opens_at, registration_closes_at, join_url, terms_url, \
    registered_count, waitlisted_count, pending_count, next_waitlist_seq, teams_webinar_id, teams_emails, teams_meeting_id, \
    teams_join_url, teams_owner, held_count, confirm_hold_minutes, ics_sequence";

pub fn event_from_row(row: &AnyRow) -> Result<Event, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    Ok(Event {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        description: row.try_get("description")?,
        kind: EventKind::parse(&kind).ok_or_else(|| decode_error("kind", &kind))?,
        status: EventStatus::parse(&status).ok_or_else(|| decode_error("status", &status))?,
        start_at: row.try_get("start_at")?,
        end_at: row.try_get("end_at")?,
        time_zone: row.try_get("time_zone")?,
        capacity: row.try_get("capacity")?,
        waitlist_enabled: row.try_get::<i64, _>("waitlist_enabled")? != 0,
        manual_approval: row.try_get::<i64, _>("manual_approval")? != 0,
        registration_opens_at: row.try_get("registration_opens_at")?,
        registration_closes_at: row.try_get("registration_closes_at")?,
        join_url: row.try_get("join_url")?,
        terms_url: row.try_get("terms_url")?,
        registered_count: row.try_get("registered_count")?,
        waitlisted_count: row.try_get("waitlisted_count")?,
        pending_count: row.try_get("pending_count")?,
        next_waitlist_seq: row.try_get("next_waitlist_seq")?,
        held_count: row.try_get("held_count")?,
        confirm_hold_minutes: row.try_get("confirm_hold_minutes")?,
        teams_webinar_id: row.try_get("teams_webinar_id")?,
        teams_emails: row.try_get::<i64, _>("teams_emails")? != 0,
        teams_meeting_id: row.try_get("teams_meeting_id")?,
        teams_join_url: row.try_get("teams_join_url")?,
        teams_owner: row.try_get::<Option<String>, _>("teams_owner")?.filter(|o| !o.is_empty()),
        ics_sequence: row.try_get("ics_sequence")?,
        questions: Vec::new(),
        presenters: Vec::new(),
    })
}

fn question_from_row(row: &AnyRow) -> Result<Question, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let input: String = row.try_get("answer_input_type")?;
    let choices: String = row.try_get("choices")?;
    let predefined: Option<String> = row.try_get("predefined_label")?;
    let kind = QuestionKind::parse(&kind).ok_or_else(|| decode_error("question kind", &kind))?;
    let label = match predefined.as_deref().and_then(PredefinedLabel::parse) {
        Some(p) if kind == QuestionKind::Predefined => p.display_name().to_string(),
        _ => row.try_get("label")?,
    };
    Ok(Question {
        id: row.try_get("id")?,
        kind,
        label,
        answer_input_type: AnswerInputType::parse(&input).ok_or_else(|| decode_error("answer type", &input))?,
        choices: serde_json::from_str(&choices).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        is_required: row.try_get::<i64, _>("is_required")? != 0,
    })
}

fn presenter_from_row(row: &AnyRow) -> Result<Presenter, sqlx::Error> {
    let mut links = Vec::new();
    for (label, column) in [("LinkedIn", "linkedin_url"), ("Website", "website_url"), ("X", "x_url")] {
        if let Some(url) = row.try_get::<Option<String>, _>(column)? {
            links.push((label.to_string(), url));
        }
    }
    Ok(Presenter {
        name: row.try_get("name")?,
        company: row.try_get("company")?,
        job_title: row.try_get("job_title")?,
        bio: row.try_get("bio")?,
        photo_url: row.try_get("photo_url")?,
        links,
    })
}

/// Fills in the questions (and, with `presenters`, the presenters) of many events with one
/// query each, however many events there are.
async fn load_children_of(db: &Db, events: &mut [Event], presenters: bool) -> Result<(), sqlx::Error> {
    for chunk in events.chunks_mut(200) {
        let index: std::collections::HashMap<String, usize> = chunk.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
        let ids = crate::store::placeholders(1, chunk.len());
        let sql = format!(
            "SELECT event_id, id, kind, predefined_label, label, answer_input_type, choices, is_required FROM questions \
             WHERE event_id IN ({ids}) ORDER BY event_id, position"
        );
        let mut q = sqlx::query(&sql);
        for e in chunk.iter() {
            q = q.bind(&e.id);
        }
        for row in q.fetch_all(&db.pool).await? {
            let event: String = row.try_get("event_id")?;
            chunk[index[&event]].questions.push(question_from_row(&row)?);
        }
        if !presenters {
            continue;
        }
        let sql = format!(
            "SELECT event_id, name, company, job_title, bio, photo_url, linkedin_url, website_url, x_url FROM presenters \
             WHERE event_id IN ({ids}) ORDER BY event_id, position"
        );
        let mut q = sqlx::query(&sql);
        for e in chunk.iter() {
            q = q.bind(&e.id);
        }
        for row in q.fetch_all(&db.pool).await? {
            let event: String = row.try_get("event_id")?;
            chunk[index[&event]].presenters.push(presenter_from_row(&row)?);
        }
    }
    Ok(())
}

async fn load_questions(db: &Db, event: &mut Event) -> Result<(), sqlx::Error> {
    load_children_of(db, std::slice::from_mut(event), false).await
}

async fn load_children(db: &Db, mut event: Event) -> Result<Event, sqlx::Error> {
    load_children_of(db, std::slice::from_mut(&mut event), true).await?;
    Ok(event)
}

/// A published or canceled event by slug, as the public sees it. Drafts are not found.
pub async fn public_by_slug(db: &Db, slug: &str) -> Result<Option<Event>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE slug = $1 AND status <> 'draft'"))
        .bind(slug)
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some(row) => Ok(Some(load_children(db, event_from_row(&row)?).await?)),
        None => Ok(None),
    }
}

/// A published or canceled event by slug with its questions, for deciding a registration.
pub async fn for_registration(db: &Db, slug: &str) -> Result<Option<Event>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE slug = $1 AND status <> 'draft'"))
        .bind(slug)
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some(row) => {
            let mut event = event_from_row(&row)?;
            load_questions(db, &mut event).await?;
            Ok(Some(event))
        }
        None => Ok(None),
    }
}

/// Any event by id, with its questions and presenters.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<Event>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some(row) => Ok(Some(load_children(db, event_from_row(&row)?).await?)),
        None => Ok(None),
    }
}

/// Published events that have not ended, soonest first.
pub async fn upcoming(db: &Db, now: i64) -> Result<Vec<Event>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE status = 'published' AND end_at > $1 ORDER BY start_at, slug LIMIT 200"
    ))
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let mut events = rows.iter().map(event_from_row).collect::<Result<Vec<_>, _>>()?;
    // Two queries for all the events' questions and presenters, not two per event.
    load_children_of(db, &mut events, true).await?;
    Ok(events)
}

/// Stores a new event with its questions, presenters and default reminders inside the
/// caller's transaction, and returns its id.
pub async fn insert_in(tx: &mut WriteTx, e: &NewEvent, now: i64) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO events (id, slug, title, summary, description, kind, status, start_at, end_at, time_zone, capacity, waitlist_enabled, \
         manual_approval, registration_opens_at, registration_closes_at, join_url, terms_url, created_at, updated_at, organization_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19)",
    )
    .bind(&id)
    .bind(&e.slug)
    .bind(&e.title)
    .bind(&e.summary)
    .bind(&e.description)
    .bind(e.kind.as_str())
    .bind(e.status.as_str())
    .bind(e.start_at)
    .bind(e.end_at)
    .bind(&e.time_zone)
    .bind(e.capacity)
    .bind(e.waitlist_enabled as i64)
    .bind(e.manual_approval as i64)
    .bind(e.registration_opens_at)
    .bind(e.registration_closes_at)
    .bind(&e.join_url)
    .bind(&e.terms_url)
    .bind(now)
    .bind(&e.organization_id)
    .execute(&mut *tx.tx)
    .await?;
    for (position, (q, predefined)) in e.questions.iter().enumerate() {
        sqlx::query(
            "INSERT INTO questions (id, event_id, position, kind, predefined_label, label, answer_input_type, choices, is_required) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(if q.id.is_empty() {
            uuid::Uuid::now_v7().to_string()
        } else {
            q.id.clone()
        })
        .bind(&id)
        .bind(position as i64)
        .bind(q.kind.as_str())
        .bind(predefined.map(|p| p.as_str()))
        .bind(&q.label)
        .bind(q.answer_input_type.as_str())
        .bind(serde_json::to_string(&q.choices).expect("choices serialise"))
        .bind(q.is_required as i64)
        .execute(&mut *tx.tx)
        .await?;
    }
    reminders::create_defaults(tx, &id, now).await?;
    for (position, p) in e.presenters.iter().enumerate() {
        sqlx::query("INSERT INTO presenters (id, event_id, position, name, bio, company, job_title) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&id)
            .bind(position as i64)
            .bind(&p.name)
            .bind(&p.bio)
            .bind(&p.company)
            .bind(&p.job_title)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(id)
}

/// Stores a new event in a transaction of its own and returns its id.
pub async fn insert(db: &Db, e: &NewEvent) -> Result<String, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let id = insert_in(&mut tx, e, db.now()).await?;
    tx.commit().await?;
    Ok(id)
}

/// The organization's event with this slug, drafts included.
pub async fn of_organization(db: &Db, org: &Organizer, slug: &str) -> Result<Option<Event>, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE slug = $1 AND organization_id = $2")
        .bind(slug)
        .bind(&org.organization_id)
        .fetch_optional(&db.pool)
        .await?;
    match id {
        Some(id) => by_id(db, &id).await,
        None => Ok(None),
    }
}

/// The event other than `except` that is linked to the Teams webinar `webinar`, if any.
pub async fn webinar_holder(db: &Db, webinar: &str, except: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM events WHERE teams_webinar_id = $1 AND id <> $2")
        .bind(webinar)
        .bind(except)
        .fetch_optional(&db.pool)
        .await
}

/// The organization's events, newest first, with counts.
pub async fn list(db: &Db, org: &Organizer) -> Result<Vec<Event>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE organization_id = $1 ORDER BY start_at DESC, slug LIMIT 500"
    ))
    .bind(&org.organization_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// How many events there are, of every organization and status.
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(&db.pool).await
}

pub async fn slug_taken(db: &Db, slug: &str, except: Option<&str>) -> Result<bool, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&db.pool)
        .await?;
    Ok(id.is_some_and(|id| Some(id.as_str()) != except))
}

/// Everything stored about an event's presenters, in order.
pub async fn presenter_records(db: &Db, event_id: &str) -> Result<Vec<super::input::PresenterRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT name, email, bio, company, job_title, photo_url, linkedin_url, website_url, x_url FROM presenters WHERE event_id = $1 ORDER BY position",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(super::input::PresenterRecord {
                presenter: Presenter {
                    name: r.try_get("name")?,
                    company: r.try_get("company")?,
                    job_title: r.try_get("job_title")?,
                    bio: r.try_get("bio")?,
                    ..Default::default()
                },
                email: r.try_get("email")?,
                photo_url: r.try_get("photo_url")?,
                linkedin_url: r.try_get("linkedin_url")?,
                website_url: r.try_get("website_url")?,
                x_url: r.try_get("x_url")?,
            })
        })
        .collect()
}
