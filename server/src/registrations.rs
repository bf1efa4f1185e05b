//! Registering, looking up and canceling registrations. Each change is one transaction that
//! also writes the emails it causes into the outbox, so nothing is half-done and nothing is lost.

use crate::db::{Db, WriteTx};
use crate::events::{self, event_from_row, Event, EVENT_COLUMNS};
use crate::outbox::{self, Mail};
use app::domain::{
    parse_language, parse_name, validate_answers, Admission, Answer, EmailAddress, FieldError, RawAnswer, Refusal, RegistrationStatus,
};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// Longest accepted `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;
/// A registrant asking again for their details gets at most one email per this many seconds.
const RESEND_INTERVAL: i64 = 600;

/// A registration request as it arrives from the form or the API.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRegistration {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub preferred_timezone: String,
    #[serde(default)]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub answers: Vec<RawAnswer>,
    #[serde(default)]
    pub accept_terms: bool,
}

/// The result of a registration, as stored for idempotent replays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub id: String,
    pub status: RegistrationStatus,
    pub manage_token: String,
    pub waitlist_position: Option<i64>,
}

#[derive(Debug)]
pub enum Registered {
    /// A new registration (or a canceled one made active again).
    Created(Summary),
    /// The same email was already registered: the existing registration, whose details were
    /// emailed to its owner again rather than handed to whoever asked.
    Existing {
        id: String,
        status: RegistrationStatus,
        waitlist_position: Option<i64>,
    },
    /// The same `Idempotency-Key` was used before: the first answer, again.
    Replayed(Summary),
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("event not found")]
    NotFound,
    #[error("invalid registration")]
    Invalid(Vec<FieldError>),
    #[error("registration refused")]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A registration with its event, for the manage page and emails.
#[derive(Clone, Debug)]
pub struct Registration {
    pub id: String,
    pub event_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: RegistrationStatus,
    pub waitlist_seq: Option<i64>,
    pub preferred_timezone: String,
    pub preferred_language: Option<String>,
    pub answers: Vec<Answer>,
    pub manage_token: String,
    pub created_at: i64,
}

const REG_COLUMNS: &str = "id, event_id, email, first_name, last_name, status, waitlist_seq, preferred_timezone, preferred_language, answers, manage_token, created_at";

fn registration_from_row(row: &AnyRow) -> Result<Registration, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let answers: String = row.try_get("answers")?;
    Ok(Registration {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        email: row.try_get("email")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        status: RegistrationStatus::parse(&status).ok_or_else(|| events::decode_error("registration status", &status))?,
        waitlist_seq: row.try_get("waitlist_seq")?,
        preferred_timezone: row.try_get("preferred_timezone")?,
        preferred_language: row.try_get("preferred_language")?,
        answers: serde_json::from_str(&answers).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        manage_token: row.try_get("manage_token")?,
        created_at: row.try_get("created_at")?,
    })
}

pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A fresh secret for a manage link: 128 random bits, URL-safe.
pub fn new_token() -> String {
    use base64::Engine;
    let bytes: [u8; 18] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The checked form of a request, before any seat is taken.
struct Checked {
    email: EmailAddress,
    first_name: String,
    last_name: String,
    timezone: String,
    language: Option<String>,
    answers: Vec<Answer>,
}

/// Checks every field and reports every problem at once, each against its field name.
fn check(event: &Event, input: &NewRegistration) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let first_name = parse_name(&input.first_name, "first name")
        .map_err(|m| errors.push(FieldError::new("firstName", m)))
        .ok();
    let last_name = parse_name(&input.last_name, "last name")
        .map_err(|m| errors.push(FieldError::new("lastName", m)))
        .ok();
    let email = EmailAddress::parse(&input.email)
        .map_err(|m| errors.push(FieldError::new("email", m)))
        .ok();
    let tz = if input.preferred_timezone.trim().is_empty() {
        event.time_zone.clone()
    } else {
        input.preferred_timezone.trim().to_string()
    };
    let timezone = app::tz::parse_zone(&tz)
        .map(|_| tz)
        .map_err(|m| errors.push(FieldError::new("preferredTimezone", m)))
        .ok();
    let language = match input.preferred_language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => parse_language(l)
            .map_err(|m| errors.push(FieldError::new("preferredLanguage", m)))
            .ok(),
    };
    let answers = validate_answers(&event.questions, &input.answers)
        .map_err(|e| errors.extend(e))
        .ok();
    if event.terms_url.is_some() && !input.accept_terms {
        errors.push(FieldError::new("acceptTerms", "Please accept the terms to register."));
    }
    match (first_name, last_name, email, timezone, answers) {
        (Some(first_name), Some(last_name), Some(email), Some(timezone), Some(answers)) if errors.is_empty() => Ok(Checked {
            email,
            first_name,
            last_name,
            timezone,
            language,
            answers,
        }),
        _ => Err(errors),
    }
}

