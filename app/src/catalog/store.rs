//! Catalog queries, shared by both backends.

use super::{
    search,
    variants::{self, variant_not_found, variant_required, Choices, ProductOption, Variant},
    AdjustCause, MovementReason, Product, ProductId, ProductPage, ProductQuery, Quantity, Sort,
    VariantId,
};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode, ErrorDetails},
    identity::UserId,
    locale::Locale,
    money::Won,
    paging::Paging,
};
use sqlx::{any::AnyRow, AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

/// The product `p`'s `column` (`name` or `description`) in `locale`, or its
/// base text when it has none in that language. (The tag comes from the
/// shop's own `Locale`, never from a request's text.)
pub fn translated(column: &str, locale: Locale) -> String {
    format!(
        "COALESCE((SELECT t.{column} FROM product_translations t \
         WHERE t.product_id = p.id AND t.lang = '{}'), p.{column})",
        locale.tag()
    )
}

/// A product `p`'s stock as shoppers see it: the sum of its variants' on sale.
pub const STOCK: &str = "CAST(COALESCE((SELECT SUM(v.stock) FROM variants v \
     WHERE v.product_id = p.id AND v.on_sale = 1), 0) AS BIGINT)";

/// Columns of a product as the shop shows it in `locale`; `$1` is the
/// viewer (or NULL).
fn product_columns(locale: Locale) -> String {
    format!(
        "p.id, {} AS name, p.brand, {} AS description, p.price, {STOCK} AS stock, \
         p.like_count, p.image, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM likes l WHERE l.product_id = p.id AND l.user_id = $1) \
              THEN 1 ELSE 0 END AS BIGINT) AS liked, \
         CAST((SELECT COUNT(*) FROM product_options o WHERE o.product_id = p.id) AS BIGINT) \
           AS has_options",
        translated("name", locale),
        translated("description", locale)
    )
}

fn product_from_row(row: &AnyRow) -> Result<Product, sqlx::Error> {
    Ok(Product {
        id: ProductId(row.try_get("id")?),
        name: row.try_get("name")?,
        brand: row.try_get("brand")?,
        description: row.try_get("description")?,
        price: Won(row.try_get("price")?),
        stock: row.try_get("stock")?,
        like_count: row.try_get("like_count")?,
        liked: row.try_get::<i64, _>("liked")? != 0,
        image: row.try_get("image")?,
        // A count, not `EXISTS`: PostgreSQL turns an `EXISTS` here into a
        // hash of every product's options on each page (60 ms at 100,000).
        has_options: row.try_get::<i64, _>("has_options")? > 0,
    })
}

fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::Latest => "p.created_at DESC, p.id DESC",
        Sort::PriceAsc => "p.price ASC, p.id ASC",
        Sort::PriceDesc => "p.price DESC, p.id DESC",
        Sort::LikesDesc => "p.like_count DESC, p.id DESC",
    }
}

/// A listing's conditions and ordering, their placeholders numbered from
/// `first`, with the values they bind. Only the filters the query has are
/// written, so each can use its index: the brand's, and for a search the
/// index of grams ([`search`]), with `LIKE` on the words as the exact test.
struct Filters {
    from: &'static str,
    conditions: Vec<String>,
    /// For a search: every word is in the product's title (names, brand).
    in_title: Option<String>,
    values: Vec<String>,
}

impl Filters {
    /// With `through_index` false, a search tests each product it reads
    /// rather than asking the index of grams for candidates: the way to
    /// walk a sort's index when matches are many.
    fn new(db: &Db, query: &ProductQuery, first: usize, through_index: bool) -> Self {
        let mut values = Vec::new();
        let mut bind = |value: String| {
            values.push(value);
            format!("${}", first + values.len() - 1)
        };
        let mut conditions = vec![ON_SALE.to_string()];
        let mut from = "products p";
        let mut in_title = None;
        if let Some(brand) = &query.brand {
            conditions.push(format!("p.brand = {}", bind(brand.clone())));
        }
        if let Some(text) = &query.search {
            let terms = search::Terms::parse(text);
            from = "products p JOIN product_search s ON s.product_id = p.id";
            if terms.words.is_empty() {
                // Nothing but punctuation: no word to find.
                conditions.push("1 = 0".to_string());
            }
            if through_index && !terms.grams.is_empty() {
                let value = bind(terms.index_value(db.backend()));
                conditions.push(search::index_condition(db.backend()).replace("{}", &value));
            }
            let mut titles = Vec::new();
            for word in &terms.words {
                let pattern = bind(crate::text::like_pattern(word));
                conditions.push(format!(
                    "(s.title LIKE {pattern} ESCAPE '\\' OR s.body LIKE {pattern} ESCAPE '\\')"
                ));
                titles.push(format!("s.title LIKE {pattern} ESCAPE '\\'"));
            }
            in_title = (!titles.is_empty()).then(|| titles.join(" AND "));
        }
        Filters {
            from,
            conditions,
            in_title,
            values,
        }
    }

