//! Events with their questions and presenters: reading them, and the organizer's commands
//! (create, edit, publish, cancel) and reminder settings.

pub mod manage;
pub mod reminders;

use crate::store::Db;
use app::domain::{AnswerInputType, EventKind, EventStatus, PredefinedLabel, Question, QuestionKind, RegistrationWindow, SeatState};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Clone, Debug, Default)]
pub struct Presenter {
    pub name: String,
    pub company: String,
    pub job_title: String,
    pub bio: String,
    pub photo_url: Option<String>,
    /// ("LinkedIn", url), ("Website", url), ("X", url) — the ones given.
    pub links: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub id: String,
    pub organization_id: Option<String>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub kind: EventKind,
    pub status: EventStatus,
    pub start_at: i64,
    pub end_at: i64,
    pub time_zone: String,
    pub capacity: Option<i64>,
    pub waitlist_enabled: bool,
    pub manual_approval: bool,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
    pub join_url: Option<String>,
    pub terms_url: Option<String>,
    pub registered_count: i64,
    pub waitlisted_count: i64,
    pub pending_count: i64,
    pub next_waitlist_seq: i64,
    /// Seats held for registrants who have not confirmed their email address yet.
    pub held_count: i64,
    /// Registrants confirm their email address within this many minutes before their seat is
    /// theirs (double opt-in); 0 when not asked.
    pub confirm_hold_minutes: i64,
    /// The Teams webinar this event is linked to, in Microsoft mode.
    pub teams_webinar_id: Option<String>,
    /// Teams (not Atrium) emails attendees their personal join links.
    pub teams_emails: bool,
    /// The Teams meeting of a meeting-kind event.
    pub teams_meeting_id: Option<String>,
    /// The join link Graph gave for the event's meeting or webinar session.
    pub teams_join_url: Option<String>,
    /// The organizer whose own Microsoft 365 account owns the event in Teams (None: the
    /// organization's service account).
    pub teams_owner: Option<String>,
    pub questions: Vec<Question>,
    pub presenters: Vec<Presenter>,
}

impl Event {
    /// Where registered attendees join: the organizer's own link if they set one, else the
    /// one Teams gave.
    /// When Teams emails personal links for a webinar, Atrium shows only a link the organizer
    /// set themselves.
    pub fn join_link(&self) -> Option<&str> {
        if self.teams_sends_links() {
            return self.join_url.as_deref();
        }
        self.join_url.as_deref().or(self.teams_join_url.as_deref())
    }

    /// Whether the event lives in Teams (a linked webinar or a created meeting).
    pub fn in_teams(&self) -> bool {
        self.teams_webinar_id.is_some() || self.teams_meeting_id.is_some()
    }

    /// Teams sends this webinar's attendees their personal join links by email.
    pub fn teams_sends_links(&self) -> bool {
        self.teams_webinar_id.is_some() && self.teams_emails
    }
}

pub const EVENT_COLUMNS: &str =
    "id, organization_id, slug, title, summary, description, kind, status, start_at, end_at, time_zone, capacity, \
    waitlist_enabled, manual_approval, registration_opens_at, registration_closes_at, join_url, terms_url, \
    registered_count, waitlisted_count, pending_count, next_waitlist_seq, teams_webinar_id, teams_emails, teams_meeting_id, \
    teams_join_url, teams_owner, held_count, confirm_hold_minutes";

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
        questions: Vec::new(),
        presenters: Vec::new(),
    })
}

pub fn decode_error(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected {column} {value:?} in the database").into())
}

impl Event {
    pub fn window(&self) -> RegistrationWindow {
        RegistrationWindow {
            status: self.status,
            opens_at: self.registration_opens_at,
            closes_at: self.registration_closes_at,
            ends_at: self.end_at,
        }
    }

    pub fn seats(&self) -> SeatState {
        SeatState {
            capacity: self.capacity,
            registered: self.registered_count,
            held: self.held_count,
            waitlisted: self.waitlisted_count,
            waitlist_enabled: self.waitlist_enabled,
            manual_approval: self.manual_approval,
        }
    }

    /// "12 of 50 places left", "Full — join the waitlist", and so on.
    pub fn availability(&self) -> String {
        match self.seats().seats_left() {
            None => "Open to everyone".into(),
            Some(0) if self.waitlist_enabled => "Full — you can join the waitlist".into(),
            Some(0) => "Full".into(),
            Some(_) if self.waitlisted_count > 0 => "Full — you can join the waitlist".into(),
            Some(1) => "1 place left".into(),
            Some(n) if n <= 10 => format!("Only {n} places left"),
            Some(n) => format!("{n} places left"),
        }
    }
}

/// `$1, $2, …` for `n` values, for an `IN (…)` list. (sqlx's QueryBuilder writes `?` for the
/// Any driver, which PostgreSQL does not accept.)
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
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
        let ids = placeholders(chunk.len());
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

/// A new event with its questions and presenters, as the organizer defines it.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// The organization that owns the event.
    pub organization_id: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub kind: EventKind,
    pub status: EventStatus,
    pub start_at: i64,
    pub end_at: i64,
    pub time_zone: String,
    pub capacity: Option<i64>,
    pub waitlist_enabled: bool,
    pub manual_approval: bool,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
    pub join_url: Option<String>,
    pub terms_url: Option<String>,
    /// Predefined questions carry their label in `predefined`.
    pub questions: Vec<(Question, Option<PredefinedLabel>)>,
    pub presenters: Vec<Presenter>,
}

/// Stores a new event in one transaction and returns its id.
pub async fn insert(db: &Db, e: &NewEvent) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = jiff::Timestamp::now().as_second();
    let mut tx = db.begin_write().await?;
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
    crate::events::reminders::create_defaults(&mut tx, &id, now).await?;
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
    tx.commit().await?;
    Ok(id)
}
