//! Each reviewer's totals over every project, kept with each decision so that a
//! decision's answer and `GET /api/v1/review/stats` read one row instead of summing the
//! reviewer's whole history (the audit chain holds the same numbers record by record).

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::review::scoring::Tally;

/// `user_id`'s totals (zero before their first decision). Agreement is not kept here.
pub fn get(conn: &Connection, user_id: &str) -> super::Result<Tally> {
    Ok(conn
        .prepare_cached(
            "SELECT reviews, xp, streak, best_streak, golden_scored, golden_correct, decoys_seen, \
             decoys_scored, decoys_caught FROM reviewer_scores WHERE user_id = ?1",
        )?
        .query_row([user_id], |row| {
            Ok(Tally {
                reviews: row.get(0)?,
                xp: row.get(1)?,
                streak: row.get(2)?,
                best_streak: row.get(3)?,
                golden_scored: row.get(4)?,
                golden_correct: row.get(5)?,
                decoys_seen: row.get(6)?,
                decoys_scored: row.get(7)?,
                decoys_caught: row.get(8)?,
                ..Tally::default()
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Stores `user_id`'s totals.
pub fn put(conn: &Connection, user_id: &str, tally: &Tally) -> super::Result<()> {
    conn.prepare_cached(
        "INSERT INTO reviewer_scores (user_id, reviews, xp, streak, best_streak, golden_scored, \
         golden_correct, decoys_seen, decoys_scored, decoys_caught) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
         ON CONFLICT (user_id) DO UPDATE SET reviews = ?2, xp = ?3, streak = ?4, best_streak = ?5, \
         golden_scored = ?6, golden_correct = ?7, decoys_seen = ?8, decoys_scored = ?9, decoys_caught = ?10",
    )?
    .execute(params![
        user_id,
        tally.reviews,
        tally.xp,
        tally.streak,
        tally.best_streak,
        tally.golden_scored,
        tally.golden_correct,
        tally.decoys_seen,
        tally.decoys_scored,
        tally.decoys_caught,
    ])?;
    Ok(())
}
