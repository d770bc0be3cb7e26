//! The database: one `sqlx::AnyPool` over SQLite (the embedded default) or
//! Postgres. Queries are written once in SQL both understand (`$1`
//! placeholders, integers as BIGINT, times as unix milliseconds); only the
//! DDL differs, in `migrations/sqlite` and `migrations/postgres`.

pub mod backup;

use crate::error::AppError;
use sqlx::{any::AnyPoolOptions, AnyPool, Executor};
use std::{str::FromStr, time::Duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the shop keeps its data, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    /// The default when `DATABASE_URL` is unset: a file in the working directory.
    pub const DEFAULT: &'static str = "sqlite://storefront.db";

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The SQLite database's file (`None` on PostgreSQL or in memory).
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        if self.backend != Backend::Sqlite || self.url.contains(":memory:") {
            return None;
        }
        let rest = self.url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty()).then(|| path.into())
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let backend = if s.starts_with("sqlite:") {
            Backend::Sqlite
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(format!(
                "DATABASE_URL must start with sqlite: or postgres:// (got {:?})",
                s.split(':').next().unwrap_or_default()
            ));
        };
        let mut url = s.to_string();
        // Create the SQLite file on first start.
        if backend == Backend::Sqlite && !url.contains("mode=") && !url.contains(":memory:") {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("mode=rwc");
        }
        Ok(Self { url, backend })
    }
}

/// The pool and which backend it talks to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    /// Where write transactions run: on SQLite a pool of one connection,
    /// so this process's writers queue for it in order (SQLite runs one
    /// writer at a time; waiting in SQLite's busy handler instead is
    /// sleeping and polling, which leaves the lock idle between a writer
    /// and the next: `bench/profile`); on PostgreSQL the one pool.
    writer: AnyPool,
    backend: Backend,
}

