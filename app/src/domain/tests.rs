//! The domain's unit and property tests.

use super::*;
use proptest::prelude::*;

fn q(id: &str, t: AnswerInputType, required: bool, choices: &[&str]) -> Question {
    Question {
        id: id.into(),
        kind: QuestionKind::Custom,
        label: format!("Question {id}"),
        answer_input_type: t,
        choices: choices.iter().map(|s| s.to_string()).collect(),
        is_required: required,
    }
}

fn text(id: &str, v: &str) -> RawAnswer {
    RawAnswer {
        question_id: id.into(),
        value: Some(v.into()),
        ..Default::default()
    }
}

#[test]
fn enums_round_trip_their_wire_names_in_any_case() {
    for s in RegistrationStatus::ALL {
        assert_eq!(RegistrationStatus::parse(s.as_str()), Some(*s));
        assert_eq!(RegistrationStatus::parse(&s.as_str().to_uppercase()), Some(*s));
    }
    assert_eq!(PredefinedLabel::parse("postalcode"), Some(PredefinedLabel::PostalCode));
    assert_eq!(AnswerInputType::parse("multilineText"), Some(AnswerInputType::MultilineText));
    assert_eq!(EventKind::parse("townhall"), None);
    assert_eq!(PredefinedLabel::ALL.len(), 8);
}

