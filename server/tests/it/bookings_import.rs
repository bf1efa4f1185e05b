//! Importing a Microsoft Bookings business, against the simulator: its custom questions come
//! along (kept by their Bookings ids, asked by the services that asked them, answered on the
//! booking page and the API, and the answers sent back to Bookings with the appointment), a kind
//! of question Atrium does not ask is left out and named, a question Atrium's rules refuse
//! refuses the whole import, and its customers come along once per address and are listed
//! before they book.

use crate::appointments::next_monday;
use crate::bookings::{at, held, imported_with, CHICAGO, SLUG};
use crate::common::{Backend, TestApp};
use crate::teams_appointments::{import, seed_bookings, AGE, BENTO, DANA, LUNCH};
use crate::teams_meetings::{due_now, microsoft_app, seed_account};
use graphsim::Sim;
use serde_json::{json, Value};
use server::microsoft::delegated::Account;

const BOX: &str = "0f0cc8b4-7d1e-4a61-9f59-8e5f1a6c2d10";
const JORDAN: &str = "7ed53fa5-9ef2-4f2f-975b-27447440bc09";

fn customer(id: &str, name: &str, email: Option<&str>, phones: Value) -> Value {
    json!({"@odata.type": "#microsoft.graph.bookingCustomer", "id": id, "displayName": name, "emailAddress": email,
           "addresses": [], "phones": phones, "createdDateTime": "2022-01-10T09:00:00Z", "lastUpdatedDateTime": "2022-01-10T09:00:00Z"})
}

/// Bookings' customers: Jordan twice (the address in other letters), one without an address,
/// and two more: five, read over three pages.
fn seed_customers(s: &mut graphsim::SimState) {
    s.booking_customers.insert(
        LUNCH.into(),
        vec![
            customer(
                JORDAN,
                "Jordan Miller",
                Some("jordanm@example.com"),
                json!([{"number": "206-555-0100", "type": "home"}, {"number": "213-555-0199", "type": "mobile"}]),
            ),
            customer("c-alex", "Alex Wilber", Some("alexw@example.com"), json!([])),
            customer("c-jordan-again", "J. Miller", Some("JordanM@Example.com"), json!([])),
            customer("c-nomail", "Walk-in", None, json!([])),
            customer("c-casey", "Casey Jensen", Some("casey@example.com"), json!([])),
        ],
    );
}

async fn customers(app: &TestApp) -> Vec<server::appointments::store::CustomerRow> {
    server::appointments::setup::customers(&app.state.db, &app.owner, SLUG)
        .await
        .unwrap()
        .1
}

