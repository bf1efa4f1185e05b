//! A business's settings and its services edited from the dashboard: the same rules as the API,
//! each problem beside its field with what was typed kept, and the booking page follows.

use crate::appointments::{at, book, booking, next_monday, shop};
use crate::common::{Backend, TestApp};
use crate::html::Page;

#[tokio::test]
async fn settings_and_services_are_edited_from_the_dashboard() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let shop = shop(&app).await;
    let (cookie, csrf) = app.sign_in_as(&app.owner.email, &app.owner_password).await;
    let base = format!("/dashboard/appointments/{}", shop.slug);
    let week = Page::parse(&app.page(&base, Some(&cookie)).await);
    assert_eq!(week.link("Settings").as_deref(), Some(format!("{base}/settings").as_str()));

    // The settings as they are: 15-minute steps, no lead time, 90 days ahead.
    let page = Page::parse(&app.page(&format!("{base}/settings"), Some(&cookie)).await);
    assert_eq!(page.field("Minutes between start times").unwrap().value, "15");
    assert_eq!(page.field("Book at least this many minutes ahead").unwrap().value, "0");
    assert_eq!(page.field("Book at most this many days ahead").unwrap().value, "90");

    // Something that is not a number, and a step too short, are said beside their fields.
    let settings = |interval: &'static str, lead: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("displayName", "Shop & Co".to_string()),
            ("timeZone", "America/New_York".to_string()),
            ("schedulingPolicy.timeSlotInterval", interval.to_string()),
            ("schedulingPolicy.minimumLeadTime", lead.to_string()),
            ("schedulingPolicy.maximumAdvance", "30".to_string()),
            ("allowStaffSelection", "1".to_string()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>, path: String| {
        let fields: Vec<(&str, String)> = fields;
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&path, &cookie, &borrowed).await
        }
    };
    let r = post(settings("half an hour", "60"), format!("{base}/settings")).await;
    assert_eq!(r.status(), 422);
    let page = Page::parse(&r.text().await.unwrap());
    let interval = page.field("Minutes between start times").unwrap();
    assert!(interval.invalid && interval.description.is_some(), "{interval:?}");
    assert_eq!(interval.value, "half an hour");
    assert_eq!(page.field("Name").unwrap().value, "Shop & Co");
    let r = post(settings("1", "60"), format!("{base}/settings")).await;
    assert_eq!(r.status(), 422, "a one-minute step is below the rules' five");
    let b = server::appointments::setup::business(&app.state.db, &app.owner, &shop.slug)
        .await
        .unwrap();
    assert_eq!((b.display_name.as_str(), b.policy.interval), ("Shop", 900), "nothing was saved");

    // Saved: 60-minute steps, an hour ahead, 30 days; the booking API follows.
    let r = post(settings("60", "60"), format!("{base}/settings")).await;
    assert_eq!(r.status(), 303);
    let b = server::appointments::setup::business(&app.state.db, &app.owner, &shop.slug)
        .await
        .unwrap();
    assert_eq!(b.display_name, "Shop & Co");
    assert_eq!(
        (b.policy.interval, b.policy.minimum_lead_time, b.policy.maximum_advance),
        (3600, 3600, 30 * 86_400)
    );
    let monday = next_monday(&app);
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 9, 30), 1)).await;
    assert_eq!(r.status(), 409, "9:30 is not on the hour any more");

    // The consultation: 45 minutes, 15 after, given by Ada only.
    let service = format!("{base}/services/{}", shop.one_to_one);
    assert_eq!(week.link("Consultation").as_deref(), Some(service.as_str()));
    let page = Page::parse(&app.page(&service, Some(&cookie)).await);
    assert_eq!(page.field("Length in minutes").unwrap().value, "30");
    let edit = |minutes: &'static str, staff: Vec<String>| {
        let mut fields = vec![
            ("csrf", csrf.clone()),
            ("displayName", "Consultation".to_string()),
            ("defaultDuration", minutes.to_string()),
            ("preBuffer", "0".to_string()),
            ("postBuffer", "15".to_string()),
            ("maximumAttendeesCount", "1".to_string()),
            ("isLocationOnline", "1".to_string()),
        ];
        fields.extend(staff.into_iter().map(|s| ("staff", s)));
        fields
    };
    let r = post(edit("2", vec![shop.ada.clone()]), service.clone()).await;
    assert_eq!(r.status(), 422);
    let page = Page::parse(&r.text().await.unwrap());
    assert!(page.field("Length in minutes").unwrap().description.is_some());
    assert_eq!(page.field("Length in minutes").unwrap().value, "2");
    let r = post(edit("45", vec![shop.ada.clone()]), service.clone()).await;
    assert_eq!(r.status(), 303);
    let saved = server::appointments::setup::services(&app.state.db, &app.owner, &shop.slug)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == shop.one_to_one)
        .unwrap();
    assert_eq!(
        (saved.duration, saved.post_buffer, saved.staff_member_ids.clone()),
        (2700, 900, vec![shop.ada.clone()])
    );
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.bo), &at(monday, 10, 0), 2)).await;
    assert_eq!(r.status(), 422, "Bo no longer gives it");

    // A service with an appointment ahead cannot be removed; one without can.
    let r = book(&app, &shop.slug, booking(&shop.one_to_one, Some(&shop.ada), &at(monday, 10, 0), 3)).await;
    assert_eq!(r.status(), 201);
    let r = post(vec![("csrf", csrf.clone())], format!("{service}/remove")).await;
    assert_eq!(r.status(), 409);
    let class = format!("{base}/services/{}/remove", shop.group);
    assert_eq!(post(vec![("csrf", csrf.clone())], class).await.status(), 303);

    // Another organization finds neither page.
    let (_, password) = server::accounts::auth::create_organizer(&app.state.db, "rival@example.com", "Rival", None)
        .await
        .unwrap();
    let (rival, _) = app.sign_in_as("rival@example.com", &password).await;
    let r = app
        .client
        .get(app.url(&format!("{base}/settings")))
        .header("cookie", &rival)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app.client.get(app.url(&service)).header("cookie", &rival).send().await.unwrap();
    assert_eq!(r.status(), 404);
}