impl Db {
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Self> {
        use anyhow::Context;
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let options = |max_connections| {
            AnyPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                // A pooled SQLite connection is a file handle on a worker
                // thread: nothing can break it between two queries, and the
                // ping before each one was a round trip to that thread (9 % of
                // a home page's samples; bench/README.md). A PostgreSQL one
                // can be dropped by the server or the network: it is checked.
                .test_before_acquire(backend == Backend::Postgres)
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            // WAL lets readers run beside the writer; the busy
                            // timeout makes a second writer wait instead of failing.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                        }
                        Ok(())
                    })
                })
        };
        let open = |max_connections| async move {
            options(max_connections)
                .connect(url.as_str())
                .await
                .with_context(|| format!("cannot open the {backend:?} database"))
        };
        let (pool, writer) = match backend {
            Backend::Sqlite => (open(8).await?, open(1).await?),
            Backend::Postgres => {
                let pool = open(16).await?;
                (pool.clone(), pool)
            }
        };
        Ok(Self {
            pool,
            writer,
            backend,
        })
    }

    /// Closes the pools (the server's last act).
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    /// The migrations this build knows for its backend.
    fn migrator(&self) -> sqlx::migrate::Migrator {
        Self::migrator_of(self.backend)
    }

    fn migrator_of(backend: Backend) -> sqlx::migrate::Migrator {
        match backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
        }
    }

    /// Brings the schema up to date; the server does not start if this fails.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        use anyhow::Context;
        let migrator = self.migrator();
        if self.backend == Backend::Postgres {
            return migrator
                .run(&self.pool)
                .await
                .context("database migrations failed");
        }
        // SQLite changes a table's CHECK by rebuilding the table, and
        // dropping the old one with foreign keys on would cascade its
        // deletes: the migrations run on one connection with them off (a
        // pragma a transaction cannot change), and every foreign key is
        // checked afterwards. The connection is closed, not pooled.
        let mut conn = self.pool.acquire().await?;
        conn.execute("PRAGMA foreign_keys = OFF").await?;
        let ran = migrator.run(&mut *conn).await;
        let broken = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *conn)
            .await?
            .len();
        conn.detach();
        ran.context("database migrations failed")?;
        anyhow::ensure!(
            broken == 0,
            "database migrations left {broken} rows whose foreign keys point nowhere"
        );
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Where one write statement of its own (no transaction) runs: the
    /// writer connection on SQLite, in turn with the write transactions
    /// (see [`Db::begin_write`]). Never while the same task holds a write
    /// transaction: on SQLite it would wait for itself.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that will write. On SQLite it runs on the one
    /// writer connection (this process's writers wait for it in turn) and
    /// takes the write lock up front (`BEGIN IMMEDIATE`), so a transaction
    /// never fails with `SQLITE_BUSY` half-way when it upgrades from
    /// reading to writing: against another process it waits its turn under
    /// the busy timeout instead.
    /// How long that took (waiting for the writer connection, and on
    /// SQLite for another process's writer) is `/metrics`'s
    /// `shop_db_write_begin_seconds`.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, AppError> {
        let asked = std::time::Instant::now();
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        };
        metrics::histogram!("shop_db_write_begin_seconds").record(asked.elapsed());
        Ok(tx)
    }

    /// What a `SELECT` ends with to lock the rows it reads until the
    /// transaction ends, against other writers of those rows: `FOR NO KEY
    /// UPDATE` on Postgres (which still lets rows elsewhere refer to them);
    /// nothing on SQLite, whose write transactions (`begin_write`) already
    /// run one at a time.
    pub fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR NO KEY UPDATE",
        }
    }

    /// [`Db::for_update`] for a join: locks the rows of `table` (its alias)
    /// only, not those it joins.
    pub fn for_update_of(&self, table: &str) -> String {
        match self.backend {
            Backend::Sqlite => String::new(),
            Backend::Postgres => format!(" FOR NO KEY UPDATE OF {table}"),
        }
    }

    /// What a locking subquery ends with to pass over rows another
    /// transaction is locking right now instead of waiting for them:
    /// `FOR UPDATE SKIP LOCKED` on Postgres; nothing on SQLite, where one
    /// statement writes at a time anyway.
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Whether the shop can serve from this database now (`GET /readyz`):
    /// it answers within [`READY_WITHIN`] (its own bound, not the pool's
    /// 10 s wait), and every migration this build knows has been applied.
    pub async fn readiness(&self) -> Readiness {
        let applied = tokio::time::timeout(
            READY_WITHIN,
            sqlx::query_scalar::<_, i64>(
                "SELECT version FROM _sqlx_migrations WHERE success = TRUE",
            )
            .fetch_all(&self.pool),
        )
        .await;
        match applied {
            Err(_) | Ok(Err(_)) => Readiness::Unreachable,
            Ok(Ok(applied)) => {
                let missing = self
                    .migrator()
                    .iter()
                    .filter(|m| !m.migration_type.is_down_migration())
                    .filter(|m| !applied.contains(&m.version))
                    .count();
                match missing {
                    0 => Readiness::Ready,
                    missing => Readiness::MigrationsMissing(missing),
                }
            }
        }
    }
}

/// How long `GET /readyz` waits for the database.
pub const READY_WITHIN: Duration = Duration::from_secs(1);

/// What [`Db::readiness`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// No answer within [`READY_WITHIN`], or an error.
    Unreachable,
    /// This many of the build's migrations are not applied.
    MigrationsMissing(usize),
}

/// The database from the server's context; an error, not a panic, if missing.
pub fn db() -> Result<Db, AppError> {
    leptos::prelude::use_context::<Db>()
        .ok_or_else(|| AppError::internal("context", "no database in the server context"))
}

/// `count` placeholders numbered from `$first`, separated by commas, for
/// an `IN (…)` list.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rows` rows of `columns` placeholders each, numbered from `$1`, for a
/// multi-row `VALUES`: `($1, $2), ($3, $4)`.
pub fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| format!("({})", placeholders(row * columns + 1, columns)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Milliseconds since the Unix epoch: how times are stored.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        let url: DatabaseUrl = "sqlite://shop.db".parse().unwrap();
        assert_eq!(url.backend(), Backend::Sqlite);
        assert_eq!(url.as_str(), "sqlite://shop.db?mode=rwc");
        let url: DatabaseUrl = "postgres://u@localhost/db".parse().unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        assert!("mysql://x".parse::<DatabaseUrl>().is_err());
    }
}
