//! The two dialects' migrations describe one schema: the same tables with
//! the same columns, each as nullable in both or in neither. Only the
//! search index differs by nature (SQLite's FTS5 tables, Postgres' GIN
//! index), so SQLite's `product_search_grams*` tables are left out.

use crate::helpers::fresh_database;
use app::db::{Backend, Db};
use std::collections::BTreeSet;

/// `(table, column, nullable)` for every column of the shop's tables.
async fn columns(backend: Backend) -> BTreeSet<(String, String, bool)> {
    let db = Db::connect(&fresh_database(backend).await).await.unwrap();
    db.migrate().await.unwrap();
    let sql = match backend {
        // A primary key column is never null, whatever `notnull` says.
        Backend::Sqlite => {
            "SELECT m.name AS tbl, c.name AS col, \
                    CAST(CASE WHEN c.\"notnull\" = 1 OR c.pk > 0 THEN 0 ELSE 1 END AS BIGINT) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
               AND m.name NOT LIKE 'product_search_grams%'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS tbl, CAST(column_name AS TEXT) AS col, \
                    CAST(CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS BIGINT) AS nullable \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'"
        }
    };
    let rows: Vec<(String, String, i64)> = sqlx::query_as(sql).fetch_all(db.pool()).await.unwrap();
    rows.into_iter().map(|(t, c, n)| (t, c, n != 0)).collect()
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let sqlite = columns(Backend::Sqlite).await;
    let postgres = columns(Backend::Postgres).await;
    assert!(sqlite.len() > 40, "the schema was read: {sqlite:?}");
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:#?}\nonly in Postgres: {only_postgres:#?}"
    );
}
