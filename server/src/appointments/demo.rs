//! The demo business: Contoso Advisory in New York, weekdays 09:00–17:00, with a 30-minute
//! online consultation given by two staff members, one of them in London on hours of her own.

use super::model::{Business, Service, Staff, WorkHoursJson, WorkTimeSlotJson};
use super::store;
use crate::store::Db;
use app::booking::{Day, Policy};

fn hours(days: &[Day], start: &str, end: &str) -> Vec<WorkHoursJson> {
    days.iter()
        .map(|day| WorkHoursJson {
            day: *day,
            time_slots: vec![WorkTimeSlotJson {
                start_time: format!("{start}:00.0000000"),
                end_time: format!("{end}:00.0000000"),
            }],
        })
        .collect()
}

/// Adds the demo business to `organization_id` when there is no business yet.
pub async fn seed(db: &Db, organization_id: &str) -> Result<(), sqlx::Error> {
    if store::count_businesses(db).await? > 0 {
        return Ok(());
    }
    let weekdays = [Day::Monday, Day::Tuesday, Day::Wednesday, Day::Thursday, Day::Friday];
    let business = Business {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: organization_id.to_string(),
        slug: "contoso-advisory".into(),
        display_name: "Contoso Advisory".into(),
        time_zone: "America/New_York".into(),
        business_hours: hours(&weekdays, "09:00", "17:00"),
        policy: Policy {
            interval: 15 * 60,
            minimum_lead_time: 2 * 3600,
            maximum_advance: 180 * 86_400,
        },
        allow_staff_selection: true,
        is_published: true,
        bookings_business_id: None,
        branding: crate::appointments::model::Branding {
            currency: "USD".into(),
            ..Default::default()
        },
    };
    let avery = Staff {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: business.id.clone(),
        display_name: "Avery Chen".into(),
        email_address: "avery@contoso.example".into(),
        time_zone: "America/New_York".into(),
        use_business_hours: true,
        working_hours: Vec::new(),
    };
    let mina = Staff {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: business.id.clone(),
        display_name: "Mina Okafor".into(),
        email_address: "mina@contoso.example".into(),
        time_zone: "Europe/London".into(),
        use_business_hours: false,
        working_hours: hours(&[Day::Monday, Day::Tuesday, Day::Wednesday, Day::Thursday], "13:00", "18:00"),
    };
    let consultation = Service {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: business.id.clone(),
        display_name: "Consultation".into(),
        duration: 30 * 60,
        pre_buffer: 0,
        post_buffer: 0,
        maximum_attendees: 1,
        is_location_online: true,
        staff_member_ids: vec![avery.id.clone(), mina.id.clone()],
        service_hours: None,
        reminders: vec![super::model::ReminderJson {
            message: "Find a quiet spot with a good connection; the join link is on your appointment's page.".into(),
            offset: "P1D".into(),
            recipients: "allAttendees".into(),
        }],
        price: None,
        price_type: "free".into(),
        questions: Vec::new(),
    };
    let mut tx = db.begin_write().await?;
    store::insert_business(&mut tx, &business).await?;
    store::insert_staff(&mut tx, &avery).await?;
    store::insert_staff(&mut tx, &mina).await?;
    store::insert_service(&mut tx, &consultation).await?;
    tx.commit().await
}
