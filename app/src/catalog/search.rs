//! Product search: what a shopper's words find, and the index behind it.
//!
//! A product's searchable text is its *title* (its base name, its brand and
//! its name in every language) and its *body* (its descriptions). Both are
//! kept, as words, in `product_search`, with the *grams* of those words:
//! every pair of neighbouring characters of a word (a word of one character
//! is its own gram). A search's words each have to occur in the title or
//! the body; the grams find the candidates through an index (FTS5 on
//! SQLite, a GIN index of a `text[]` on PostgreSQL) and `LIKE` is the exact
//! test. Pairs, not the engines' trigrams, because Korean words are short:
//! "가방", "모자" and "셔츠" are two syllables, which no trigram index finds.
//!
//! The index is kept by the database and this module together: triggers on
//! `products` and `product_translations` mark a product stale in
//! `search_stale` whatever writes it (the shop, an import, a hand-written
//! `UPDATE`), and [`refresh`] rewrites the marked products' rows before a
//! search reads them, so a search sees what was committed before it.

use crate::{
    db::{Backend, Db},
    error::AppResult,
};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// A search counts its matches up to this many and then says "1,000+":
/// counting costs a read of each match (at 100,000 products, 10,000
/// matches took 17 ms on SQLite and 33 ms on PostgreSQL, 1,000 a tenth of
/// that; `bench/RESULTS.md`, section 5), and past it the page is read
/// along the sort's index (`catalog::store::list`).
pub const COUNT_BOUND: i64 = 1_000;

/// The words of `text` as search sees them: lower-cased, split at every
/// character that is not a letter or a digit, each once, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| seen.insert(w.to_string()))
        .map(str::to_string)
        .collect()
}

/// The grams of `word`: each pair of neighbouring characters, or the word
/// itself when it has one character.
fn grams_of(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 {
        return vec![word.to_string()];
    }
    chars.windows(2).map(|pair| pair.iter().collect()).collect()
}

/// A product's row in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub body: String,
    /// Space-separated, each once.
    pub grams: String,
}

impl Document {
    pub fn new<'a>(
        title: impl IntoIterator<Item = &'a str>,
        body: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let join = |texts: &mut dyn Iterator<Item = &'a str>| {
            let mut all = Vec::new();
            for text in texts {
                for word in words(text) {
                    if !all.contains(&word) {
                        all.push(word);
                    }
                }
            }
            all
        };
        let title = join(&mut title.into_iter());
        let body = join(&mut body.into_iter());
        let grams: BTreeSet<String> = title
            .iter()
            .chain(&body)
            .flat_map(|w| grams_of(w))
            .collect();
        Document {
            title: title.join(" "),
            body: body.join(" "),
            grams: grams.into_iter().collect::<Vec<_>>().join(" "),
        }
    }
}

/// What a shopper's search text asks for: its words, and the grams the
/// index is asked for: of each word of two characters or more, the pairs
/// that cover it without overlapping, and the last pair ("sneakers": sn,
/// ea, ke, rs). Every pair would find no fewer candidates for `LIKE` to
/// test, and each pair is a list the index reads: common ones ("er") are
/// long. A one-character word is tested by `LIKE` alone: it would find
/// nearly everything through the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub words: Vec<String>,
    pub grams: Vec<String>,
}

impl Terms {
    pub fn parse(search: &str) -> Self {
        let words = words(search);
        let grams: BTreeSet<String> = words
            .iter()
            .filter(|w| w.chars().count() >= 2)
            .flat_map(|w| {
                let pairs = grams_of(w);
                let last = pairs.len() - 1;
                pairs
                    .into_iter()
                    .enumerate()
                    .filter(move |(i, _)| i % 2 == 0 || *i == last)
                    .map(|(_, pair)| pair)
            })
            .collect();
        Terms {
            words,
            grams: grams.into_iter().collect(),
        }
    }

