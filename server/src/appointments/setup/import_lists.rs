//! The lists a Bookings business brings besides its services and staff: its custom questions
//! (checked by the organizer API's rules; a kind of answer Atrium does not ask is left out) and
//! its customers (one per email address; one Atrium cannot write to is left out).

use super::questions::{check, QuestionInput};
use super::SetupError;
use crate::appointments::model::{ImportedCustomer, Question};
use app::domain::{EmailAddress, FieldError};
use serde::Deserialize;

/// A Bookings customer (`bookingCustomer`) as Graph gives it.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInput {
    pub display_name: Option<String>,
    pub email_address: Option<String>,
    #[serde(default)]
    pub phones: Vec<PhoneInput>,
}

/// One of a customer's phone numbers (Graph's `phone`).
#[derive(Deserialize, Default)]
pub struct PhoneInput {
    pub number: Option<String>,
    /// home, business, mobile, other, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A custom question of Bookings' that was not brought over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOutQuestion {
    pub id: String,
    pub display_name: String,
    pub answer_input_type: String,
    /// The services that asked it (they no longer do).
    pub asked_by: Vec<String>,
}

/// A customer of Bookings' that was not brought over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOutCustomer {
    pub id: String,
    pub display_name: String,
    pub reason: String,
}

/// The kinds of answer Atrium asks for.
const KINDS: [&str; 2] = ["text", "radioButton"];

/// The business's questions Atrium can ask, each checked by the organizer API's rules (the
/// first one at fault refuses the import, named), and those of a kind it cannot ask.
pub(super) fn questions(business_id: &str, from: &[(String, QuestionInput)]) -> Result<(Vec<Question>, Vec<LeftOutQuestion>), SetupError> {
    let (mut taken, mut left_out) = (Vec::new(), Vec::new());
    for (id, input) in from {
        let kind = input.answer_input_type.as_deref().unwrap_or("text");
        if !KINDS.contains(&kind) {
            left_out.push(LeftOutQuestion {
                id: id.clone(),
                display_name: input.display_name.clone().unwrap_or_default(),
                answer_input_type: kind.to_string(),
                asked_by: Vec::new(),
            });
            continue;
        }
        let (display_name, answer_input_type, answer_options) = check(input).map_err(|e| within(&format!("Custom question {id}"), e))?;
        if taken.iter().any(|q: &Question| q.id == *id) {
            return Err(within(
                &format!("Custom question {id}"),
                vec![FieldError::new("id", "Bookings listed this question twice.")],
            ));
        }
        taken.push(Question {
            id: id.clone(),
            business_id: business_id.to_string(),
            display_name,
            answer_input_type,
            answer_options,
        });
    }
    Ok((taken, left_out))
}

/// The business's customers, one per email address (the first Bookings lists), and those left
/// out: without an address Atrium can write to or a name, or another's address.
pub(super) fn customers(business_id: &str, from: &[(String, CustomerInput)]) -> (Vec<ImportedCustomer>, Vec<LeftOutCustomer>) {
    let (mut taken, mut left_out) = (Vec::<ImportedCustomer>::new(), Vec::new());
    for (id, input) in from {
        let display_name = input.display_name.clone().unwrap_or_default();
        let leave = |reason: String| LeftOutCustomer {
            id: id.clone(),
            display_name: display_name.trim().to_string(),
            reason,
        };
        let email = match EmailAddress::parse(input.email_address.as_deref().unwrap_or("")) {
            Ok(e) => e.as_str().to_ascii_lowercase(),
            Err(e) => {
                left_out.push(leave(format!("Email address: {}", e.0)));
                continue;
            }
        };
        let name = match app::domain::parse_name(&display_name, "name") {
            Ok(n) => n,
            Err(e) => {
                left_out.push(leave(format!("Name: {}", e.0)));
                continue;
            }
        };
        if let Some(first) = taken.iter().find(|c| c.email == email) {
            left_out.push(leave(format!(
                "The same email address as customer {}, brought over once.",
                first.id
            )));
            continue;
        }
        taken.push(ImportedCustomer {
            id: id.clone(),
            business_id: business_id.to_string(),
            display_name: name,
            email,
            phone: phone(&input.phones),
        });
    }
    (taken, left_out)
}

/// The number to keep: a mobile one first, then business, home and any other, the first that
/// reads as a phone number.
fn phone(phones: &[PhoneInput]) -> Option<String> {
    let rank = |p: &PhoneInput| match p.kind.as_deref() {
        Some("mobile") => 0,
        Some("business") => 1,
        Some("home") => 2,
        _ => 3,
    };
    let mut usable: Vec<(usize, &str)> = phones
        .iter()
        .filter_map(|p| Some((rank(p), p.number.as_deref()?.trim())))
        .filter(|(_, n)| crate::appointments::book::is_phone(n))
        .collect();
    usable.sort_by_key(|(rank, _)| *rank);
    usable.first().map(|(_, n)| n.to_string())
}

/// `errors` of the item `what`, each message saying whose it is.
pub(super) fn within(what: &str, errors: Vec<FieldError>) -> SetupError {
    SetupError::Invalid(
        errors
            .into_iter()
            .map(|e| FieldError::new(e.field, format!("{what}: {}", e.message)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(name: &str, email: &str, phones: &[(&str, &str)]) -> CustomerInput {
        CustomerInput {
            display_name: Some(name.into()),
            email_address: Some(email.into()),
            phones: phones
                .iter()
                .map(|(n, k)| PhoneInput {
                    number: Some(n.to_string()),
                    kind: Some(k.to_string()),
                })
                .collect(),
        }
    }

    #[test]
    fn customers_are_kept_once_per_address_with_a_mobile_number_first() {
        let from = vec![
            (
                "a".to_string(),
                customer("Ann", "Ann@Example.com", &[("206-555-0100", "home"), ("206-555-0199", "mobile")]),
            ),
            ("b".to_string(), customer("Ann Again", "ann@example.com", &[])),
            ("c".to_string(), customer("No Mail", "", &[])),
            ("d".to_string(), customer("Bo", "bo@example.com", &[("call me", "mobile")])),
        ];
        let (taken, left) = customers("biz", &from);
        assert_eq!(taken.len(), 2);
        assert_eq!(
            (taken[0].email.as_str(), taken[0].phone.as_deref()),
            ("ann@example.com", Some("206-555-0199"))
        );
        assert_eq!(taken[1].phone, None, "a number that is not one is dropped");
        let ids: Vec<&str> = left.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["b", "c"]);
        assert!(left[0].reason.contains("customer a"), "{}", left[0].reason);
    }

    #[test]
    fn questions_of_other_kinds_are_left_out_and_bad_ones_refused() {
        let q = |kind: &str, options: &[&str]| QuestionInput {
            display_name: Some("Q".into()),
            answer_input_type: Some(kind.into()),
            answer_options: Some(options.iter().map(|o| o.to_string()).collect()),
        };
        let (taken, left) = questions("biz", &[("1".into(), q("text", &[])), ("2".into(), q("unknownFutureValue", &[]))]).unwrap();
        assert_eq!((taken.len(), left[0].id.as_str()), (1, "2"));
        let Err(SetupError::Invalid(errors)) = questions("biz", &[("3".into(), q("radioButton", &["Only"]))]) else {
            panic!("one choice is refused");
        };
        assert_eq!(errors[0].field, "answerOptions");
        assert!(errors[0].message.starts_with("Custom question 3:"), "{}", errors[0].message);
    }
}
