//! Commands for operators, beside serving the shop.

use crate::config::Config;
use app::{db::Db, platform::outbox};

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
