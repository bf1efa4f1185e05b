//! A customer's answers to the custom questions a service asks: each checked against its
//! question (required, one of a radioButton question's choices, not too long) and kept with the
//! question as it was asked.

use super::model::{self, Service};
use super::Catalog;
use app::domain::FieldError;
use serde::{Deserialize, Serialize};

/// A customer's answer to one of the service's questions.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnswerInput {
    #[serde(default)]
    pub question_id: String,
    #[serde(default)]
    pub answer: String,
}

/// The longest answer kept, from the booking form or read back from Bookings.
pub const MAX_ANSWER: usize = 1000;

/// The answers to `service`'s questions, each checked; a field error per question at fault
/// (`answers.{questionId}`).
pub(super) fn check_answers(
    catalog: &Catalog,
    service: &Service,
    given: &[AnswerInput],
    errors: &mut Vec<FieldError>,
) -> Vec<model::Answer> {
    if let Some(stray) = given
        .iter()
        .find(|a| !service.questions.iter().any(|q| q.question_id == a.question_id))
    {
        errors.push(FieldError::new(
            "answers",
            format!("{:?} is not a question of this service.", stray.question_id),
        ));
    }
    let mut out = Vec::new();
    for (q, required) in catalog.questions_of(service) {
        let field = format!("answers.{}", q.id);
        let answer = given.iter().find(|a| a.question_id == q.id).map(|a| a.answer.trim()).unwrap_or("");
        if answer.is_empty() {
            if required {
                errors.push(FieldError::new(field, format!("Please answer: {}", q.display_name)));
            }
            continue;
        }
        if q.answer_input_type == "radioButton" && !q.answer_options.iter().any(|o| o == answer) {
            errors.push(FieldError::new(field, "Choose one of the answers given."));
        } else if answer.chars().count() > MAX_ANSWER {
            errors.push(FieldError::new(field, format!("Keep the answer to {MAX_ANSWER} characters.")));
        } else {
            out.push(model::Answer {
                question_id: q.id.clone(),
                question: q.display_name.clone(),
                answer: answer.to_string(),
            });
        }
    }
    out
}
