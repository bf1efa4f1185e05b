//! What Atrium tells Microsoft Bookings about an appointment: its times and staff, and its
//! customer (`bookingCustomerInformation`) with the answers they gave to the service's questions
//! (`bookingQuestionAnswer`: the question as it was asked, its kind and choices as Atrium holds
//! them, whether the service requires it) and, for a customer brought over from Bookings, their
//! Bookings id.

use super::{offset, SyncError};
use crate::appointments::model::{Question, Service};
use crate::appointments::store::{self as appointments, AppointmentRow};
use crate::store::Db;
use serde_json::{json, Value};

/// Graph's `dateTimeTimeZone` in UTC, as Bookings writes it.
pub(super) fn graph_instant(t: i64) -> Value {
    json!({"dateTime": offset(t).replace('Z', ".0000000Z"), "timeZone": "UTC"})
}

/// The customer's answers, as Bookings takes them.
fn answers(a: &AppointmentRow, service: Option<&Service>, questions: &[Question]) -> Vec<Value> {
    a.answers
        .iter()
        .map(|given| {
            let question = questions.iter().find(|q| q.id == given.question_id);
            let kind = question.map_or("text", |q| q.answer_input_type.as_str());
            let required = service
                .and_then(|s| s.questions.iter().find(|q| q.question_id == given.question_id))
                .is_some_and(|q| q.is_required);
            let selected: Vec<&str> = if kind == "radioButton" {
                vec![given.answer.as_str()]
            } else {
                Vec::new()
            };
            json!({
                "questionId": given.question_id,
                "question": given.question,
                "answerInputType": kind,
                "answerOptions": question.map(|q| q.answer_options.clone()).unwrap_or_default(),
                "isRequired": required,
                "answer": given.answer,
                "selectedOptions": selected,
            })
        })
        .collect()
}

/// The appointment's customer, as Bookings takes them.
fn customer(a: &AppointmentRow, service: Option<&Service>, questions: &[Question], customer_id: Option<&str>) -> Value {
    let mut c = json!({
        "@odata.type": "#microsoft.graph.bookingCustomerInformation",
        "name": a.customer_name,
        "emailAddress": a.customer_email,
        "timeZone": a.customer_time_zone,
        "customQuestionAnswers": answers(a, service, questions),
    });
    if let Some(phone) = &a.customer_phone {
        c["phone"] = json!(phone);
    }
    if let Some(id) = customer_id {
        c["customerId"] = json!(id);
    }
    c
}

/// The customer with what Atrium holds of the business: its questions, and the customer's
/// Bookings id if they were brought over.
async fn customer_of(db: &Db, a: &AppointmentRow, service: Option<&Service>) -> Result<Value, SyncError> {
    let questions = appointments::questions(db, &a.business_id).await?;
    let customer_id = appointments::imported_customer_id(db, &a.business_id, &a.customer_email).await?;
    Ok(customer(a, service, &questions, customer_id.as_deref()))
}

/// The body that makes `a` in Bookings. Atrium emails the customer itself, so Bookings does not.
pub(super) async fn new_appointment(db: &Db, a: &AppointmentRow, service: &Service) -> Result<Value, SyncError> {
    Ok(json!({
        "@odata.type": "#microsoft.graph.bookingAppointment",
        "serviceId": a.service_id,
        "startDateTime": graph_instant(a.start),
        "endDateTime": graph_instant(a.end),
        "staffMemberIds": a.staff_ids,
        "isLocationOnline": service.is_location_online,
        "customerTimeZone": a.customer_time_zone,
        "optOutOfCustomerEmail": true,
        "customers": [customer_of(db, a, Some(service)).await?],
    }))
}

/// The body that brings `a` up to date in Bookings: its times and staff, and its customer when
/// Atrium holds answers of theirs (for an appointment made in Bookings, the answers read back
/// from there; without answers, what Bookings holds of its customer is left as it is).
pub(super) async fn changed_appointment(db: &Db, a: &AppointmentRow) -> Result<Value, SyncError> {
    let mut body = json!({"startDateTime": graph_instant(a.start), "endDateTime": graph_instant(a.end), "staffMemberIds": a.staff_ids});
    if !a.answers.is_empty() {
        let services = appointments::all_services_of(db, &a.business_id).await?;
        let service = services.iter().find(|s| s.id == a.service_id);
        body["customers"] = json!([customer_of(db, a, service).await?]);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appointments::model::{Answer, QuestionAssignment};

    fn row(answers: Vec<Answer>) -> AppointmentRow {
        AppointmentRow {
            id: "a1".into(),
            business_id: "b1".into(),
            service_id: "s1".into(),
            start: 0,
            end: 1800,
            status: "booked".into(),
            customer_name: "Jordan Miller".into(),
            customer_email: "jordanm@example.com".into(),
            customer_phone: Some("213-555-0199".into()),
            customer_time_zone: "America/Chicago".into(),
            token_sealed: String::new(),
            request_hash: None,
            staff_ids: Vec::new(),
            sequence: 0,
            teams_meeting_id: None,
            teams_join_url: None,
            join_url: None,
            bookings_appointment_id: None,
            bookings_sequence: None,
            answers,
        }
    }

    fn answer(id: &str, question: &str, answer: &str) -> Answer {
        Answer {
            question_id: id.into(),
            question: question.into(),
            answer: answer.into(),
        }
    }

    #[test]
    fn answers_go_as_booking_question_answers() {
        let mut service = Service::blank("s1".into(), "b1".into());
        service.questions = vec![QuestionAssignment {
            question_id: "age".into(),
            is_required: true,
        }];
        let questions = vec![
            Question {
                id: "age".into(),
                business_id: "b1".into(),
                display_name: "What is your age?".into(),
                answer_input_type: "text".into(),
                answer_options: Vec::new(),
            },
            Question {
                id: "size".into(),
                business_id: "b1".into(),
                display_name: "Size?".into(),
                answer_input_type: "radioButton".into(),
                answer_options: vec!["Small".into(), "Large".into()],
            },
        ];
        let a = row(vec![
            answer("age", "What is your age?", "25"),
            answer("size", "Size?", "Large"),
            answer("gone", "Removed since?", "Yes"),
        ]);
        let c = customer(&a, Some(&service), &questions, Some("7ed53fa5"));
        assert_eq!(c["customerId"], "7ed53fa5");
        assert_eq!(c["phone"], "213-555-0199");
        // The documentation's own example, field for field.
        assert_eq!(
            c["customQuestionAnswers"][0],
            json!({"questionId": "age", "question": "What is your age?", "answerInputType": "text", "answerOptions": [],
                   "isRequired": true, "answer": "25", "selectedOptions": []})
        );
        let size = &c["customQuestionAnswers"][1];
        assert_eq!(
            (&size["answerOptions"], &size["selectedOptions"], &size["isRequired"]),
            (&json!(["Small", "Large"]), &json!(["Large"]), &json!(false))
        );
        assert_eq!(c["customQuestionAnswers"][2]["answerInputType"], "text", "a question removed since");
        let bare = customer(&row(Vec::new()), None, &[], None);
        assert!(bare.get("customerId").is_none());
        assert_eq!(bare["customQuestionAnswers"], json!([]));
    }
}