async fn lock_event(db: &Db, tx: &mut WriteTx, event_id: &str) -> Result<Event, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1{}", db.for_update()))
        .bind(event_id)
        .fetch_one(&mut *tx.tx)
        .await?;
    event_from_row(&row)
}

async fn waitlist_position(tx: &mut WriteTx, event_id: &str, seq: Option<i64>) -> Result<Option<i64>, sqlx::Error> {
    let Some(seq) = seq else { return Ok(None) };
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND waitlist_seq <= $2")
            .bind(event_id)
            .bind(seq)
            .fetch_one(&mut *tx.tx)
            .await?;
    Ok(Some(n))
}

/// Moves the event's counters for a registration leaving `from` and entering `to`.
pub(crate) async fn shift_counts(
    tx: &mut WriteTx,
    event_id: &str,
    from: Option<RegistrationStatus>,
    to: Option<RegistrationStatus>,
    now: i64,
) -> Result<(), sqlx::Error> {
    fn column(s: RegistrationStatus) -> Option<&'static str> {
        match s {
            RegistrationStatus::Registered => Some("registered_count"),
            RegistrationStatus::Waitlisted => Some("waitlisted_count"),
            RegistrationStatus::PendingApproval => Some("pending_count"),
            _ => None,
        }
    }
    let mut sets = vec!["updated_at = $2".to_string()];
    if let Some(c) = from.and_then(column) {
        sets.push(format!("{c} = {c} - 1"));
    }
    if let Some(c) = to.and_then(column) {
        sets.push(format!("{c} = {c} + 1"));
    }
    sqlx::query(&format!("UPDATE events SET {} WHERE id = $1", sets.join(", ")))
        .bind(event_id)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

fn mail_for(status: RegistrationStatus) -> Mail {
    match status {
        RegistrationStatus::Registered => Mail::Confirmation,
        RegistrationStatus::Waitlisted => Mail::Waitlisted,
        _ => Mail::PendingApproval,
    }
}

/// Registers someone for the event with `slug`. The fields are checked here; the seat is then
/// decided by the [`Registrar`]'s writer inside a transaction that holds the event, so capacity
/// can never be exceeded.
pub async fn register(
    registrar: &Registrar,
    slug: &str,
    input: &NewRegistration,
    idempotency_key: Option<&str>,
) -> Result<Registered, RegisterError> {
    let event = events::for_registration(&registrar.db, slug)
        .await?
        .ok_or(RegisterError::NotFound)?;
    // Fail fast on a closed event, before reading the fields.
    event.window().check(now()).map_err(RegisterError::Refused)?;
    let checked = check(&event, input).map_err(RegisterError::Invalid)?;
    let (reply, answer) = oneshot::channel();
    let pending = Pending {
        event_id: event.id,
        checked,
        key: idempotency_key.map(str::to_string),
        reply,
    };
    registrar
        .queue
        .send(pending)
        .await
        .map_err(|_| RegisterError::Db(sqlx::Error::PoolClosed))?;
    answer.await.map_err(|_| RegisterError::Db(sqlx::Error::PoolClosed))?
}

/// Writes registrations. Requests that arrive together are decided in one transaction (group
/// commit), one after another in arrival order, each against the seats the ones before it took.
#[derive(Clone)]
pub struct Registrar {
    db: Db,
    queue: mpsc::Sender<Pending>,
}

/// Most registrations decided in one transaction.
const MAX_BATCH: usize = 64;

struct Pending {
    event_id: String,
    checked: Checked,
    key: Option<String>,
    reply: oneshot::Sender<Result<Registered, RegisterError>>,
}

type Outcome = Result<Registered, RegisterError>;

