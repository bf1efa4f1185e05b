//! A business's custom questions (Graph's `bookingCustomQuestion`): made once for the business,
//! then asked by the services that list them.

use super::{business, SetupError};
use crate::accounts::auth::Organizer;
use crate::appointments::model::Question;
use crate::appointments::store;
use crate::store::Db;
use app::domain::FieldError;
use serde::Deserialize;
use utoipa::ToSchema;

/// A question to add (`bookingCustomQuestion`).
#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionInput {
    pub display_name: Option<String>,
    /// text (the default) or radioButton.
    pub answer_input_type: Option<String>,
    /// A radioButton question's choices: 2 to 20, each up to 100 characters.
    pub answer_options: Option<Vec<String>>,
}

/// The question's text, kind and choices, or each field at fault.
pub(super) fn check(input: &QuestionInput) -> Result<(String, String, Vec<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.display_name.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("displayName", "Give the question, in at most 200 characters."));
    }
    let kind = input.answer_input_type.as_deref().unwrap_or("text");
    let options: Vec<String> = input
        .answer_options
        .iter()
        .flatten()
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect();
    match kind {
        "text" if options.is_empty() => {}
        "text" => errors.push(FieldError::new("answerOptions", "A text question has no choices.")),
        "radioButton" => {
            let mut distinct = options.clone();
            distinct.sort();
            distinct.dedup();
            if !(2..=20).contains(&options.len()) || options.iter().any(|o| o.chars().count() > 100) || distinct.len() != options.len() {
                errors.push(FieldError::new(
                    "answerOptions",
                    "Give 2 to 20 different choices, each up to 100 characters.",
                ));
            }
        }
        _ => errors.push(FieldError::new("answerInputType", "Use text or radioButton.")),
    }
    errors
        .is_empty()
        .then(|| (name.to_string(), kind.to_string(), options))
        .ok_or(errors)
}

pub async fn questions(db: &Db, org: &Organizer, slug: &str) -> Result<Vec<Question>, SetupError> {
    let b = business(db, org, slug).await?;
    Ok(store::questions(db, &b.id).await?)
}

pub async fn create_question(db: &Db, org: &Organizer, slug: &str, input: &QuestionInput) -> Result<Question, SetupError> {
    let b = business(db, org, slug).await?;
    let (display_name, answer_input_type, answer_options) = check(input)?;
    let q = Question {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: b.id,
        display_name,
        answer_input_type,
        answer_options,
    };
    let mut tx = db.begin_write().await?;
    store::insert_question(&mut tx, &q).await?;
    tx.commit().await?;
    Ok(q)
}

/// Removes a question no service asks (409 otherwise: take it off the services first).
pub async fn remove_question(db: &Db, org: &Organizer, slug: &str, id: &str) -> Result<(), SetupError> {
    let b = business(db, org, slug).await?;
    let mut tx = db.begin_write().await?;
    let asking: Vec<String> = store::services_in(&mut tx, &b.id)
        .await?
        .into_iter()
        .filter(|s| s.questions.iter().any(|q| q.question_id == id))
        .map(|s| s.display_name)
        .collect();
    if !asking.is_empty() {
        return Err(SetupError::Conflict(format!(
            "These services ask this question: {}. Take it off them first.",
            asking.join(", ")
        )));
    }
    if !store::delete_question(&mut tx, &b.id, id).await? {
        return Err(SetupError::NotFound("Question"));
    }
    tx.commit().await?;
    Ok(())
}