    /// The value the index condition binds: an FTS5 query of the grams
    /// (each a quoted phrase of one token, all required) on SQLite, the
    /// grams separated by spaces on PostgreSQL.
    pub fn index_value(&self, backend: Backend) -> String {
        match backend {
            Backend::Sqlite => self
                .grams
                .iter()
                .map(|g| format!("\"{g}\""))
                .collect::<Vec<_>>()
                .join(" "),
            Backend::Postgres => self.grams.join(" "),
        }
    }
}

/// The condition that finds candidates `s` through the index, `{}` its
/// placeholder ([`Terms::index_value`]).
pub fn index_condition(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "s.product_id IN (SELECT rowid FROM product_search_grams \
             WHERE product_search_grams MATCH {})"
        }
        Backend::Postgres => "s.grams @> string_to_array({}, ' ')",
    }
}

/// How many marked products one pass of [`refresh`] rewrites.
const BATCH: usize = 500;

/// Rewrites the index rows of every product marked stale, in passes of
/// [`BATCH`], each one transaction. A pass first takes the marks it read,
/// if they were not marked again meanwhile (their `version` unchanged), and
/// rewrites only the products whose marks it took: of two refreshes (two
/// instances of the shop) one writes a product's row, from what it reads
/// after taking the mark, and a write racing it marks the product again
/// (the mark waits for the pass to commit), for the next pass.
pub async fn refresh(db: &Db) -> AppResult<()> {
    let (mut written, mut idle) = (0, 0);
    loop {
        let marks: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT product_id, version FROM search_stale ORDER BY product_id LIMIT {BATCH}"
        ))
        .fetch_all(db.pool())
        .await?;
        if marks.is_empty() {
            break;
        }
        let taken = rewrite(db, &marks).await?;
        written += taken;
        if taken == 0 {
            // Every mark was taken by another pass (this one waited for it
            // to commit) or marked again meanwhile: read them again, a few
            // times, so a search after an import waits for all of it.
            idle += 1;
            if idle == 3 {
                break;
            }
        } else {
            idle = 0;
        }
    }
    if written >= OPTIMIZE_AFTER && db.backend() == Backend::Sqlite {
        // Rows written in passes leave FTS5 an index in many segments,
        // each read by every search: merged into one, a search of common
        // pairs reads a tenth (PostgreSQL's autovacuum does the like for
        // the GIN index's pending entries).
        let mut tx = db.begin_write().await?;
        sqlx::query("INSERT INTO product_search_grams (product_search_grams) VALUES ('optimize')")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// How many rows one refresh writes (an import, an upgrade) before it
/// merges SQLite's index.
const OPTIMIZE_AFTER: usize = 1_000;

/// One pass: takes the marks that did not move, then writes the rows of
/// their products (or leaves them gone with their product). Returns how
/// many marks it took.
async fn rewrite(db: &Db, marks: &[(i64, i64)]) -> AppResult<usize> {
    let mut tx = db.begin_write().await?;
    // Marks are locked in order of product (every pass takes them so), so
    // two passes never wait on each other in a circle; a pass waits for
    // one taking the same marks, and then finds them gone: a search reads
    // the rows that pass wrote.
    let take_sql = format!(
        "DELETE FROM search_stale WHERE product_id IN (SELECT product_id FROM search_stale \
         WHERE (product_id, version) IN (VALUES {}) ORDER BY product_id{}) RETURNING product_id",
        crate::db::value_rows(marks.len(), 2),
        db.for_update()
    );
    let mut take = sqlx::query_scalar::<_, i64>(&take_sql);
    for (id, version) in marks {
        take = take.bind(*id).bind(*version);
    }
    let taken = take.fetch_all(&mut *tx).await?;
    if taken.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let products_sql = format!(
        "SELECT id, name, brand, description FROM products WHERE id IN ({})",
        crate::db::placeholders(1, taken.len())
    );
    let translations_sql = format!(
        "SELECT product_id, name, description FROM product_translations \
         WHERE product_id IN ({}) ORDER BY product_id, lang",
        crate::db::placeholders(1, taken.len())
    );
    let mut products = sqlx::query(&products_sql);
    let mut translations = sqlx::query(&translations_sql);
    for id in &taken {
        products = products.bind(*id);
        translations = translations.bind(*id);
    }
    let mut texts: BTreeMap<i64, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for row in products.fetch_all(&mut *tx).await? {
        let (name, brand, description): (String, String, String) = (
            row.try_get("name")?,
            row.try_get("brand")?,
            row.try_get("description")?,
        );
        texts.insert(row.try_get("id")?, (vec![name, brand], vec![description]));
    }
    for row in translations.fetch_all(&mut *tx).await? {
        if let Some((title, body)) = texts.get_mut(&row.try_get::<i64, _>("product_id")?) {
            title.push(row.try_get("name")?);
            body.push(row.try_get("description")?);
        }
    }
    // A product that is gone took its row with it (`ON DELETE CASCADE`).
    if !texts.is_empty() {
        let grams = match db.backend() {
            Backend::Sqlite => "{}",
            Backend::Postgres => "string_to_array({}, ' ')",
        };
        let rows: Vec<String> = (0..texts.len())
            .map(|i| {
                let at = |k: usize| format!("${}", i * 4 + k);
                format!(
                    "({}, {}, {}, {})",
                    at(1),
                    at(2),
                    at(3),
                    grams.replace("{}", &at(4))
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO product_search (product_id, title, body, grams) VALUES {} \
             ON CONFLICT (product_id) DO UPDATE SET title = excluded.title, \
             body = excluded.body, grams = excluded.grams",
            rows.join(", ")
        );
        let mut upsert = sqlx::query(&sql);
        for (id, (title, body)) in &texts {
            let doc = Document::new(
                title.iter().map(String::as_str),
                body.iter().map(String::as_str),
            );
            upsert = upsert
                .bind(*id)
                .bind(doc.title)
                .bind(doc.body)
                .bind(doc.grams);
        }
        upsert.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(taken.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_split_at_what_is_not_a_letter_or_digit_and_kept_once() {
        assert_eq!(words("Black Tee, No.5 black"), ["black", "tee", "no", "5"]);
        assert_eq!(words("운동화/가방 (270mm)"), ["운동화", "가방", "270mm"]);
        assert_eq!(words(" !!! "), Vec::<String>::new());
    }

    #[test]
    fn grams_are_neighbouring_pairs_and_a_single_character_is_its_own() {
        assert_eq!(grams_of("운동화"), ["운동", "동화"]);
        assert_eq!(grams_of("가방"), ["가방"]);
        assert_eq!(grams_of("m"), ["m"]);
    }

    #[test]
    fn a_document_keeps_title_and_body_apart_and_grams_once() {
        let doc = Document::new(["Hanbit Runner", "Hanbit", "한빛 러너"], ["가벼운 러너"]);
        assert_eq!(doc.title, "hanbit runner 한빛 러너");
        assert_eq!(doc.body, "가벼운 러너");
        assert_eq!(
            doc.grams,
            "an bi ha it nb nn ne nn ru un er 가벼 벼운 러너 한빛"
                .split(' ')
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(" ")
        );
    }

    #[test]
    fn a_search_asks_for_the_pairs_that_cover_each_word() {
        assert_eq!(Terms::parse("sneakers").grams, ["ea", "ke", "rs", "sn"]);
        assert_eq!(Terms::parse("black").grams, ["ac", "bl", "ck"]);
        assert_eq!(Terms::parse("텐트").grams, ["텐트"]);
    }

    #[test]
    fn terms_leave_one_character_words_to_like() {
        let terms = Terms::parse("가방 M 운동화");
        assert_eq!(terms.words, ["가방", "m", "운동화"]);
        assert_eq!(terms.grams, ["가방", "동화", "운동"]);
        assert_eq!(
            terms.index_value(Backend::Sqlite),
            "\"가방\" \"동화\" \"운동\""
        );
        assert_eq!(terms.index_value(Backend::Postgres), "가방 동화 운동");
    }
}