    fn is_empty(&self) -> bool {
        self.values.is_empty() && self.conditions.len() == 1
    }

    /// For a search: 0 when every word is in the title, else 1.
    fn rank(&self) -> Option<String> {
        self.in_title
            .as_ref()
            .map(|in_title| format!("CASE WHEN {in_title} THEN 0 ELSE 1 END"))
    }

    fn condition(&self) -> String {
        self.conditions.join(" AND ")
    }
}

/// The condition of every query that shows products to shoppers.
pub const ON_SALE: &str = "p.on_sale = 1";

/// A statement and the values it binds, in order.
pub struct Statement {
    pub sql: String,
    pub values: Vec<String>,
}

/// The statements behind `list`. Pages bind `$1` the viewer (or NULL),
/// then `values`, then limit and offset; the count binds `values` only.
/// Public so the benchmark can show their query plans.
pub struct ListStatements {
    pub page: Statement,
    pub count: Statement,
    /// Whether the count stops past [`search::COUNT_BOUND`].
    pub bounded: bool,
    /// For a search: its matches up to one past the bound, found through
    /// the index of grams once, sorted, and a page of them with their
    /// number (`matches`, the count) on every row; binds as a page does.
    pub matches: Option<Statement>,
    /// For a search with more matches than the bound: the page read along
    /// the sort's index, each product tested as it comes, which finds a
    /// page of common words after a few rows instead of sorting thousands.
    /// In the shop's own order it reads the name matches only, so it
    /// serves a page they fill.
    pub walk: Option<Statement>,
}

pub fn list_statements(db: &Db, query: &ProductQuery, locale: Locale) -> ListStatements {
    let page = |filters: Filters, extra: Option<&str>, order: String| {
        let limit = filters.values.len() + 2;
        let mut condition = filters.condition();
        if let Some(extra) = extra {
            condition = format!("{condition} AND {extra}");
        }
        Statement {
            sql: format!(
                "SELECT {} FROM {} WHERE {condition} ORDER BY {order} LIMIT ${limit} OFFSET ${}",
                product_columns(locale),
                filters.from,
                limit + 1
            ),
            values: filters.values,
        }
    };
    let filters = Filters::new(db, query, 2, true);
    // A search in the shop's own order puts the products whose names hold
    // every word first; the newest first among equals.
    let order = match (filters.rank(), query.sort) {
        (Some(rank), Sort::Latest) => format!("{rank}, {}", order_by(query.sort)),
        _ => order_by(query.sort).to_string(),
    };
    let counted = Filters::new(db, query, 1, true);
    let bounded = !counted.is_empty();
    let matches = query.search.as_ref().map(|_| {
        let found = Filters::new(db, query, 2, true);
        let limit = found.values.len() + 2;
        let rank = found.rank().unwrap_or_else(|| "1".to_string());
        let order = match query.sort {
            Sort::Latest => format!("m.rank, {}", order_by(query.sort)),
            _ => order_by(query.sort).to_string(),
        };
        Statement {
            sql: format!(
                "WITH m AS MATERIALIZED (SELECT p.id, CAST({rank} AS BIGINT) AS rank \
                   FROM {} WHERE {} LIMIT {}) \
                 SELECT {}, CAST((SELECT COUNT(*) FROM m) AS BIGINT) AS matches \
                 FROM m JOIN products p ON p.id = m.id \
                 ORDER BY {order} LIMIT ${limit} OFFSET ${}",
                found.from,
                found.condition(),
                search::COUNT_BOUND + 1,
                product_columns(locale),
                limit + 1
            ),
            values: found.values,
        }
    });
    let walk = query.search.as_ref().map(|_| {
        let walked = Filters::new(db, query, 2, false);
        let first_names = match query.sort {
            Sort::Latest => walked.in_title.clone(),
            _ => None,
        };
        page(
            walked,
            first_names.as_deref(),
            order_by(query.sort).to_string(),
        )
    });
    ListStatements {
        page: page(filters, None, order),
        // The size of the catalog on sale is kept up to date by triggers;
        // a filtered count stops past the bound.
        count: Statement {
            sql: if bounded {
                format!(
                    "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {} WHERE {} LIMIT {}) AS matches",
                    counted.from,
                    counted.condition(),
                    search::COUNT_BOUND + 1
                )
            } else {
                "SELECT products AS n FROM catalog_counts WHERE id = 1".to_string()
            },
            values: counted.values,
        },
        bounded,
        matches,
        walk,
    }
}