both_backends!(imported_questions_are_asked_and_answers_reach_bookings, |backend| async move {
    let (sim, app, sync) = imported_with(backend, |s| {
        s.booking_questions.get_mut(LUNCH).unwrap().push(json!({
            "id": BOX, "displayName": "Which box?", "answerInputType": "radioButton", "answerOptions": ["Salmon", "Tofu"],
        }));
        let bento = &mut s.booking_services.get_mut(LUNCH).unwrap()[0];
        bento["customQuestions"] = json!([{"questionId": AGE, "isRequired": true}, {"questionId": BOX, "isRequired": false}]);
        bento["isAnonymousJoinEnabled"] = json!(true);
        seed_customers(s);
    })
    .await;

    // The service asks both questions, by their Bookings ids, in the API and on the booking page.
    let services: Value = app
        .client
        .get(app.url(&format!("/api/v1/businesses/{SLUG}/services")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        services["value"][0]["customQuestions"],
        json!([{"questionId": AGE, "isRequired": true}, {"questionId": BOX, "isRequired": false}])
    );
    let monday = next_monday(&app);
    let page = crate::html::Page::parse(&app.page(&format!("/book/{SLUG}?service={BENTO}&date={monday}"), None).await);
    assert_eq!(page.field("What is your age?").unwrap().name, format!("answer.{AGE}"));
    assert!(page.text().contains("Which box? (optional)"), "{}", page.text());

    // Booked without the required answer: refused, naming it.
    let (ten, _) = at(monday, 10, CHICAGO);
    let booking = |answers: Value| {
        json!({"serviceId": BENTO, "staffId": DANA, "start": ten, "answers": answers,
               "customer": {"name": "Jordan Miller", "email": "JordanM@example.com", "phone": "+1 213 555 0199", "timeZone": CHICAGO}})
    };
    let r = crate::appointments::book(&app, SLUG, booking(json!([{"questionId": BOX, "answer": "Tofu"}]))).await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], format!("answers.{AGE}"), "{problem}");
    let r = crate::appointments::book(
        &app,
        SLUG,
        booking(json!([{"questionId": AGE, "answer": "25"}, {"questionId": BOX, "answer": "Tofu"}])),
    )
    .await;
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    let (id, token) = (made["id"].as_str().unwrap(), made["manageToken"].as_str().unwrap());

    // Bookings gets the customer, as imported, with both answers.
    due_now(&app).await;
    assert_eq!(sync.sync_bookings_appointments().await.unwrap(), 1);
    let list = held(&sim);
    assert_eq!(list.len(), 1);
    let sent = &list[0]["customers"][0];
    assert_eq!(sent["@odata.type"], "#microsoft.graph.bookingCustomerInformation");
    assert_eq!(sent["customerId"], JORDAN, "the customer brought over from Bookings");
    assert_eq!(sent["phone"], "+1 213 555 0199");
    assert_eq!(
        sent["customQuestionAnswers"],
        json!([
            {"questionId": AGE, "question": "What is your age?", "answerInputType": "text", "answerOptions": [],
             "isRequired": true, "answer": "25", "selectedOptions": []},
            {"questionId": BOX, "question": "Which box?", "answerInputType": "radioButton", "answerOptions": ["Salmon", "Tofu"],
             "isRequired": false, "answer": "Tofu", "selectedOptions": ["Tofu"]},
        ])
    );

    // Staff join in Teams; the customer through the anonymous link the service allows.
    let (teams, anonymous) = (
        list[0]["joinWebUrl"].as_str().unwrap(),
        list[0]["anonymousJoinWebUrl"].as_str().unwrap(),
    );
    assert_ne!(teams, anonymous);
    let row = server::appointments::store::by_id(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!(
        (row.teams_join_url.as_deref(), row.join_url.as_deref()),
        (Some(teams), Some(anonymous))
    );
    let read: Value = app
        .client
        .get(app.url(&format!("/api/v1/appointments/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["joinUrl"], anonymous);

    // Moved in Atrium: the change sent to Bookings carries the answers again.
    let (one, _) = at(monday, 13, CHICAGO);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/appointments/{token}/reschedule")))
        .json(&json!({"start": one}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    due_now(&app).await;
    assert_eq!(sync.sync_bookings_appointments().await.unwrap(), 1);
    let patched = sim
        .state
        .lock()
        .unwrap()
        .bodies
        .iter()
        .rev()
        .find(|(method, path, _)| method == "PATCH" && path.contains("/appointments/"))
        .map(|(_, _, body)| body.clone())
        .expect("a change was sent");
    assert_eq!(patched["customers"][0]["customQuestionAnswers"][1]["answer"], "Tofu");
    assert_eq!(held(&sim)[0]["customers"][0]["customerId"], JORDAN);
});

both_backends!(imported_customers_are_listed_once_by_address, |backend| async move {
    let (_sim, app, _sync) = imported_with(backend, seed_customers).await;
    let list = customers(&app).await;
    let seen: Vec<(&str, &str, i64, i64)> = list
        .iter()
        .map(|c| (c.email.as_str(), c.name.as_str(), c.booked, c.canceled))
        .collect();
    assert_eq!(
        seen,
        [
            ("alexw@example.com", "Alex Wilber", 0, 0),
            ("casey@example.com", "Casey Jensen", 0, 0),
            ("jordanm@example.com", "Jordan Miller", 0, 0),
        ],
        "every page read, once per address, none booked yet"
    );
    assert!(list.iter().all(|c| c.last.is_none() && c.next.is_none()));

    // Jordan books (the address in other letters) and a newcomer books: still one Jordan.
    let monday = next_monday(&app);
    for (hour, name, email) in [(10, "Jordan Miller", "JORDANM@example.com"), (13, "Nova New", "nova@example.com")] {
        let r = crate::appointments::book(
            &app,
            SLUG,
            json!({"serviceId": BENTO, "staffId": DANA, "start": at(monday, hour, CHICAGO).0,
                   "customer": {"name": name, "email": email}, "answers": [{"questionId": AGE, "answer": "30"}]}),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    let list = customers(&app).await;
    let seen: Vec<(&str, i64)> = list.iter().map(|c| (c.email.as_str(), c.booked)).collect();
    assert_eq!(
        seen,
        [
            ("nova@example.com", 1),
            ("jordanm@example.com", 1),
            ("alexw@example.com", 0),
            ("casey@example.com", 0),
        ],
        "those who booked first, latest first"
    );
    assert!(list[1].next.is_some());
});

#[tokio::test]
async fn the_import_names_what_it_left_out_and_refuses_a_bad_question_whole() {
    let sim = Sim::start().await;
    seed_bookings(&sim);
    {
        let mut s = sim.state.lock().unwrap();
        seed_customers(&mut s);
        let questions = s.booking_questions.get_mut(LUNCH).unwrap();
        questions
            .push(json!({"id": "q-later", "displayName": "Anything else?", "answerInputType": "unknownFutureValue", "answerOptions": []}));
        questions.push(json!({"id": "q-one", "displayName": "Pick one", "answerInputType": "radioButton", "answerOptions": ["Only"]}));
        s.booking_services.get_mut(LUNCH).unwrap()[0]["customQuestions"] =
            json!([{"questionId": AGE, "isRequired": true}, {"questionId": "q-later", "isRequired": true}]);
    }
    let app = microsoft_app(Backend::Sqlite, &sim).await;
    seed_account(&app, &sim, &Account::Service(app.owner.organization_id.clone())).await;

    // A radioButton question with one choice breaks the organizer API's rules: nothing is kept.
    let (status, problem) = import(&app, LUNCH, json!({"timeZone": CHICAGO})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "answerOptions");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Custom question q-one:"),
        "the question is named: {problem}"
    );
    assert!(server::appointments::setup::businesses(&app.state.db, &app.owner)
        .await
        .unwrap()
        .is_empty());
    let kept: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM booking_questions) + (SELECT COUNT(*) FROM booking_customers)")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(kept, 0, "no question or customer half-written");

    // Mended in Bookings: imported, the unknown kind left out and no longer asked.
    sim.state
        .lock()
        .unwrap()
        .booking_questions
        .get_mut(LUNCH)
        .unwrap()
        .retain(|q| q["id"] != "q-one");

    // A question id already used by another business is found inside the import's transaction,
    // after the business and its staff are written: all of it is undone.
    let other = crate::appointments::shop(&app).await;
    let other_id = server::appointments::setup::business(&app.state.db, &app.owner, &other.slug)
        .await
        .unwrap()
        .id;
    let planted = server::appointments::model::Question {
        id: AGE.into(),
        business_id: other_id,
        display_name: "Age".into(),
        answer_input_type: "text".into(),
        answer_options: Vec::new(),
    };
    let mut tx = app.state.db.begin_write().await.unwrap();
    server::appointments::store::insert_question(&mut tx, &planted).await.unwrap();
    tx.commit().await.unwrap();
    let (status, problem) = import(&app, LUNCH, json!({"timeZone": CHICAGO})).await;
    assert_eq!(status, 409, "{problem}");
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM businesses WHERE bookings_business_id IS NOT NULL) \
         + (SELECT COUNT(*) FROM booking_customers) + (SELECT COUNT(*) FROM booking_questions WHERE id <> $1) \
         + (SELECT COUNT(*) FROM booking_staff s JOIN businesses b ON b.id = s.business_id WHERE b.bookings_business_id IS NOT NULL)",
    )
    .bind(AGE)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(left, 0, "the business, its staff, questions and customers are all undone");
    let mut tx = app.state.db.begin_write().await.unwrap();
    sqlx::query("DELETE FROM booking_questions WHERE id = $1")
        .bind(AGE)
        .execute(&mut *tx.tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (status, made) = import(&app, LUNCH, json!({"timeZone": CHICAGO})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["customQuestionsImported"], 1);
    assert_eq!(
        made["customQuestionsLeftOut"],
        json!([{"id": "q-later", "displayName": "Anything else?", "answerInputType": "unknownFutureValue", "services": [BENTO]}])
    );
    assert_eq!(made["customersImported"], 3);
    let left: Vec<&str> = made["customersLeftOut"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["c-jordan-again", "c-nomail"]);
    let questions = server::appointments::setup::questions(&app.state.db, &app.owner, SLUG)
        .await
        .unwrap();
    assert_eq!(
        questions.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(),
        [AGE],
        "kept by its Bookings id"
    );
    let services = server::appointments::setup::services(&app.state.db, &app.owner, SLUG)
        .await
        .unwrap();
    assert_eq!(
        services[0].questions.iter().map(|q| q.question_id.as_str()).collect::<Vec<_>>(),
        [AGE]
    );
}
