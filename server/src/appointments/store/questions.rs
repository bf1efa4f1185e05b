//! The SQL of a business's custom questions.

use super::super::model::Question;
use super::json_error;
use crate::store::{Db, WriteTx};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

fn question_from(r: &AnyRow) -> Result<Question, sqlx::Error> {
    Ok(Question {
        id: r.try_get("id")?,
        business_id: r.try_get("business_id")?,
        display_name: r.try_get("display_name")?,
        answer_input_type: r.try_get("answer_input_type")?,
        answer_options: serde_json::from_str(&r.try_get::<String, _>("answer_options")?).map_err(json_error)?,
    })
}

pub async fn insert_question(tx: &mut WriteTx, q: &Question) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO booking_questions (id, business_id, display_name, answer_input_type, answer_options, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&q.id)
    .bind(&q.business_id)
    .bind(&q.display_name)
    .bind(&q.answer_input_type)
    .bind(serde_json::to_string(&q.answer_options).map_err(json_error)?)
    .bind(tx.now_ms() / 1000)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The business's questions, oldest first.
pub async fn questions_of<'e, E: Executor<'e, Database = Any>>(exec: E, business_id: &str) -> Result<Vec<Question>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM booking_questions WHERE business_id = $1 ORDER BY created_at, id")
        .bind(business_id)
        .fetch_all(exec)
        .await?;
    rows.iter().map(question_from).collect()
}

/// Deletes the business's question `id`; false when it has none by that id.
pub async fn delete_question(tx: &mut WriteTx, business_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM booking_questions WHERE id = $1 AND business_id = $2")
        .bind(id)
        .bind(business_id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// [`questions_of`] for a pool.
pub async fn questions(db: &Db, business_id: &str) -> Result<Vec<Question>, sqlx::Error> {
    questions_of(&db.pool, business_id).await
}

/// Whether a question with this id exists in any business.
pub async fn question_exists(tx: &mut WriteTx, id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM booking_questions WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok(n > 0)
}