pub async fn list(
    db: &Db,
    query: &ProductQuery,
    viewer: Option<UserId>,
    locale: Locale,
) -> AppResult<ProductPage> {
    if query.search.is_some() {
        // A search that cannot bring the index up to date still answers,
        // from the index as it is.
        if let Err(e) = search::refresh(db).await {
            tracing::warn!(error = %e.message, "could not refresh the search index");
        }
    }
    let statements = list_statements(db, query, locale);
    let page_of = |items, total, total_capped| ProductPage {
        items,
        total,
        total_capped,
        page: query.paging.page,
        per_page: query.paging.per_page,
    };
    if let (Some(matches), Some(walk)) = (&statements.matches, &statements.walk) {
        let mut found = sqlx::query(&matches.sql).bind(viewer.map(|v| v.0));
        for value in &matches.values {
            found = found.bind(value.clone());
        }
        let rows = found
            .bind(i64::from(query.paging.per_page))
            .bind(query.paging.offset())
            .try_map(|row: AnyRow| Ok((product_from_row(&row)?, row.try_get::<i64, _>("matches")?)))
            .fetch_all(db.pool())
            .await?;
        let counted = match rows.first() {
            Some((_, n)) => *n,
            // A page past the last has no row to carry the number.
            None => count(db, &statements.count).await?,
        };
        if counted <= search::COUNT_BOUND {
            let items = rows.into_iter().map(|(product, _)| product).collect();
            return Ok(page_of(items, counted, false));
        }
        let walked = read_page(db, walk, viewer, query.paging).await?;
        // A page the name matches do not fill (its last ones, or a word
        // found mostly in descriptions) is read in full rank.
        let items = if query.sort == Sort::Latest && walked.len() < query.paging.per_page as usize {
            read_page(db, &statements.page, viewer, query.paging).await?
        } else {
            walked
        };
        return Ok(page_of(items, search::COUNT_BOUND, true));
    }
    let counted = count(db, &statements.count).await?;
    let total_capped = statements.bounded && counted > search::COUNT_BOUND;
    let items = read_page(db, &statements.page, viewer, query.paging).await?;
    Ok(page_of(
        items,
        if total_capped {
            search::COUNT_BOUND
        } else {
            counted
        },
        total_capped,
    ))
}

/// What a count statement counted.
async fn count(db: &Db, statement: &Statement) -> AppResult<i64> {
    let mut count = sqlx::query(&statement.sql);
    for value in &statement.values {
        count = count.bind(value.clone());
    }
    Ok(count.fetch_one(db.pool()).await?.try_get("n")?)
}

async fn read_page(
    db: &Db,
    statement: &Statement,
    viewer: Option<UserId>,
    paging: Paging,
) -> AppResult<Vec<Product>> {
    let mut page = sqlx::query(&statement.sql).bind(viewer.map(|v| v.0));
    for value in &statement.values {
        page = page.bind(value.clone());
    }
    Ok(page
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_all(db.pool())
        .await?)
}

pub async fn get(
    db: &Db,
    id: ProductId,
    viewer: Option<UserId>,
    locale: Locale,
) -> AppResult<Option<Product>> {
    let sql = format!(
        "SELECT {} FROM products p WHERE p.id = $2 AND {ON_SALE}",
        product_columns(locale)
    );
    Ok(sqlx::query(&sql)
        .bind(viewer.map(|v| v.0))
        .bind(id.0)
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_optional(db.pool())
        .await?)
}

