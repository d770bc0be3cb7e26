//! Staff set a product's options and change its variants, for both
//! backends, inside the caller's transaction with the product locked (the
//! admin layer writes its audit row in the same one).
//!
//! Options are matched by position (the first option stays the first; its
//! names may change) and values by their Korean text. An option is never
//! taken away once it has variants; a value left out is retired: its
//! variants go off sale and stay, because orders and movements name them.
//! Every combination of the values in use gets a variant: the first time a
//! product gets options its one variant becomes the first combination
//! (keeping its SKU, stock and history, so nothing is copied), and a new
//! option gives every existing variant its first value.

use super::{
    edit::{AdminProduct, Price, Sku},
    manage::{record_initial, refresh_price, set_variant_price, sku_in_use},
    store::{stored_variants, Stored},
    variants::{too_many_variants, variant_not_found, AdminVariant, OptionsInput, MAX_VARIANTS},
    ProductId, VariantId,
};
use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
    identity::UserId,
    locale::{td_string, Locale},
};
use sqlx::{Any, Transaction};

type Tx = Transaction<'static, Any>;

/// What setting the options did, for the audit log and the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionsChanged {
    /// Variants created (stock 0, on sale).
    pub created: usize,
    /// Values taken out, and the variants that went off sale with them.
    pub retired_values: usize,
    pub off_sale: usize,
}

fn option_removed() -> AppError {
    AppError::invalid_field(
        ErrorCode::BadRequest,
        "options",
        td_string!(Locale::current(), admin.error_option_removed),
    )
}

/// Sets `product`'s options to `input` (see the module's rules) and
/// creates every missing combination as a variant: stock 0, the product's
/// listed price, SKU `<product sku>-<n>`. `by` is the staff member (none
/// for the demo catalog).
pub async fn set_options(
    tx: &mut Tx,
    product: &AdminProduct,
    input: &OptionsInput,
    by: Option<UserId>,
) -> AppResult<OptionsChanged> {
    let before = stored_variants(tx, product.id).await?;
    if input.0.len() < before.options.len() {
        return Err(option_removed());
    }
    let mut changed = OptionsChanged::default();
    // The options and their values, written; `active[i]` are option i's
    // values in use, in order, and `first[i]` the one a variant without a
    // value for it gets.
    let mut option_ids = Vec::with_capacity(input.0.len());
    let mut active: Vec<Vec<i64>> = Vec::with_capacity(input.0.len());
    for (i, option) in input.0.iter().enumerate() {
        let existing = before.options.get(i);
        let option_id = match existing {
            Some(o) => {
                sqlx::query("UPDATE product_options SET name = $1, name_en = $2 WHERE id = $3")
                    .bind(&option.name)
                    .bind(&option.name_en)
                    .bind(o.id)
                    .execute(&mut **tx)
                    .await?;
                o.id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO product_options (product_id, position, name, name_en) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(product.id.0)
                .bind(i as i64 + 1)
                .bind(&option.name)
                .bind(&option.name_en)
                .fetch_one(&mut **tx)
                .await?
            }
        };
        let mut in_use = Vec::with_capacity(option.values.len());
        for (j, value) in option.values.iter().enumerate() {
            let known = existing.and_then(|o| o.values.iter().find(|v| v.value == value.value));
            let value_id: i64 = match known {
                Some(v) => {
                    sqlx::query(
                        "UPDATE option_values SET value_en = $1, position = $2, retired = 0 \
                         WHERE id = $3",
                    )
                    .bind(&value.value_en)
                    .bind(j as i64 + 1)
                    .bind(v.id)
                    .execute(&mut **tx)
                    .await?;
                    v.id
                }
                None => {
                    sqlx::query_scalar(
                        "INSERT INTO option_values (option_id, position, value, value_en) \
                         VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(option_id)
                    .bind(j as i64 + 1)
                    .bind(&value.value)
                    .bind(&value.value_en)
                    .fetch_one(&mut **tx)
                    .await?
                }
            };
            in_use.push(value_id);
        }
        for gone in existing
            .iter()
            .flat_map(|o| o.values.iter())
            .filter(|v| !v.retired && !in_use.contains(&v.id))
        {
            sqlx::query("UPDATE option_values SET retired = 1 WHERE id = $1")
                .bind(gone.id)
                .execute(&mut **tx)
                .await?;
            changed.retired_values += 1;
        }
        option_ids.push(option_id);
        active.push(in_use);
    }

    // Every existing variant gets the first value of each option it has
    // no value for (its one variant, the first time; all, for a new option).
    let mut combos: Vec<Vec<i64>> = Vec::with_capacity(before.variants.len());
    for variant in &before.variants {
        let mut values = variant.values.clone();
        for (i, option_id) in option_ids.iter().enumerate().skip(values.len()) {
            let first = active[i][0];
            values.push(first);
            sqlx::query(
                "INSERT INTO variant_values (variant_id, option_id, value_id) VALUES ($1, $2, $3)",
            )
            .bind(variant.id.0)
            .bind(option_id)
            .bind(first)
            .execute(&mut **tx)
            .await?;
        }
        if values.len() != variant.values.len() {
            sqlx::query("UPDATE variants SET combo = $1 WHERE id = $2")
                .bind(combo(&values))
                .bind(variant.id.0)
                .execute(&mut **tx)
                .await?;
        }
        combos.push(values);
    }

    // Every combination of the values in use that has no variant gets one.
    let wanted = combinations(&active);
    let missing: Vec<&Vec<i64>> = wanted.iter().filter(|c| !combos.contains(c)).collect();
    if combos.len() + missing.len() > MAX_VARIANTS {
        return Err(too_many_variants());
    }
    let now = now_millis();
    let mut n = before.variants.len();
    for values in missing {
        let sku = loop {
            n += 1;
            let sku = format!("{}-{n}", product.sku);
            if !sku_in_use(tx, &sku).await? {
                break sku;
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO variants (product_id, sku, combo, price, stock) \
             VALUES ($1, $2, $3, $4, 0) RETURNING id",
        )
        .bind(product.id.0)
        .bind(&sku)
        .bind(combo(values))
        .bind(product.price.get())
        .fetch_one(&mut **tx)
        .await?;
        for (option_id, value_id) in option_ids.iter().zip(values) {
            sqlx::query(
                "INSERT INTO variant_values (variant_id, option_id, value_id) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(option_id)
            .bind(value_id)
            .execute(&mut **tx)
            .await?;
        }
        record_initial(tx, product.id, VariantId(id), 0, by, now).await?;
        changed.created += 1;
    }

    // A variant with a retired value is off sale.
    for (variant, values) in before.variants.iter().zip(&combos) {
        let retired = values
            .iter()
            .enumerate()
            .any(|(i, value)| !active[i].contains(value));
        if retired && variant.on_sale {
            set_variant_on_sale(tx, variant.id, false).await?;
            changed.off_sale += 1;
        }
    }
    refresh_price(tx, product.id).await?;
    Ok(changed)
}

/// The value ids as the `combo` column keeps them.
fn combo(values: &[i64]) -> String {
    values
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Every combination of one value per option, in order.
fn combinations(options: &[Vec<i64>]) -> Vec<Vec<i64>> {
    options.iter().fold(vec![Vec::new()], |done, values| {
        done.iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(*v);
                    next
                })
            })
            .collect()
    })
}

