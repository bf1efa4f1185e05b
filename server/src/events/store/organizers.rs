//! Which organizers organize which event.

use crate::accounts::team::Member;
use crate::store::{Db, WriteTx};
use sqlx::Row;

pub async fn of_event(db: &Db, event_id: &str) -> Result<Vec<Member>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT o.id, o.email, o.display_name FROM event_organizers eo JOIN organizers o ON o.id = eo.organizer_id \
         WHERE eo.event_id = $1 ORDER BY o.email",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Member {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                display_name: r.try_get("display_name")?,
            })
        })
        .collect()
}

/// Makes `member_ids` the event's organizers.
pub async fn replace(tx: &mut WriteTx, event_id: &str, member_ids: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM event_organizers WHERE event_id = $1")
        .bind(event_id)
        .execute(&mut *tx.tx)
        .await?;
    for id in member_ids {
        sqlx::query("INSERT INTO event_organizers (event_id, organizer_id) VALUES ($1, $2)")
            .bind(event_id)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}