/// The products `user_id` likes, the newest like first.
pub async fn liked_by(
    db: &Db,
    user_id: UserId,
    paging: Paging,
    locale: Locale,
) -> AppResult<ProductPage> {
    let sql = format!(
        "SELECT {} FROM likes lk JOIN products p ON p.id = lk.product_id \
         WHERE lk.user_id = $1 AND {ON_SALE} \
         ORDER BY lk.created_at DESC, p.id DESC LIMIT $2 OFFSET $3",
        product_columns(locale)
    );
    let items = sqlx::query(&sql)
        .bind(user_id.0)
        .bind(i64::from(paging.per_page))
        .bind(paging.offset())
        .try_map(|row: AnyRow| product_from_row(&row))
        .fetch_all(db.pool())
        .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM likes lk JOIN products p ON p.id = lk.product_id \
         WHERE lk.user_id = $1 AND {ON_SALE}"
    ))
    .bind(user_id.0)
    .fetch_one(db.pool())
    .await?;
    Ok(ProductPage {
        items,
        total,
        total_capped: false,
        page: paging.page,
        per_page: paging.per_page,
    })
}

/// Whether a product exists, on sale or not.
pub async fn exists(db: &Db, id: ProductId) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE id = $1")
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

/// The variant a line means: `variant_id` if it is one of the product's
/// on sale (else 404 `VARIANT_NOT_FOUND`), or, left out, the product's one
/// variant when it has no options (else 400 `VARIANT_REQUIRED`). The
/// product itself is on sale (else 404 `PRODUCT_NOT_FOUND`).
///
/// With `for_sale` false (taking a line out of a cart) the product and the
/// variant may be off sale.
pub async fn resolve_variant(
    conn: &mut AnyConnection,
    product: ProductId,
    variant: Option<VariantId>,
    for_sale: bool,
) -> AppResult<VariantId> {
    let row = sqlx::query(
        "SELECT CAST((SELECT COUNT(*) FROM product_options o WHERE o.product_id = p.id) AS BIGINT) \
           AS options, \
         (SELECT v.id FROM variants v WHERE v.product_id = p.id AND v.id = $2 \
            AND (v.on_sale = 1 OR $3 = 0)) AS chosen, \
         (SELECT v.id FROM variants v WHERE v.product_id = p.id AND v.combo = '') AS default_id \
         FROM products p WHERE p.id = $1 AND (p.on_sale = 1 OR $3 = 0)",
    )
    .bind(product.0)
    .bind(variant.map_or(0, |v| v.0))
    .bind(i64::from(for_sale))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(AppError::product_not_found)?;
    let options: i64 = row.try_get("options")?;
    match variant {
        Some(_) => row
            .try_get::<Option<i64>, _>("chosen")?
            .map(VariantId)
            .ok_or_else(variant_not_found),
        None if options > 0 => Err(variant_required()),
        None => row
            .try_get::<Option<i64>, _>("default_id")?
            .map(VariantId)
            .ok_or_else(variant_not_found),
    }
}