async fn set_variant_on_sale(tx: &mut Tx, id: VariantId, on_sale: bool) -> AppResult<()> {
    sqlx::query("UPDATE variants SET on_sale = $1 WHERE id = $2")
        .bind(i64::from(on_sale))
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The product a variant belongs to; 404 `VARIANT_NOT_FOUND` for none.
pub async fn product_of(db: &Db, id: VariantId) -> AppResult<ProductId> {
    let product: Option<i64> = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?;
    product.map(ProductId).ok_or_else(variant_not_found)
}

/// The variant of the locked `product` that staff mean: `variant`, if it
/// is one of the product's (on sale or not; else 404 `VARIANT_NOT_FOUND`),
/// or, left out, its one variant when it has no options (else 400
/// `VARIANT_REQUIRED`).
pub async fn staff_variant(
    tx: &mut Tx,
    product: ProductId,
    variant: Option<VariantId>,
) -> AppResult<VariantId> {
    let stored = stored_variants(tx, product).await?;
    match variant {
        Some(id) => stored
            .variants
            .iter()
            .any(|v| v.id == id)
            .then_some(id)
            .ok_or_else(variant_not_found),
        None => match (stored.options.is_empty(), stored.variants.as_slice()) {
            (true, [only]) => Ok(only.id),
            _ => Err(super::variants::variant_required()),
        },
    }
}

/// What staff change of a variant; what is left out stays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VariantChanges {
    pub sku: Option<Sku>,
    pub price: Option<Price>,
    pub on_sale: Option<bool>,
}

/// Applies `changes` to a variant of the locked `product`: a new SKU (409
/// `SKU_TAKEN` if in use), a price (kept in the price history), on or off
/// sale (a variant with a retired value stays off, 400). Returns it before
/// and after.
pub async fn update_variant(
    tx: &mut Tx,
    product: ProductId,
    id: VariantId,
    changes: &VariantChanges,
    by: UserId,
) -> AppResult<(AdminVariant, AdminVariant)> {
    let stored = stored_variants(tx, product).await?;
    let before = admin_variant(&stored, id).ok_or_else(variant_not_found)?;
    if let Some(sku) = changes.sku.as_ref().filter(|s| s.as_str() != before.sku) {
        if sku_in_use(tx, sku.as_str()).await? {
            return Err(AppError::invalid_field(
                ErrorCode::SkuTaken,
                "sku",
                td_string!(Locale::current(), admin.error_variant_sku_taken),
            ));
        }
        sqlx::query("UPDATE variants SET sku = $1 WHERE id = $2")
            .bind(sku.as_str())
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(price) = changes.price {
        set_variant_price(tx, product, id, before.price, price.won(), by).await?;
    }
    if let Some(on_sale) = changes.on_sale.filter(|s| *s != before.on_sale) {
        let retired = stored
            .variants
            .iter()
            .find(|v| v.id == id)
            .is_some_and(|v| stored.retired(v));
        if on_sale && retired {
            return Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "on_sale",
                td_string!(Locale::current(), admin.error_variant_retired),
            ));
        }
        set_variant_on_sale(tx, id, on_sale).await?;
        refresh_price(tx, product).await?;
    }
    let after =
        admin_variant(&stored_variants(tx, product).await?, id).ok_or_else(variant_not_found)?;
    Ok((before, after))
}

fn admin_variant(stored: &Stored, id: VariantId) -> Option<AdminVariant> {
    let (_, variants) = super::manage::admin_view(stored);
    variants.into_iter().find(|v| v.variant_id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_combination_once_in_order() {
        assert_eq!(combinations(&[]), vec![Vec::<i64>::new()]);
        assert_eq!(
            combinations(&[vec![1, 2], vec![7, 8]]),
            vec![vec![1, 7], vec![1, 8], vec![2, 7], vec![2, 8]]
        );
        assert_eq!(combo(&[3, 14]), "3,14");
        assert_eq!(combo(&[]), "");
    }
}
