//! What organizers see and decide about registrations: the registrant list with search and
//! paging, the CSV export, and approve, decline, promote or cancel.

use super::store::organizer::ExportCursor;
use crate::accounts::auth::Organizer;
use crate::events::{event, ManageError};
use crate::store::Db;
use app::domain::RegistrationStatus;

/// One row of the organizer's registrant table.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Registrant)]
pub struct RegistrantRow {
    pub id: String,
    pub status: RegistrationStatus,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub preferred_timezone: String,
    pub preferred_language: Option<String>,
    pub registration_date_time: String,
    pub registration_question_answers: Vec<app::domain::Answer>,
}

/// The highest page number a registrant list accepts (at 500 a page, far beyond any event).
pub const MAX_PAGE: i64 = 100_000;

/// What starts a formula in some spreadsheet: neutralised in every cell.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell's text made inert for spreadsheets: a `'` before a leading formula character, and
/// before one following a `;` (spreadsheets in locales that split on `;` start a new cell
/// there).
fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut at_start = true;
    for c in text.chars() {
        if at_start && FORMULA_START.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        at_start = c == ';';
    }
    out
}

/// Rows as CSV with every cell quoted and inert.
pub(crate) fn to_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(|c| inert(c)))
            .expect("writing to memory cannot fail");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory cannot fail")).expect("CSV of strings is UTF-8")
}

/// How many registrants one page of an export reads.
const EXPORT_PAGE: i64 = 500;

/// A CSV export under way: the body arrives page by page, so memory stays flat however many
/// people registered.
pub type CsvStream = std::pin::Pin<Box<dyn futures::Stream<Item = Result<String, ManageError>> + Send>>;

/// Every registrant of the event with their answers, as CSV, in the order they registered. The
/// event is looked up (in the organizer's organization) and the export recorded in the audit
/// log before the first byte, so a refusal is still a whole response.
pub async fn registrants_csv(db: &Db, org: &Organizer, slug: &str) -> Result<CsvStream, ManageError> {
    let current = event(db, org, slug).await?;
    crate::accounts::audit::record_now(db, &org.organization_id, &org.email, "registrations.exported", &current.slug).await?;
    let mut header = vec![
        "id",
        "status",
        "firstName",
        "lastName",
        "email",
        "preferredTimezone",
        "preferredLanguage",
        "registrationDateTime",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend(current.questions.iter().map(|q| q.label.clone()));
    let head = futures::stream::once(std::future::ready(Ok(to_csv(&[header]))));
    let db = db.clone();
    let pages = futures::stream::try_unfold(Some(None), move |cursor: Option<Option<ExportCursor>>| {
        let db = db.clone();
        let current = current.clone();
        async move {
            let Some(cursor) = cursor else { return Ok(None) };
            let (rows, next) = super::store::organizer::export_page(&db, &current.id, cursor.as_ref(), EXPORT_PAGE).await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let more = (rows.len() as i64 == EXPORT_PAGE).then_some(next);
            let table: Vec<Vec<String>> = rows.iter().map(|r| cells(&current, r)).collect();
            Ok(Some((to_csv(&table), more)))
        }
    });
    Ok(Box::pin(futures::StreamExt::chain(head, pages)))
}

/// One registrant's CSV cells, answers in the order of the event's questions.
fn cells(current: &crate::events::Event, r: &RegistrantRow) -> Vec<String> {
    let mut cells = vec![
        r.id.clone(),
        r.status.as_str().to_string(),
        r.first_name.clone(),
        r.last_name.clone(),
        r.email.clone(),
        r.preferred_timezone.clone(),
        r.preferred_language.clone().unwrap_or_default(),
        r.registration_date_time.clone(),
    ];
    for q in &current.questions {
        cells.push(
            r.registration_question_answers
                .iter()
                .find(|a| a.question_id == q.id)
                .map(|a| a.as_text())
                .unwrap_or_default(),
        );
    }
    cells
}

/// What an organizer can decide about one registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Promote,
    Cancel,
}

impl Decision {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "approve" => Some(Decision::Approve),
            "reject" => Some(Decision::Reject),
            "promote" => Some(Decision::Promote),
            "cancel" => Some(Decision::Cancel),
            _ => None,
        }
    }
}

/// Registrants of the organization's event, filtered by status and a search over name and
/// email, newest first; `page` is (limit, offset). Also the total count.
pub async fn registrants(
    db: &Db,
    org: &Organizer,
    slug: &str,
    status: Option<RegistrationStatus>,
    search: Option<&str>,
    page: (i64, i64),
) -> Result<(Vec<RegistrantRow>, i64), ManageError> {
    let current = event(db, org, slug).await?;
    super::store::organizer::list(db, &current, status, search, page).await
}

/// Applies an organizer's decision to a registration of their event, in one transaction, and
/// emails the registrant. Approving or promoting needs a free seat.
pub async fn decide(
    db: &Db,
    org: &Organizer,
    slug: &str,
    registration_id: &str,
    decision: Decision,
) -> Result<RegistrationStatus, ManageError> {
    let current = event(db, org, slug).await?;
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let to = super::decisions::apply(&mut tx, org, &current, registration_id, decision, now).await?;
    tx.commit().await?;
    Ok(to)
}