/// Each line's variant for sale, in the lines' order, resolved as
/// [`resolve_variant`] does: the products missing or off sale are named
/// together first (404 `PRODUCT_NOT_FOUND` with `details.product_ids`),
/// then the first line whose variant cannot be sold (off sale, another
/// product's, or not named when the product has options) says why.
///
/// Read as `tx` sees them, without locking them, in one statement however
/// many lines (and one more for the labels, when a product has options).
/// Their stock is a first check only: the stock rule ([`take_stock`]) is
/// what holds, and a checkout takes the stock last, so buyers of one
/// variant wait for each other as briefly as they can.
pub async fn lines_for_sale(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    lines: &[(ProductId, Option<VariantId>)],
    locale: Locale,
) -> AppResult<Vec<ForSale>> {
    let mut products: Vec<i64> = lines.iter().map(|(p, _)| p.0).collect();
    products.sort_unstable();
    products.dedup();
    let named: Vec<i64> = lines.iter().filter_map(|(_, v)| v.map(|v| v.0)).collect();
    // Each product on sale with its count of options, beside its variant
    // without options and the variants named (a product's row alone when
    // it has neither).
    let sql = format!(
        "SELECT p.id AS product_id, p.name, {} AS shown_name, \
           CAST((SELECT COUNT(*) FROM product_options o WHERE o.product_id = p.id) AS BIGINT) \
             AS options, \
           v.id, v.sku, v.price, v.stock, v.combo, v.on_sale \
         FROM products p LEFT JOIN variants v ON v.product_id = p.id \
           AND (v.combo = ''{}) \
         WHERE p.id IN ({}) AND {ON_SALE}",
        translated("name", locale),
        match named.len() {
            0 => String::new(),
            n => format!(
                " OR v.id IN ({})",
                crate::db::placeholders(products.len() + 1, n)
            ),
        },
        crate::db::placeholders(1, products.len()),
    );
    let mut query = sqlx::query(&sql);
    for id in products.iter().chain(&named) {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    let mut options: HashMap<i64, i64> = HashMap::new();
    let mut variants: Vec<(String, i64, ForSale)> = Vec::with_capacity(rows.len());
    for row in rows {
        let product_id: i64 = row.try_get("product_id")?;
        options.insert(product_id, row.try_get("options")?);
        let Some(id) = row.try_get::<Option<i64>, _>("id")? else {
            continue;
        };
        variants.push((
            row.try_get("combo")?,
            row.try_get("on_sale")?,
            ForSale {
                product_id: ProductId(product_id),
                variant_id: VariantId(id),
                sku: row.try_get("sku")?,
                name: row.try_get("name")?,
                shown_name: row.try_get("shown_name")?,
                shown_label: String::new(),
                label: String::new(),
                label_en: String::new(),
                price: Won(row.try_get("price")?),
                stock: row.try_get("stock")?,
            },
        ));
    }
    let mut missing = Vec::new();
    for (product, _) in lines {
        if !options.contains_key(&product.0) && !missing.contains(&product.0) {
            missing.push(product.0);
        }
    }
    if !missing.is_empty() {
        return Err(AppError::new(
            ErrorCode::ProductNotFound,
            crate::locale::td_string!(
                Locale::current(),
                errors.products_missing,
                count = missing.len()
            ),
        )
        .with_details(ErrorDetails {
            product_ids: Some(missing),
            ..ErrorDetails::default()
        }));
    }
    let mut found = Vec::with_capacity(lines.len());
    for (product, variant) in lines {
        let sellable = |(combo, on_sale, v): &&(String, i64, ForSale)| {
            v.product_id == *product
                && *on_sale == 1
                && match variant {
                    Some(id) => v.variant_id == *id,
                    None => combo.is_empty(),
                }
        };
        if variant.is_none() && options[&product.0] > 0 {
            return Err(variant_required());
        }
        let (_, _, chosen) = variants
            .iter()
            .find(sellable)
            .ok_or_else(variant_not_found)?;
        found.push(chosen.clone());
    }
    if options.values().any(|n| *n > 0) {
        let ids: Vec<VariantId> = found.iter().map(|v| v.variant_id).collect();
        let labels = labels(tx, &ids).await?;
        for variant in &mut found {
            let (label, label_en) = labels.get(&variant.variant_id).cloned().unwrap_or_default();
            variant.shown_label = match locale {
                Locale::en => label_en.clone(),
                _ => label.clone(),
            };
            variant.label = label;
            variant.label_en = label_en;
        }
    }
    Ok(found)
}

/// A variant's price and stock today, and whether it can be sold (it and
/// its product on sale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sellable {
    pub price: Won,
    pub stock: i64,
}

pub async fn sellable(db: &Db, variant: VariantId) -> AppResult<Option<Sellable>> {
    let row = sqlx::query(
        "SELECT v.price, v.stock FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE v.id = $1 AND v.on_sale = 1 AND p.on_sale = 1",
    )
    .bind(variant.0)
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        Some(row) => Some(Sellable {
            price: Won(row.try_get("price")?),
            stock: row.try_get("stock")?,
        }),
        None => None,
    })
}

/// The labels of `ids` in Korean and English ("사이즈 270 / 색상 블랙",
/// "Size 270 / Colour Black"); a variant without options has none.
pub async fn labels(
    conn: &mut AnyConnection,
    ids: &[VariantId],
) -> AppResult<HashMap<VariantId, (String, String)>> {
    let mut labels = HashMap::new();
    if ids.is_empty() {
        return Ok(labels);
    }
    let placeholders = crate::db::placeholders(1, ids.len());
    let sql = format!(
        "SELECT x.variant_id, o.name, COALESCE(o.name_en, o.name) AS name_en, \
                ov.value, COALESCE(ov.value_en, ov.value) AS value_en \
         FROM variant_values x JOIN product_options o ON o.id = x.option_id \
         JOIN option_values ov ON ov.id = x.value_id \
         WHERE x.variant_id IN ({}) ORDER BY x.variant_id, o.position",
        placeholders
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.0);
    }
    let mut pairs: BTreeMap<i64, Vec<[String; 4]>> = BTreeMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        pairs.entry(row.try_get("variant_id")?).or_default().push([
            row.try_get("name")?,
            row.try_get("value")?,
            row.try_get("name_en")?,
            row.try_get("value_en")?,
        ]);
    }
    for (id, pairs) in pairs {
        let ko = variants::label(pairs.iter().map(|p| (p[0].as_str(), p[1].as_str())));
        let en = variants::label(pairs.iter().map(|p| (p[2].as_str(), p[3].as_str())));
        labels.insert(VariantId(id), (ko, en));
    }
    Ok(labels)
}

