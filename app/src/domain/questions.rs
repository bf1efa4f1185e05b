//! Registration questions and answers: Graph's question shapes, and checking every answer against its question.

use super::*;
use serde::{Deserialize, Serialize};

/// A registration question as shown to attendees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub label: String,
    pub answer_input_type: AnswerInputType,
    pub choices: Vec<String>,
    pub is_required: bool,
}

impl Question {
    /// A predefined question; its label and input type come from Graph's definition.
    pub fn predefined(id: impl Into<String>, label: PredefinedLabel, is_required: bool) -> Self {
        Self {
            id: id.into(),
            kind: QuestionKind::Predefined,
            label: label.display_name().to_string(),
            answer_input_type: AnswerInputType::Text,
            choices: Vec::new(),
            is_required,
        }
    }
}

/// One answer as submitted, before validation (Graph's `virtualEventRegistrationQuestionAnswer`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RawAnswer {
    pub question_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boolean_value: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_choice_values: Option<Vec<String>>,
}

/// A validated answer to one question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Answer {
    pub question_id: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boolean_value: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_choice_values: Option<Vec<String>>,
}

impl Answer {
    /// The answer as one line of text, for tables, emails and CSV.
    pub fn as_text(&self) -> String {
        if let Some(b) = self.boolean_value {
            return if b { "Yes".into() } else { "No".into() };
        }
        if let Some(v) = &self.multi_choice_values {
            return v.join("; ");
        }
        self.value.clone().unwrap_or_default()
    }
}

/// The form field name used for a question's answer.
pub fn answer_field(question_id: &str) -> String {
    format!("answers.{question_id}")
}

pub(super) fn has_control_chars(text: &str, allow_newlines: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
}

/// Validates every answer against the event's questions. Unknown question ids, answers of the
/// wrong type, choices that were not offered, over-long text and missing required answers are
/// each reported against the question's field.
pub fn validate_answers(questions: &[Question], raw: &[RawAnswer]) -> Result<Vec<Answer>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut answers = Vec::new();
    for (i, answer) in raw.iter().enumerate() {
        if !questions.iter().any(|q| q.id == answer.question_id) {
            errors.push(FieldError::new(
                format!("answers[{i}].questionId"),
                "This question is not part of the event.",
            ));
        }
        if raw[..i].iter().any(|a| a.question_id == answer.question_id) {
            errors.push(FieldError::new(
                format!("answers[{i}].questionId"),
                "This question was answered twice.",
            ));
        }
    }
    for q in questions {
        let field = answer_field(&q.id);
        let given = raw.iter().find(|a| a.question_id == q.id);
        let mut answer = Answer {
            question_id: q.id.clone(),
            display_name: q.label.clone(),
            value: None,
            boolean_value: None,
            multi_choice_values: None,
        };
        let present = match q.answer_input_type {
            AnswerInputType::Text | AnswerInputType::MultilineText => {
                let max = if q.answer_input_type == AnswerInputType::Text {
                    MAX_TEXT_ANSWER
                } else {
                    MAX_MULTILINE_ANSWER
                };
                let text = given.and_then(|a| a.value.as_deref()).map(str::trim).unwrap_or("");
                if text.chars().count() > max {
                    errors.push(FieldError::new(&field, format!("Please keep this under {max} characters.")));
                    continue;
                }
                if has_control_chars(text, q.answer_input_type == AnswerInputType::MultilineText) {
                    errors.push(FieldError::new(&field, "This answer contains characters that can't be used."));
                    continue;
                }
                if !text.is_empty() {
                    answer.value = Some(text.to_string());
                }
                !text.is_empty()
            }
            AnswerInputType::SingleChoice => {
                let text = given.and_then(|a| a.value.as_deref()).unwrap_or("");
                if !text.is_empty() && !q.choices.iter().any(|c| c == text) {
                    errors.push(FieldError::new(&field, "Please pick one of the options offered."));
                    continue;
                }
                if !text.is_empty() {
                    answer.value = Some(text.to_string());
                }
                !text.is_empty()
            }
            AnswerInputType::MultiChoice => {
                let picked = given.and_then(|a| a.multi_choice_values.clone()).unwrap_or_default();
                if let Some(bad) = picked.iter().find(|p| !q.choices.contains(p)) {
                    errors.push(FieldError::new(&field, format!("\"{bad}\" is not one of the options offered.")));
                    continue;
                }
                let mut unique: Vec<String> = Vec::new();
                for p in picked {
                    if !unique.contains(&p) {
                        unique.push(p);
                    }
                }
                let present = !unique.is_empty();
                if present {
                    answer.multi_choice_values = Some(unique);
                }
                present
            }
            AnswerInputType::Boolean => {
                let value = given.and_then(|a| a.boolean_value);
                answer.boolean_value = value;
                // A required yes/no question must be answered "yes" (like a checkbox that must be ticked).
                if q.is_required && value != Some(true) {
                    errors.push(FieldError::new(&field, "Please tick this box to continue."));
                    continue;
                }
                value.is_some()
            }
        };
        if q.is_required && !present {
            errors.push(FieldError::new(&field, "Please answer this question."));
            continue;
        }
        if present {
            answers.push(answer);
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}
