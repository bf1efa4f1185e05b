//! The questions an event asks registrants, as an organizer defines them, and their checks.

use super::text_len;
use app::domain::{AnswerInputType, FieldError, PredefinedLabel, Question, QuestionKind};
use serde::Deserialize;

/// A question as an organizer defines it: a predefined `label`, or a custom one.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionInput {
    /// `predefined` or `custom` (default).
    #[serde(default)]
    pub kind: Option<String>,
    /// For predefined questions: street, city, state, postalCode, countryOrRegion, industry, jobTitle, organization.
    #[serde(default)]
    pub predefined_label: Option<String>,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub answer_input_type: Option<String>,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub is_required: bool,
}

const MAX_QUESTIONS: usize = 50;

const MAX_CHOICES: usize = 50;

pub(super) fn parse_questions(inputs: &[QuestionInput], errors: &mut Vec<FieldError>) -> Vec<(Question, Option<PredefinedLabel>)> {
    if inputs.len() > MAX_QUESTIONS {
        errors.push(FieldError::new(
            "questions",
            format!("An event can ask at most {MAX_QUESTIONS} questions."),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, q) in inputs.iter().enumerate() {
        let field = |name: &str| format!("questions[{i}].{name}");
        let kind = q.kind.as_deref().map(QuestionKind::parse).unwrap_or(Some(QuestionKind::Custom));
        match kind {
            Some(QuestionKind::Predefined) => {
                let Some(label) = q.predefined_label.as_deref().and_then(PredefinedLabel::parse) else {
                    errors.push(FieldError::new(field("predefinedLabel"), "Choose one of the predefined questions."));
                    continue;
                };
                if out.iter().any(|(_, p): &(Question, Option<PredefinedLabel>)| *p == Some(label)) {
                    errors.push(FieldError::new(field("predefinedLabel"), "This question is asked twice."));
                    continue;
                }
                out.push((Question::predefined("", label, q.is_required), Some(label)));
            }
            Some(QuestionKind::Custom) => {
                text_len(errors, &field("label"), &q.label, 1, 200, "the question");
                let Some(input) = q
                    .answer_input_type
                    .as_deref()
                    .map(AnswerInputType::parse)
                    .unwrap_or(Some(AnswerInputType::Text))
                else {
                    errors.push(FieldError::new(
                        field("answerInputType"),
                        "Use text, multilineText, singleChoice, multiChoice or boolean.",
                    ));
                    continue;
                };
                let choices: Vec<String> = q.choices.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
                let needs_choices = matches!(input, AnswerInputType::SingleChoice | AnswerInputType::MultiChoice);
                if needs_choices && choices.len() < 2 {
                    errors.push(FieldError::new(field("choices"), "Offer at least two choices."));
                } else if choices.len() > MAX_CHOICES || choices.iter().any(|c| c.chars().count() > 200) {
                    errors.push(FieldError::new(
                        field("choices"),
                        format!("Offer at most {MAX_CHOICES} choices of up to 200 characters."),
                    ));
                } else if (1..choices.len()).any(|k| choices[..k].contains(&choices[k])) {
                    errors.push(FieldError::new(field("choices"), "Each choice must be different."));
                }
                out.push((
                    Question {
                        id: String::new(),
                        kind: QuestionKind::Custom,
                        label: q.label.trim().to_string(),
                        answer_input_type: input,
                        choices: if needs_choices { choices } else { Vec::new() },
                        is_required: q.is_required,
                    },
                    None,
                ));
            }
            None => errors.push(FieldError::new(field("kind"), "Use predefined or custom.")),
        }
    }
    out
}