/// A product's options and variants as stored: both languages, retired
/// values and every variant (the shopper's and the staff's views are cut
/// from it).
#[derive(Debug, Clone, Default)]
pub struct Stored {
    pub options: Vec<StoredOption>,
    pub variants: Vec<StoredVariant>,
}

#[derive(Debug, Clone)]
pub struct StoredOption {
    pub id: i64,
    pub name: String,
    pub name_en: Option<String>,
    pub values: Vec<StoredValue>,
}

#[derive(Debug, Clone)]
pub struct StoredValue {
    pub id: i64,
    pub value: String,
    pub value_en: Option<String>,
    pub retired: bool,
}

#[derive(Debug, Clone)]
pub struct StoredVariant {
    pub id: VariantId,
    pub sku: String,
    /// Its value's id for each option, in order.
    pub values: Vec<i64>,
    pub price: Won,
    pub stock: i64,
    pub on_sale: bool,
}

impl Stored {
    fn value(&self, option: usize, id: i64) -> Option<&StoredValue> {
        self.options.get(option)?.values.iter().find(|v| v.id == id)
    }

    /// A variant's (name, value) pairs in `locale`.
    fn pairs(&self, variant: &StoredVariant, locale: Locale) -> Vec<(String, String)> {
        let english = locale == Locale::en;
        self.options
            .iter()
            .enumerate()
            .filter_map(|(i, option)| {
                let value = self.value(i, *variant.values.get(i)?)?;
                Some(match english {
                    true => (
                        option
                            .name_en
                            .clone()
                            .unwrap_or_else(|| option.name.clone()),
                        value
                            .value_en
                            .clone()
                            .unwrap_or_else(|| value.value.clone()),
                    ),
                    false => (option.name.clone(), value.value.clone()),
                })
            })
            .collect()
    }

