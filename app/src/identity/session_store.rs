//! A tower-sessions store on the shop's own database (SQLite or Postgres),
//! so every app instance sees the same sessions.

use crate::db::{now_millis, Db};
use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{Error, Result},
    SessionStore,
};

#[derive(Debug, Clone)]
pub struct SqlSessionStore {
    db: Db,
}

impl SqlSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Sessions not yet expired (`/metrics`).
    pub async fn live(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE expiry_date > $1")
            .bind(now_millis())
            .fetch_one(self.db.pool())
            .await
            .map_err(backend)
    }

    /// Removes sessions past their expiry; returns how many.
    pub async fn delete_expired(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expiry_date <= $1")
            .bind(now_millis())
            .execute(self.db.writer())
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }
}

fn backend(err: sqlx::Error) -> Error {
    Error::Backend(err.to_string())
}

fn expiry_millis(record: &Record) -> i64 {
    (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

fn encode(record: &Record) -> Result<String> {
    serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are random; on the rare collision draw another.
        loop {
            let done = sqlx::query(
                "INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(expiry_millis(record))
            .execute(self.db.writer())
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
        )
        .bind(record.id.to_string())
        .bind(encode(record)?)
        .bind(expiry_millis(record))
        .execute(self.db.writer())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let data: Option<String> =
            sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1 AND expiry_date > $2")
                .bind(id.to_string())
                .bind(now_millis())
                .fetch_optional(self.db.pool())
                .await
                .map_err(backend)?;
        data.map(|data| serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string())))
            .transpose()
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.writer())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