#[test]
fn emails_are_checked_and_normalized() {
    for good in ["a@b.co", "first.last+tag@sub.example.org", "x_y@a-b.io", "ANNE@xn--r8jz45g.jp"] {
        assert!(EmailAddress::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "plain",
        "@example.com",
        "a@",
        "a@b",
        "a b@c.com",
        "a@b..com",
        "a@-b.com",
        "a@b.c",
        ".a@b.com",
        "a..b@c.com",
        "a@b.123",
        "tést@exämple.com",
        "anne@例え.jp",
    ] {
        assert!(EmailAddress::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(EmailAddress::parse("  Ann@Example.COM ").unwrap().normalized(), "ann@example.com");
}

#[test]
fn names_and_languages() {
    assert_eq!(parse_name("  Ada ", "first name").unwrap(), "Ada");
    assert!(parse_name("   ", "first name").unwrap_err().0.contains("first name"));
    assert!(parse_name(&"x".repeat(101), "last name").is_err());
    assert!(parse_name("a\u{0}b", "last name").is_err());
    assert!(parse_language("en-US").is_ok());
    assert!(parse_language("zh-Hant-TW").is_ok());
    assert!(parse_language("e").is_err());
    assert!(parse_language("en_US").is_err());
}

#[test]
fn answers_validate_each_type() {
    let qs = vec![
        q("t", AnswerInputType::Text, true, &[]),
        q("s", AnswerInputType::SingleChoice, false, &["A", "B"]),
        q("m", AnswerInputType::MultiChoice, false, &["X", "Y", "Z"]),
        q("b", AnswerInputType::Boolean, false, &[]),
    ];
    let ok = validate_answers(
        &qs,
        &[
            text("t", "  hello "),
            text("s", "B"),
            RawAnswer {
                question_id: "m".into(),
                multi_choice_values: Some(vec!["Y".into(), "X".into(), "Y".into()]),
                ..Default::default()
            },
            RawAnswer {
                question_id: "b".into(),
                boolean_value: Some(false),
                ..Default::default()
            },
        ],
    )
    .unwrap();
    assert_eq!(ok.len(), 4);
    assert_eq!(ok[0].value.as_deref(), Some("hello"));
    assert_eq!(ok[2].multi_choice_values.as_ref().unwrap(), &vec!["Y".to_string(), "X".to_string()]);
    assert_eq!(ok[3].as_text(), "No");

    let errs = validate_answers(&qs, &[text("s", "C"), text("zzz", "?")]).unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"answers.t"), "{fields:?}");
    assert!(fields.contains(&"answers.s"));
    assert!(fields.contains(&"answers[1].questionId"));

    let long = "x".repeat(MAX_TEXT_ANSWER + 1);
    let errs = validate_answers(&qs, &[text("t", &long)]).unwrap_err();
    assert!(errs[0].message.contains("under"));
}

#[test]
fn required_boolean_means_ticked() {
    let qs = vec![q("c", AnswerInputType::Boolean, true, &[])];
    assert!(validate_answers(&qs, &[]).is_err());
    assert!(validate_answers(
        &qs,
        &[RawAnswer {
            question_id: "c".into(),
            boolean_value: Some(false),
            ..Default::default()
        }]
    )
    .is_err());
    assert!(validate_answers(
        &qs,
        &[RawAnswer {
            question_id: "c".into(),
            boolean_value: Some(true),
            ..Default::default()
        }]
    )
    .is_ok());
}

#[test]
fn window_refuses_outside_registration_period() {
    let w = RegistrationWindow {
        status: EventStatus::Published,
        opens_at: Some(100),
        closes_at: Some(200),
        ends_at: 300,
    };
    assert_eq!(w.check(99), Err(Refusal::NotOpenYet { opens_at: 100 }));
    assert_eq!(w.check(100), Ok(()));
    assert_eq!(w.check(200), Err(Refusal::Closed));
    assert_eq!(w.check(300), Err(Refusal::Ended));
    assert_eq!(
        RegistrationWindow {
            status: EventStatus::Canceled,
            ..w
        }
        .check(150),
        Err(Refusal::Canceled)
    );
    assert_eq!(
        RegistrationWindow {
            status: EventStatus::Draft,
            ..w
        }
        .check(150),
        Err(Refusal::NotPublished)
    );
}

#[test]
fn status_transitions() {
    use RegistrationStatus::*;
    assert!(Registered.can_become(Canceled));
    assert!(Waitlisted.can_become(Registered));
    assert!(!Registered.can_become(Waitlisted));
    assert!(!RejectedByOrganizer.can_become(Registered));
    assert!(!Canceled.can_become(Canceled));
    assert!(Unconfirmed.can_become(Registered));
    assert!(!Unconfirmed.can_become(RejectedByOrganizer));
    assert!(Unconfirmed.is_active());
}

#[test]
fn slugs_and_urls() {
    assert!(parse_slug("rust-in-production-2026").is_ok());
    assert!(parse_slug("Bad Slug").is_err());
    assert!(parse_slug("a--b").is_err());
    assert!(parse_web_url("https://teams.microsoft.com/l/meetup-join/x").is_ok());
    assert!(parse_web_url("javascript:alert(1)").is_err());
    assert!(parse_web_url("https://x\" onmouseover=\"y").is_err());
}

proptest! {
    /// Admitting people one at a time never registers more than the capacity, never lets a
    /// newcomer jump the waitlist, and refuses only when full without a waitlist.
    #[test]
    fn admissions_never_exceed_capacity(capacity in proptest::option::of(0i64..50), waitlist in any::<bool>(), approval in any::<bool>(), confirm in any::<bool>(), arrivals in 0usize..200, cancel_every in 0usize..7) {
        let mut s = SeatState { capacity, registered: 0, held: 0, waitlisted: 0, waitlist_enabled: waitlist, manual_approval: approval };
        let mut pending = 0i64;
        for i in 0..arrivals {
            match s.admit() {
                // With email confirmation on, the seat is held until the address is confirmed.
                Admission::Registered if confirm => s.held += 1,
                Admission::Registered => s.registered += 1,
                Admission::PendingApproval => pending += 1,
                Admission::Waitlisted => s.waitlisted += 1,
                Admission::Full => prop_assert!(!waitlist && capacity.is_some_and(|c| s.registered + s.held >= c)),
            }
            // Every other held seat is confirmed, the rest run out and are released.
            if s.held > 0 && i % 2 == 0 {
                s.held -= 1;
                if i % 4 == 0 { s.registered += 1; }
                while s.can_promote() { s.waitlisted -= 1; s.registered += 1; }
            }
            if cancel_every > 0 && i % cancel_every == 0 && s.registered > 0 {
                s.registered -= 1;
                while s.can_promote() { s.waitlisted -= 1; s.registered += 1; }
            }
            if let Some(c) = capacity { prop_assert!(s.registered + s.held <= c); }
            if !waitlist { prop_assert_eq!(s.waitlisted, 0); }
            if approval { prop_assert_eq!(s.registered + s.held, 0); }
        }
        prop_assert!(pending >= 0);
    }

    /// Any string either fails email parsing or yields an address whose normalized form is
    /// stable under a second parse.
    #[test]
    fn email_parse_is_idempotent(input in "\\PC{0,40}") {
        if let Ok(e) = EmailAddress::parse(&input) {
            let again = EmailAddress::parse(e.as_str()).unwrap();
            prop_assert_eq!(again.normalized(), e.normalized());
        }
    }
}