    pub fn label(&self, variant: &StoredVariant, locale: Locale) -> String {
        let pairs = self.pairs(variant, locale);
        variants::label(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    /// Whether one of a variant's values is taken out of its option.
    pub fn retired(&self, variant: &StoredVariant) -> bool {
        variant
            .values
            .iter()
            .enumerate()
            .any(|(i, id)| self.value(i, *id).is_none_or(|v| v.retired))
    }

    /// Where a variant stands in the options' order (sizes in order).
    fn rank(&self, variant: &StoredVariant) -> Vec<usize> {
        variant
            .values
            .iter()
            .enumerate()
            .map(|(i, id)| {
                self.options
                    .get(i)
                    .and_then(|o| o.values.iter().position(|v| v.id == *id))
                    .unwrap_or(usize::MAX)
            })
            .collect()
    }

    /// The variants in the options' order.
    pub fn ordered(&self) -> Vec<&StoredVariant> {
        let mut ordered: Vec<&StoredVariant> = self.variants.iter().collect();
        ordered.sort_by_key(|v| (self.rank(v), v.id));
        ordered
    }

    /// What shoppers choose from, in `locale`: the values in use, the
    /// variants without a retired value.
    pub fn choices(&self, locale: Locale) -> Choices {
        let english = locale == Locale::en;
        let options = self
            .options
            .iter()
            .map(|o| ProductOption {
                name: match english {
                    true => o.name_en.clone().unwrap_or_else(|| o.name.clone()),
                    false => o.name.clone(),
                },
                values: o
                    .values
                    .iter()
                    .filter(|v| !v.retired)
                    .map(|v| match english {
                        true => v.value_en.clone().unwrap_or_else(|| v.value.clone()),
                        false => v.value.clone(),
                    })
                    .collect(),
            })
            .collect();
        let variants = self
            .ordered()
            .into_iter()
            .filter(|v| !self.retired(v))
            .map(|v| {
                let pairs = self.pairs(v, locale);
                Variant {
                    variant_id: v.id,
                    sku: v.sku.clone(),
                    label: variants::label(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
                    options: pairs.into_iter().collect(),
                    price: v.price,
                    stock: v.stock,
                    on_sale: v.on_sale,
                }
            })
            .collect();
        Choices { options, variants }
    }
}

/// A product's options and variants as stored.
pub async fn stored_variants(conn: &mut AnyConnection, product: ProductId) -> AppResult<Stored> {
    let mut options: Vec<StoredOption> = sqlx::query(
        "SELECT id, name, name_en FROM product_options WHERE product_id = $1 ORDER BY position",
    )
    .bind(product.0)
    .try_map(|row: AnyRow| {
        Ok(StoredOption {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            name_en: row.try_get("name_en")?,
            values: Vec::new(),
        })
    })
    .fetch_all(&mut *conn)
    .await?;
    let values = sqlx::query(
        "SELECT ov.id, ov.option_id, ov.value, ov.value_en, ov.retired FROM option_values ov \
         JOIN product_options o ON o.id = ov.option_id WHERE o.product_id = $1 \
         ORDER BY o.position, ov.retired, ov.position",
    )
    .bind(product.0)
    .fetch_all(&mut *conn)
    .await?;
    for row in values {
        let option_id: i64 = row.try_get("option_id")?;
        if let Some(option) = options.iter_mut().find(|o| o.id == option_id) {
            option.values.push(StoredValue {
                id: row.try_get("id")?,
                value: row.try_get("value")?,
                value_en: row.try_get("value_en")?,
                retired: row.try_get::<i64, _>("retired")? != 0,
            });
        }
    }
    let variants = sqlx::query(
        "SELECT id, sku, combo, price, stock, on_sale FROM variants \
         WHERE product_id = $1 ORDER BY id",
    )
    .bind(product.0)
    .try_map(|row: AnyRow| {
        let combo: String = row.try_get("combo")?;
        Ok(StoredVariant {
            id: VariantId(row.try_get("id")?),
            sku: row.try_get("sku")?,
            values: combo
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<i64>())
                .collect::<Result<_, _>>()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            price: Won(row.try_get("price")?),
            stock: row.try_get("stock")?,
            on_sale: row.try_get::<i64, _>("on_sale")? != 0,
        })
    })
    .fetch_all(&mut *conn)
    .await?;
    Ok(Stored { options, variants })
}

/// A product on sale with what shoppers choose from; `None` if there is
/// no such product on sale.
pub async fn get_with_variants(
    db: &Db,
    id: ProductId,
    viewer: Option<UserId>,
    locale: Locale,
) -> AppResult<Option<variants::ProductWithVariants>> {
    let Some(product) = get(db, id, viewer, locale).await? else {
        return Ok(None);
    };
    let mut conn = db.pool().acquire().await?;
    let stored = stored_variants(&mut conn, id).await?;
    Ok(Some(variants::ProductWithVariants {
        product,
        choices: stored.choices(locale),
    }))
}

/// A variant as checkout sees it (read without a lock; its stock is taken last).
#[derive(Debug, Clone)]
pub struct ForSale {
    pub product_id: ProductId,
    pub variant_id: VariantId,
    pub sku: String,
    /// The base name (error details carry it, whatever the language).
    pub name: String,
    /// The name in the shopper's language, for the messages.
    pub shown_name: String,
    /// The label in Korean and English, and in the shopper's language.
    pub label: String,
    pub label_en: String,
    pub shown_label: String,
    pub price: Won,
    pub stock: i64,
}

/// Why a change of stock happens, as its movement records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement<'a> {
    pub reason: MovementReason,
    pub cause: Option<AdjustCause>,
    pub order_id: Option<i64>,
    pub staff: Option<UserId>,
    pub note: &'a str,
}

impl Movement<'_> {
    /// Sold in order `order_id`.
    pub fn sale(order_id: Option<i64>) -> Self {
        Movement {
            reason: MovementReason::Sale,
            cause: None,
            order_id,
            staff: None,
            note: "",
        }
    }

    /// Back from cancelled order `order_id`.
    pub fn cancel(order_id: i64) -> Self {
        Movement {
            reason: MovementReason::Cancel,
            cause: None,
            order_id: Some(order_id),
            staff: None,
            note: "",
        }
    }

    /// Back from order `order_id`, never paid (cancelled or expired while
    /// it awaited its payment).
    pub fn release(order_id: i64) -> Self {
        Movement {
            reason: MovementReason::Release,
            ..Self::cancel(order_id)
        }
    }
}

