//! The SQL of a business's customers: those brought over from Microsoft Bookings, and the list
//! by address that joins them with everyone who booked.

use super::super::model::ImportedCustomer;
use crate::store::{Db, WriteTx};
use sqlx::Row;

/// Keeps a customer brought over from Bookings.
pub async fn insert_customer(tx: &mut WriteTx, c: &ImportedCustomer) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO booking_customers (business_id, id, display_name, email, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&c.business_id)
        .bind(&c.id)
        .bind(&c.display_name)
        .bind(&c.email)
        .bind(&c.phone)
        .bind(tx.now_ms() / 1000)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// The Bookings id of the business's customer with this address, if one was brought over.
pub async fn imported_customer_id(db: &Db, business_id: &str, email: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM booking_customers WHERE business_id = $1 AND email = LOWER($2)")
        .bind(business_id)
        .bind(email.trim())
        .fetch_optional(&db.pool)
        .await
}

/// One customer of a business: who, how many appointments (canceled ones apart), and when
/// their last and next ones are.
#[derive(Clone, Debug)]
pub struct CustomerRow {
    pub name: String,
    pub email: String,
    pub booked: i64,
    pub canceled: i64,
    pub last: Option<i64>,
    pub next: Option<i64>,
}

/// The business's customers by address, most recent first, at most `limit`: everyone who
/// booked, and the customers brought over from Bookings (who may not have booked yet; they come
/// last, by address).
pub async fn customers_of(db: &Db, business_id: &str, now: i64, limit: i64) -> Result<Vec<CustomerRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT email, MAX(name) AS name, SUM(booked) AS booked, SUM(canceled) AS canceled, \
         MAX(last_start) AS last_start, MIN(next_start) AS next_start FROM ( \
           SELECT LOWER(customer_email) AS email, customer_name AS name, \
           CASE WHEN status <> 'canceled' THEN 1 ELSE 0 END AS booked, \
           CASE WHEN status = 'canceled' THEN 1 ELSE 0 END AS canceled, \
           CASE WHEN status <> 'canceled' AND start_at <= $2 THEN start_at END AS last_start, \
           CASE WHEN status = 'booked' AND start_at > $2 THEN start_at END AS next_start, \
           start_at AS seen_at \
           FROM appointments WHERE business_id = $1 \
           UNION ALL \
           SELECT email, display_name, 0, 0, NULL, NULL, NULL FROM booking_customers WHERE business_id = $1 \
         ) AS c GROUP BY email \
         ORDER BY COALESCE(MAX(seen_at), 0) DESC, email LIMIT $3",
    )
    .bind(business_id)
    .bind(now)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CustomerRow {
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                booked: r.try_get("booked")?,
                canceled: r.try_get("canceled")?,
                last: r.try_get("last_start")?,
                next: r.try_get("next_start")?,
            })
        })
        .collect()
}