impl Registrar {
    /// Starts the writer task for `db`.
    pub fn start(db: Db) -> Self {
        let (queue, mut inbox) = mpsc::channel::<Pending>(4096);
        let writer_db = db.clone();
        tokio::spawn(async move {
            while let Some(first) = inbox.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match inbox.try_recv() {
                        Ok(p) => batch.push(p),
                        Err(_) => break,
                    }
                }
                match write_batch(&writer_db, &batch).await {
                    Ok(outcomes) => {
                        for (p, outcome) in batch.into_iter().zip(outcomes) {
                            let _ = p.reply.send(outcome);
                        }
                    }
                    // One bad apple must not spoil the rest: retry each on its own.
                    Err(_) if batch.len() > 1 => {
                        for p in batch {
                            let outcome = match write_batch(&writer_db, std::slice::from_ref(&p)).await {
                                Ok(mut o) => o.pop().expect("one outcome per request"),
                                Err(e) => Err(RegisterError::Db(e)),
                            };
                            let _ = p.reply.send(outcome);
                        }
                    }
                    Err(e) => {
                        let p = batch.pop().expect("a batch has a request");
                        let _ = p.reply.send(Err(RegisterError::Db(e)));
                    }
                }
            }
        });
        Self { db, queue }
    }
}

/// Decides a batch of registrations in one transaction. Every event involved is locked once and
/// its counters written once, at the end.
async fn write_batch(db: &Db, batch: &[Pending]) -> Result<Vec<Outcome>, sqlx::Error> {
    let now = now();
    let mut tx = db.begin_write().await?;
    let mut locked: HashMap<String, (Event, Event)> = HashMap::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    for item in batch {
        if !locked.contains_key(&item.event_id) {
            let event = lock_event(db, &mut tx, &item.event_id).await?;
            locked.insert(item.event_id.clone(), (event.clone(), event));
        }
        let (_, current) = locked.get_mut(&item.event_id).expect("locked above");
        outcomes.push(register_one(&mut tx, current, item, now).await?);
    }
    for (id, (before, after)) in &locked {
        let changed = (
            before.registered_count,
            before.waitlisted_count,
            before.pending_count,
            before.next_waitlist_seq,
        ) != (
            after.registered_count,
            after.waitlisted_count,
            after.pending_count,
            after.next_waitlist_seq,
        );
        if changed {
            sqlx::query(
                "UPDATE events SET registered_count = $2, waitlisted_count = $3, pending_count = $4, next_waitlist_seq = $5, updated_at = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(after.registered_count)
            .bind(after.waitlisted_count)
            .bind(after.pending_count)
            .bind(after.next_waitlist_seq)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Decides one registration inside the batch's transaction. `current` is the locked event with
/// the seats taken so far in this batch, and is updated for the next request.
async fn register_one(tx: &mut WriteTx, current: &mut Event, item: &Pending, now: i64) -> Result<Outcome, sqlx::Error> {
    let checked = &item.checked;
    let event_id = current.id.clone();
    if let Some(key) = &item.key {
        let stored: Option<String> = sqlx::query_scalar("SELECT body FROM idempotency_keys WHERE event_id = $1 AND idem_key = $2")
            .bind(&event_id)
            .bind(key)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if let Some(body) = stored {
            let summary: Summary = serde_json::from_str(&body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            return Ok(Ok(Registered::Replayed(summary)));
        }
    }
    if let Err(refusal) = current.window().check(now) {
        return Ok(Err(RegisterError::Refused(refusal)));
    }
    let status = match current.seats().admit() {
        Admission::Registered => Some(RegistrationStatus::Registered),
        Admission::PendingApproval => Some(RegistrationStatus::PendingApproval),
        Admission::Waitlisted => Some(RegistrationStatus::Waitlisted),
        Admission::Full => None,
    };
    let seq = (status == Some(RegistrationStatus::Waitlisted)).then_some(current.next_waitlist_seq);
    let token = new_token();
    let answers = serde_json::to_string(&checked.answers).expect("answers serialise");

    // The common case is one statement: a new row, unless this email already has one.
    let mut id = uuid::Uuid::now_v7().to_string();
    let inserted = match status {
        Some(status) => {
            sqlx::query(&format!(
                "INSERT INTO registrations ({REG_COLUMNS}, email_normalized, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12) \
                 ON CONFLICT (event_id, email_normalized) DO NOTHING"
            ))
            .bind(&id)
            .bind(&event_id)
            .bind(checked.email.as_str())
            .bind(&checked.first_name)
            .bind(&checked.last_name)
            .bind(status.as_str())
            .bind(seq)
            .bind(&checked.timezone)
            .bind(&checked.language)
            .bind(&answers)
            .bind(&token)
            .bind(now)
            .bind(checked.email.normalized())
            .execute(&mut *tx.tx)
            .await?
            .rows_affected()
                == 1
        }
        None => false,
    };
    if !inserted {
        let existing = sqlx::query(&format!(
            "SELECT {REG_COLUMNS}, reminded_at FROM registrations WHERE event_id = $1 AND email_normalized = $2"
        ))
        .bind(&event_id)
        .bind(checked.email.normalized())
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = existing else {
            return Ok(Err(RegisterError::Refused(Refusal::Full)));
        };
        let reg = registration_from_row(&row)?;
        match reg.status {
            s if s.is_active() => {
                let reminded_at: Option<i64> = row.try_get("reminded_at")?;
                let position = waitlist_position(tx, &event_id, reg.waitlist_seq.filter(|_| s == RegistrationStatus::Waitlisted)).await?;
                if reminded_at.is_none_or(|t| now - t >= RESEND_INTERVAL) {
                    sqlx::query("UPDATE registrations SET reminded_at = $2 WHERE id = $1")
                        .bind(&reg.id)
                        .bind(now)
                        .execute(&mut *tx.tx)
                        .await?;
                    outbox::enqueue(tx, Mail::Details, &reg.id, &reg.email, position).await?;
                }
                return Ok(Ok(Registered::Existing {
                    id: reg.id,
                    status: s,
                    waitlist_position: position,
                }));
            }
            RegistrationStatus::RejectedByOrganizer => {
                return Ok(Err(RegisterError::Invalid(vec![FieldError::new(
                    "email",
                    "The organizer has declined a registration from this email address.",
                )])));
            }
            _ => {}
        }
        // A canceled registration comes back to life with a fresh link.
        let Some(status) = status else {
            return Ok(Err(RegisterError::Refused(Refusal::Full)));
        };
        sqlx::query(
            "UPDATE registrations SET email = $2, first_name = $3, last_name = $4, status = $5, waitlist_seq = $6, preferred_timezone = $7, \
             preferred_language = $8, answers = $9, manage_token = $10, updated_at = $11, canceled_at = NULL WHERE id = $1",
        )
        .bind(&reg.id)
        .bind(checked.email.as_str())
        .bind(&checked.first_name)
        .bind(&checked.last_name)
        .bind(status.as_str())
        .bind(seq)
        .bind(&checked.timezone)
        .bind(&checked.language)
        .bind(&answers)
        .bind(&token)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
        id = reg.id;
    }
    let status = status.expect("a seat decision was made for a new registration");
    // Everyone already waiting is ahead of a newcomer.
    let position = seq.map(|_| current.waitlisted_count + 1);
    match status {
        RegistrationStatus::Registered => current.registered_count += 1,
        RegistrationStatus::Waitlisted => {
            current.waitlisted_count += 1;
            current.next_waitlist_seq += 1;
        }
        _ => current.pending_count += 1,
    }
    outbox::enqueue(tx, mail_for(status), &id, checked.email.as_str(), position).await?;
    if status == RegistrationStatus::Registered {
        crate::teams_sync::queue(tx, current, &id).await?;
    }
    let summary = Summary {
        id,
        status,
        manage_token: token,
        waitlist_position: position,
    };
    if let Some(key) = &item.key {
        sqlx::query("INSERT INTO idempotency_keys (event_id, idem_key, status_code, body, created_at) VALUES ($1, $2, 201, $3, $4)")
            .bind(&event_id)
            .bind(key)
            .bind(serde_json::to_string(&summary).expect("summary serialises"))
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(Ok(Registered::Created(summary)))
}

/// A registration by its manage token.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<Registration>, sqlx::Error> {
    if token.is_empty() || token.len() > 64 {
        return Ok(None);
    }
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE manage_token = $1"))
        .bind(token)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(registration_from_row).transpose()
}

/// A registration by id.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<Registration>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(registration_from_row).transpose()
}

/// Mirrors a registration made directly in Teams: a registered seat in Atrium (Teams already
/// accepted the person, so capacity is not re-decided), already in sync, with no email from
/// Atrium (Teams sent its own), remembering its Teams id (`teams_id`) so a later cancellation in
/// Teams finds it. Nothing happens when the email is already registered: that Atrium
/// registration is someone's own and stays as it is.
pub async fn import_from_teams(
    db: &Db,
    event_id: &str,
    teams_id: &str,
    email: &str,
    first_name: &str,
    last_name: &str,
    timezone: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let Ok(email) = EmailAddress::parse(email) else { return Ok(false) };
    let now = now();
    let mut tx = db.begin_write().await?;
    let event = lock_event(db, &mut tx, event_id).await?;
    let timezone = timezone.filter(|z| app::tz::parse_zone(z).is_ok()).unwrap_or(&event.time_zone);
    let inserted = sqlx::query(&format!(
        "INSERT INTO registrations ({REG_COLUMNS}, email_normalized, updated_at, teams_synced_at, teams_registration_id) \
         VALUES ($1, $2, $3, $4, $5, 'registered', NULL, $6, NULL, '[]', $7, $8, $9, $8, $8, $10) ON CONFLICT (event_id, email_normalized) DO NOTHING"
    ))
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(event_id)
    .bind(email.as_str())
    .bind(if first_name.trim().is_empty() { "Teams" } else { first_name.trim() })
    .bind(if last_name.trim().is_empty() { "attendee" } else { last_name.trim() })
    .bind(timezone)
    .bind(new_token())
    .bind(now)
    .bind(email.normalized())
    .bind(teams_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        shift_counts(&mut tx, event_id, None, Some(RegistrationStatus::Registered), now).await?;
    }
    tx.commit().await?;
    Ok(inserted)
}

/// Registrations by id, in one query, keyed by id. Unknown ids are left out.
pub async fn by_ids(db: &Db, ids: &[String]) -> Result<HashMap<String, Registration>, sqlx::Error> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(100) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT {REG_COLUMNS} FROM registrations WHERE id IN ({})", placeholders.join(", "));
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for row in q.fetch_all(&db.pool).await? {
            let reg = registration_from_row(&row)?;
            found.insert(reg.id.clone(), reg);
        }
    }
    Ok(found)
}

/// The place of a waitlisted registration in the queue, counting from 1.
pub async fn position_of(db: &Db, reg: &Registration) -> Result<Option<i64>, sqlx::Error> {
    if reg.status != RegistrationStatus::Waitlisted {
        return Ok(None);
    }
    let Some(seq) = reg.waitlist_seq else { return Ok(None) };
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND waitlist_seq <= $2")
            .bind(&reg.event_id)
            .bind(seq)
            .fetch_one(&db.pool)
            .await?;
    Ok(Some(n))
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("registration not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Cancels the registration behind `token`. A freed seat goes to the first person on the
/// waitlist in the same transaction, and both people are emailed. Canceling twice is harmless.
pub async fn cancel(db: &Db, token: &str) -> Result<Registration, CancelError> {
    let reg = by_token(db, token).await?.ok_or(CancelError::NotFound)?;
    let now = now();
    let mut tx = db.begin_write().await?;
    let event = lock_event(db, &mut tx, &reg.event_id).await?;
    let row = sqlx::query(&format!("SELECT {REG_COLUMNS} FROM registrations WHERE id = $1"))
        .bind(&reg.id)
        .fetch_one(&mut *tx.tx)
        .await?;
    let reg = registration_from_row(&row)?;
    if !reg.status.can_become(RegistrationStatus::Canceled) {
        tx.commit().await?;
        return Ok(reg);
    }
    sqlx::query("UPDATE registrations SET status = 'canceled', waitlist_seq = NULL, canceled_at = $2, updated_at = $2 WHERE id = $1")
        .bind(&reg.id)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    shift_counts(&mut tx, &event.id, Some(reg.status), None, now).await?;
    outbox::enqueue(&mut tx, Mail::Canceled, &reg.id, &reg.email, None).await?;
    if reg.status == RegistrationStatus::Registered {
        crate::teams_sync::queue_unregister(&mut tx, &event, &reg.id).await?;
    }
    if reg.status == RegistrationStatus::Registered {
        promote_waitlisted(db, &mut tx, &event.id, now).await?;
    }
    tx.commit().await?;
    Ok(Registration {
        status: RegistrationStatus::Canceled,
        ..reg
    })
}

/// Gives free seats to people on the waitlist, first come first served, and tells them.
pub(crate) async fn promote_waitlisted(db: &Db, tx: &mut WriteTx, event_id: &str, now: i64) -> Result<(), sqlx::Error> {
    loop {
        let event = lock_event(db, tx, event_id).await?;
        if event.status != app::domain::EventStatus::Published || !event.seats().can_promote() {
            return Ok(());
        }
        let next =
            sqlx::query("SELECT id, email FROM registrations WHERE event_id = $1 AND status = 'waitlisted' ORDER BY waitlist_seq LIMIT 1")
                .bind(event_id)
                .fetch_optional(&mut *tx.tx)
                .await?;
        let Some(next) = next else { return Ok(()) };
        let id: String = next.try_get("id")?;
        let email: String = next.try_get("email")?;
        sqlx::query("UPDATE registrations SET status = 'registered', waitlist_seq = NULL, updated_at = $2 WHERE id = $1")
            .bind(&id)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        shift_counts(
            tx,
            event_id,
            Some(RegistrationStatus::Waitlisted),
            Some(RegistrationStatus::Registered),
            now,
        )
        .await?;
        outbox::enqueue(tx, Mail::Promoted, &id, &email, None).await?;
        crate::teams_sync::queue(tx, &event, &id).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