/// The one stock rule: moves a variant's stock by `delta` inside `tx`, in
/// one conditional statement that can never leave it below zero, and
/// writes the movement beside it. Returns the stock after and the
/// movement's id, or `None` when there was not enough (nothing changed
/// then). Every sale, adjustment and cancel comes through here, so a
/// variant's stock is always the sum of its movements.
pub async fn change_stock(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: VariantId,
    delta: i64,
    movement: Movement<'_>,
) -> AppResult<Option<(i64, i64)>> {
    const UPDATE: &str =
        "UPDATE variants SET stock = stock + $1 WHERE id = $2 AND stock + $1 >= 0 \
                          RETURNING stock, product_id";
    const COLUMNS: &str =
        "product_id, delta, reason, cause, order_id, staff_id, note, stock_after, at, variant_id";
    // PostgreSQL does both in one statement, so a variant many buyers want
    // is locked for one round trip less; SQLite (one writer at a time, in
    // the process) in two.
    if tx.backend_name() == "PostgreSQL" {
        let sql = format!(
            "WITH changed AS ({UPDATE}) INSERT INTO stock_movements ({COLUMNS}) \
             SELECT product_id, $1, $3, $4, $5, $6, $7, stock, $8, $2 FROM changed \
             RETURNING stock_after, id"
        );
        return Ok(sqlx::query_as(&sql)
            .bind(delta)
            .bind(id.0)
            .bind(movement.reason.as_str())
            .bind(movement.cause.map(AdjustCause::as_str))
            .bind(movement.order_id)
            .bind(movement.staff.map(|s| s.0))
            .bind(movement.note)
            .bind(now_millis())
            .fetch_optional(&mut **tx)
            .await?);
    }
    let changed: Option<(i64, i64)> = sqlx::query_as(UPDATE)
        .bind(delta)
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?;
    let Some((after, product_id)) = changed else {
        return Ok(None);
    };
    let movement_id: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO stock_movements ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    ))
    .bind(product_id)
    .bind(delta)
    .bind(movement.reason.as_str())
    .bind(movement.cause.map(AdjustCause::as_str))
    .bind(movement.order_id)
    .bind(movement.staff.map(|s| s.0))
    .bind(movement.note)
    .bind(after)
    .bind(now_millis())
    .bind(id.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some((after, movement_id)))
}

/// How many stock movements there are of each reason (`/metrics`).
pub async fn movements_by_reason(db: &Db) -> AppResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT reason, COUNT(*) FROM stock_movements GROUP BY reason ORDER BY reason",
    )
    .fetch_all(db.pool())
    .await?)
}

/// A variant's stock as `tx` sees it now (0 for no such variant).
pub async fn stock_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: VariantId,
) -> AppResult<i64> {
    let stock: Option<i64> = sqlx::query_scalar("SELECT stock FROM variants WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(stock.unwrap_or(0))
}

/// Takes `quantity` of a variant's stock for order `order_id`, through the
/// one stock rule. Returns the stock left, or `None` when there was not
/// enough (nothing changed then).
pub async fn take_stock(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: VariantId,
    quantity: Quantity,
    order_id: Option<i64>,
) -> AppResult<Option<i64>> {
    Ok(
        change_stock(tx, id, -quantity.get(), Movement::sale(order_id))
            .await?
            .map(|(after, _)| after),
    )
}

/// Every brand with a product on sale once, in order, from the counts the
/// triggers keep (`brand_counts`). Public so the benchmark can show its
/// query plan.
pub const BRANDS_SQL: &str = "SELECT brand FROM brand_counts WHERE products > 0 ORDER BY brand";

/// The `$1` brands with the most products on sale (ties by name), in order
/// of name. Public so the benchmark can show its query plan.
pub const TOP_BRANDS_SQL: &str = "SELECT brand FROM (SELECT brand FROM brand_counts \
     WHERE products > 0 ORDER BY products DESC, brand LIMIT $1) AS top ORDER BY brand";

/// Every brand on sale, or with `limit` the brands with the most products.
pub async fn brands(db: &Db, limit: Option<u32>) -> AppResult<Vec<String>> {
    Ok(match limit {
        None => sqlx::query_scalar(BRANDS_SQL).fetch_all(db.pool()).await?,
        Some(limit) => {
            sqlx::query_scalar(TOP_BRANDS_SQL)
                .bind(i64::from(limit))
                .fetch_all(db.pool())
                .await?
        }
    })
}
