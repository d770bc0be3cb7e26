//! The embedded database's backup: a consistent copy of a running shop's
//! SQLite file (`server backup FILE`), and putting one back while the shop
//! is stopped (`server restore FILE`). PostgreSQL has its own tools
//! (`pg_dump`, `pg_restore`); both commands say so and fail there.

use super::{Backend, DatabaseUrl, Db};
use anyhow::{bail, ensure, Context};
use sqlx::Connection;
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

const ON_POSTGRES: &str = "the database is PostgreSQL: back it up with pg_dump and put a \
                           copy back with pg_restore (or psql for a plain dump)";

/// What a backup or a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub bytes: u64,
    pub took: Duration,
    /// Restore only: where the database it replaced was moved.
    pub replaced: Option<PathBuf>,
}

/// Copies the database at `url` into `to`, which must not exist, while
/// the shop goes on serving: `VACUUM INTO` reads one snapshot (a read
/// transaction, which in WAL mode holds no writer up) and writes it to the
/// new file, compacted. The copy is checked before this returns.
pub async fn backup(url: &DatabaseUrl, to: &Path) -> anyhow::Result<Copied> {
    let started = Instant::now();
    let Some(file) = url.sqlite_file() else {
        bail!(no_file(url));
    };
    ensure!(file.is_file(), "there is no database at {}", file.display());
    ensure!(
        !to.exists(),
        "{} exists: a backup never overwrites a file",
        to.display()
    );
    let to_text = to
        .to_str()
        .with_context(|| format!("{} is not a UTF-8 path", to.display()))?;
    let mut conn = open(&file, "rw").await?;
    sqlx::query("VACUUM INTO $1")
        .bind(to_text)
        .execute(&mut conn)
        .await
        .with_context(|| format!("writing {}", to.display()))?;
    conn.close().await?;
    check(to)
        .await
        .context("the copy does not pass its checks")?;
    Ok(Copied {
        bytes: std::fs::metadata(to)?.len(),
        took: started.elapsed(),
        replaced: None,
    })
}

/// Puts the backup `from` in place of the database at `url`, with the shop
/// stopped. `from` must pass SQLite's `integrity_check` and carry only
/// migrations this build knows (an older shop's backup is brought up to
/// date when the shop starts). The database it replaces is kept beside
/// it, renamed, never deleted.
pub async fn restore(url: &DatabaseUrl, from: &Path) -> anyhow::Result<Copied> {
    let started = Instant::now();
    let Some(file) = url.sqlite_file() else {
        bail!(no_file(url));
    };
    ensure!(from.is_file(), "there is no backup at {}", from.display());
    check(from)
        .await
        .with_context(|| format!("{} cannot be restored", from.display()))?;
    // A shop open on the database keeps its write-ahead log beside it; one
    // that stopped cleanly has folded it in and removed it.
    for suffix in ["-wal", "-shm"] {
        let beside = with_suffix(&file, suffix);
        ensure!(
            !beside.exists(),
            "{} exists: a shop is running on {} (or stopped without closing it: start \
             and stop it once). Stop it before restoring",
            beside.display(),
            file.display()
        );
    }
    let staged = with_suffix(&file, ".restoring");
    std::fs::copy(from, &staged)
        .with_context(|| format!("copying {} to {}", from.display(), staged.display()))?;
    std::fs::File::open(&staged)?.sync_all()?;
    let replaced = if file.exists() {
        let aside = with_suffix(&file, &format!(".replaced-{}", super::now_millis()));
        std::fs::rename(&file, &aside)?;
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&staged, &file)?;
    Ok(Copied {
        bytes: std::fs::metadata(&file)?.len(),
        took: started.elapsed(),
        replaced,
    })
}

/// Why there is nothing for these commands to copy.
fn no_file(url: &DatabaseUrl) -> String {
    match url.backend() {
        Backend::Postgres => ON_POSTGRES.to_string(),
        Backend::Sqlite => "an in-memory database has no file to copy".to_string(),
    }
}

/// Whether `file` is a whole SQLite database of this shop: it opens,
/// passes `integrity_check`, and every migration it records is one this
/// build knows.
pub async fn check(file: &Path) -> anyhow::Result<()> {
    let mut conn = open(file, "ro").await?;
    let said: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .context("not a database SQLite can read")?;
    ensure!(said == ["ok"], "integrity_check: {}", said.join("; "));
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_all(&mut conn)
            .await
            .context("not a database of this shop (it has no migrations)")?;
    let known: Vec<i64> = Db::migrator_of(Backend::Sqlite)
        .iter()
        .map(|m| m.version)
        .collect();
    let unknown: Vec<String> = applied
        .iter()
        .filter(|v| !known.contains(v))
        .map(i64::to_string)
        .collect();
    ensure!(
        unknown.is_empty(),
        "made by a newer version of the shop (migrations {} are unknown to this one)",
        unknown.join(", ")
    );
    conn.close().await?;
    Ok(())
}

/// One connection of its own to the SQLite file (`mode`: `ro`, `rw`).
async fn open(file: &Path, mode: &str) -> anyhow::Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode={mode}", file.display());
    sqlx::AnyConnection::connect(&url)
        .await
        .with_context(|| format!("cannot open {}", file.display()))
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_file_comes_from_its_url() {
        let file = |url: &str| url.parse::<DatabaseUrl>().unwrap().sqlite_file();
        assert_eq!(file("sqlite://storefront.db"), Some("storefront.db".into()));
        assert_eq!(file("sqlite:shop.db"), Some("shop.db".into()));
        assert_eq!(
            file("sqlite:///srv/shop/shop.db?mode=rwc"),
            Some("/srv/shop/shop.db".into())
        );
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("postgres://shop@db/shop"), None);
    }
}
