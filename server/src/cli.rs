//! The command line: serving the shop, and commands for operators beside
//! it. `server --help` lists them; an unknown command or argument is an
//! error that says what was expected.

use crate::config::Config;
use app::{
    db::{backup, Db},
    platform::outbox,
    staff::{store as staff_store, Role},
};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "The storefront: serves the shop, or runs an operator's command.",
    after_help = "Configuration comes from the environment (DATABASE_URL, LEPTOS_SITE_ADDR, ...): see the README."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the shop (what `server` alone does).
    Serve,
    /// How delivery to the data platform is going.
    Outbox,
    /// Copy the SQLite database to FILE while the shop runs (on PostgreSQL:
    /// use pg_dump).
    Backup {
        /// Where the copy goes; must not exist.
        file: std::path::PathBuf,
    },
    /// Put a backup made by `server backup` in place of the SQLite
    /// database, with the shop stopped (the database it replaces is kept,
    /// renamed).
    Restore {
        /// The backup to put back.
        file: std::path::PathBuf,
    },
    /// Staff roles: make the first admin, and see or change who is staff.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffAction {
    /// Give a user a role (replacing theirs).
    Grant {
        /// The user's login id.
        login_id: String,
        /// admin, catalog_manager, order_manager or support.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Take a user's role away: they become a shopper.
    Revoke {
        /// The user's login id.
        login_id: String,
    },
    /// Every member of staff with their role.
    List,
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse::<Role>().map_err(|_| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("one of {} (got {raw:?})", roles.join(", "))
    })
}

/// `server staff ...`: the change is audited like one made in the web,
/// with no staff member as its author.
pub async fn staff(config: &Config, action: StaffAction) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let failed = |e: app::error::AppError| anyhow::anyhow!("{} ({})", e.message, e.code.as_str());
    let change = match &action {
        StaffAction::List => None,
        StaffAction::Grant { login_id, role } => {
            let mut tx = db.begin_write().await.map_err(failed)?;
            let change = staff_store::grant(&db, &mut tx, login_id, *role, None)
                .await
                .map_err(failed)?;
            Some((tx, change))
        }
        StaffAction::Revoke { login_id } => {
            let mut tx = db.begin_write().await.map_err(failed)?;
            let change = staff_store::revoke(&db, &mut tx, login_id)
                .await
                .map_err(failed)?;
            Some((tx, change))
        }
    };
    if let Some((mut tx, change)) = change {
        if change.before != change.after {
            app::admin::staff::record_change(&mut tx, None, &change)
                .await
                .map_err(failed)?;
        }
        tx.commit().await?;
        let name = |role: Option<Role>| role.map_or("shopper", Role::as_str);
        println!(
            "{}: {} -> {}",
            change.login_id,
            name(change.before),
            name(change.after)
        );
    }
    let list = staff_store::list(&db).await.map_err(failed)?;
    if list.items.is_empty() {
        println!("no staff yet: `server staff grant LOGIN_ID admin` makes the first admin");
    }
    for member in list.items {
        println!("{:<20} {}", member.login_id, member.role.as_str());
    }
    Ok(())
}

/// `server backup FILE`.
pub async fn backup(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let copied = backup::backup(&config.database_url, file).await?;
    println!(
        "backed up to {}: {} in {:.2} s",
        file.display(),
        size(copied.bytes),
        copied.took.as_secs_f64()
    );
    Ok(())
}

/// `server restore FILE`.
pub async fn restore(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let copied = backup::restore(&config.database_url, file).await?;
    println!(
        "restored {} ({}) in {:.2} s",
        file.display(),
        size(copied.bytes),
        copied.took.as_secs_f64()
    );
    if let Some(replaced) = copied.replaced {
        println!("the database it replaced is kept as {}", replaced.display());
    }
    Ok(())
}

fn size(bytes: u64) -> String {
    match bytes {
        0..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// `server outbox`: how delivery to the data platform is going.
pub async fn outbox_report(config: &Config) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let stats = outbox::stats(&db)
        .await
        .map_err(|e| anyhow::anyhow!("reading the outbox: {}", e.message))?;
    println!("{}", report(&stats, config.data_platform_url.as_deref()));
    Ok(())
}

fn report(stats: &outbox::OutboxStats, platform_url: Option<&str>) -> String {
    let oldest = match stats.oldest_pending_ms {
        Some(ms) => format!("{:.1} s", ms as f64 / 1000.0),
        None => "-".to_string(),
    };
    format!(
        "data platform:  {}\npending:        {}\nfailing:        {}\ndelivered:      {}\noldest pending: {oldest}\nlast error:     {}",
        platform_url.unwrap_or("embedded"),
        stats.pending,
        stats.failing,
        stats.delivered,
        stats.last_error.as_deref().unwrap_or("-"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_checked() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["server", "staff", "grant", "alice", "admin"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Staff {
                action: StaffAction::Grant {
                    role: Role::Admin,
                    ..
                }
            })
        ));
        assert!(Cli::try_parse_from(["server"]).unwrap().command.is_none());
        for bad in [
            &["server", "staff", "grant", "alice", "owner"][..],
            &["server", "staff", "grant", "alice"],
            &["server", "stafff"],
            &["server", "outbox", "--verbose"],
            &["server", "backup"],
            &["server", "restore", "a.db", "b.db"],
        ] {
            assert!(Cli::try_parse_from(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_report_names_every_figure() {
        let stats = outbox::OutboxStats {
            pending: 3,
            delivered: 10,
            failing: 2,
            oldest_pending_ms: Some(12_345),
            last_error: Some("the data platform answered 503".into()),
        };
        let text = report(&stats, None);
        assert!(text.contains("pending:        3"), "{text}");
        assert!(text.contains("failing:        2"), "{text}");
        assert!(text.contains("delivered:      10"), "{text}");
        assert!(text.contains("oldest pending: 12.3 s"), "{text}");
        assert!(text.contains("answered 503"), "{text}");
        assert!(text.contains("embedded"), "{text}");
    }
}
