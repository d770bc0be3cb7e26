//! The demo catalog a fresh database is filled with, so the shop is usable
//! at once. Pictures live in `public/images/products/<sku>.svg` (not under `/products/`, which is the product pages).

use crate::{db::now_millis, db::Db};

/// (sku, name, brand, description, price in won, stock)
pub const DEMO_PRODUCTS: &[(&str, &str, &str, &str, i64, i64)] = &[
    (
        "hb-runner",
        "Cloud Runner Sneakers",
        "Hanbit",
        "Light mesh running shoes with a cushioned sole.",
        89_000,
        40,
    ),
    (
        "hb-court",
        "Court Classic Sneakers",
        "Hanbit",
        "White leather court shoes for every day.",
        79_000,
        25,
    ),
    (
        "hb-trail",
        "Ridge Trail Boots",
        "Hanbit",
        "Waterproof hiking boots with a grippy outsole.",
        149_000,
        8,
    ),
    (
        "hb-slide",
        "Harbor Slides",
        "Hanbit",
        "Soft foam slides for the beach and the gym.",
        29_000,
        0,
    ),
    (
        "hb-socks",
        "Everyday Crew Socks (3 pairs)",
        "Hanbit",
        "Cotton-rich socks in three colours.",
        12_900,
        120,
    ),
    (
        "mr-hoodie",
        "Fleece Pullover Hoodie",
        "Mireu",
        "Brushed fleece hoodie with a kangaroo pocket.",
        59_000,
        30,
    ),
    (
        "mr-tee",
        "Organic Cotton Tee",
        "Mireu",
        "A heavyweight tee in organic cotton.",
        19_900,
        200,
    ),
    (
        "mr-denim",
        "Straight Fit Denim",
        "Mireu",
        "Rigid selvedge denim that wears in well.",
        99_000,
        15,
    ),
    (
        "mr-coat",
        "Wool Blend Overcoat",
        "Mireu",
        "A long coat for the Seoul winter.",
        239_000,
        4,
    ),
    (
        "mr-cap",
        "Washed Ball Cap",
        "Mireu",
        "An adjustable six-panel cap.",
        25_000,
        0,
    ),
    (
        "mr-scarf",
        "Lambswool Scarf",
        "Mireu",
        "A warm scarf in soft lambswool.",
        45_000,
        22,
    ),
    (
        "sr-buds",
        "Sora Buds Wireless Earphones",
        "Sora",
        "Noise-cancelling earphones with a 24-hour case.",
        179_000,
        35,
    ),
    (
        "sr-head",
        "Sora Studio Headphones",
        "Sora",
        "Over-ear headphones tuned for long listening.",
        329_000,
        10,
    ),
    (
        "sr-speaker",
        "Pebble Bluetooth Speaker",
        "Sora",
        "A pocket speaker that floats.",
        69_000,
        50,
    ),
    (
        "sr-watch",
        "Pulse Smart Watch",
        "Sora",
        "Heart rate, sleep and a week of battery.",
        259_000,
        0,
    ),
    (
        "sr-charger",
        "65W GaN Charger",
        "Sora",
        "Charges a laptop and a phone at once.",
        49_000,
        80,
    ),
    (
        "sr-cable",
        "Braided USB-C Cable (2 m)",
        "Sora",
        "A cable that survives a backpack.",
        15_900,
        300,
    ),
    (
        "dl-tumbler",
        "Moonlight Tumbler 500 ml",
        "Dalbit",
        "Keeps coffee hot for six hours.",
        32_000,
        60,
    ),
    (
        "dl-mug",
        "Stoneware Mug",
        "Dalbit",
        "A hand-glazed mug from Icheon.",
        18_000,
        45,
    ),
    (
        "dl-kettle",
        "Gooseneck Kettle",
        "Dalbit",
        "Temperature control to the degree.",
        119_000,
        12,
    ),
    (
        "dl-dripper",
        "Ceramic Pour-over Dripper",
        "Dalbit",
        "Slow coffee for slow mornings.",
        27_000,
        3,
    ),
    (
        "dl-beans",
        "Single Origin Beans 1 kg",
        "Dalbit",
        "Roasted in Seoul this week.",
        42_000,
        0,
    ),
    (
        "nm-desk",
        "Walnut Standing Desk",
        "Namu",
        "An electric desk with a solid walnut top.",
        890_000,
        2,
    ),
    (
        "nm-chair",
        "Ergonomic Task Chair",
        "Namu",
        "Mesh back, adjustable lumbar, five-year warranty.",
        459_000,
        6,
    ),
    (
        "nm-lamp",
        "Arc Desk Lamp",
        "Namu",
        "Dimmable light without glare.",
        79_000,
        33,
    ),
    (
        "nm-shelf",
        "Oak Wall Shelf",
        "Namu",
        "A floating shelf in solid oak.",
        65_000,
        18,
    ),
    (
        "nm-plant",
        "Monstera in a Clay Pot",
        "Namu",
        "A healthy plant, delivered potted.",
        38_000,
        9,
    ),
    (
        "pd-pack",
        "Commuter Backpack 20 L",
        "Pado",
        "A laptop sleeve and a hidden pocket.",
        129_000,
        27,
    ),
    (
        "pd-duffel",
        "Weekender Duffel",
        "Pado",
        "Waxed canvas for two nights away.",
        169_000,
        7,
    ),
    (
        "pd-bottle",
        "Insulated Water Bottle 750 ml",
        "Pado",
        "Cold for a whole day outdoors.",
        35_000,
        90,
    ),
    (
        "pd-tent",
        "Two-person Trekking Tent",
        "Pado",
        "Sets up in five minutes.",
        349_000,
        5,
    ),
    (
        "pd-mat",
        "Foldable Sleeping Mat",
        "Pado",
        "Closed-cell foam that packs flat.",
        54_000,
        0,
    ),
    (
        "pd-poles",
        "Carbon Trekking Poles",
        "Pado",
        "A pair of light, collapsible poles.",
        99_000,
        14,
    ),
    (
        "pd-light",
        "Rechargeable Head Torch",
        "Pado",
        "400 lumens and a red night mode.",
        39_000,
        41,
    ),
];

/// Fills an empty catalog. Safe to run from several instances at once:
/// the sku is unique and a conflicting insert does nothing.
pub async fn seed_demo_catalog(db: &Db) -> anyhow::Result<()> {
    use anyhow::Context;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(db.pool())
        .await
        .context("counting products")?;
    if existing > 0 {
        return Ok(());
    }
    let now = now_millis();
    let mut tx = db.begin_write().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for (i, (sku, name, brand, description, price, stock)) in DEMO_PRODUCTS.iter().enumerate() {
        // Spread creation times so "newest" has a stable, meaningful order.
        let created_at = now - (i as i64) * 3_600_000;
        sqlx::query(
            "INSERT INTO products (sku, name, brand, description, price, stock, image, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (sku) DO NOTHING",
        )
        .bind(*sku)
        .bind(*name)
        .bind(*brand)
        .bind(*description)
        .bind(*price)
        .bind(*stock)
        .bind(format!("/images/products/{sku}.svg"))
        .bind(created_at)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("inserting demo product {sku}"))?;
    }
    tx.commit().await.context("committing the demo catalog")?;
    tracing::info!(products = DEMO_PRODUCTS.len(), "filled the demo catalog");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::DEMO_PRODUCTS;
    use std::collections::HashSet;

    #[test]
    fn the_demo_catalog_is_big_and_varied_enough() {
        assert!(DEMO_PRODUCTS.len() >= 30);
        let brands: HashSet<_> = DEMO_PRODUCTS.iter().map(|p| p.2).collect();
        assert!(brands.len() >= 5);
        assert!(DEMO_PRODUCTS.iter().any(|p| p.5 == 0), "some are sold out");
        assert!(DEMO_PRODUCTS.iter().all(|p| p.4 > 0 && p.5 >= 0));
        let skus: HashSet<_> = DEMO_PRODUCTS.iter().map(|p| p.0).collect();
        assert_eq!(skus.len(), DEMO_PRODUCTS.len(), "skus are unique");
    }

    #[test]
    fn every_demo_product_has_its_picture() {
        let public = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/images/products");
        for (sku, ..) in DEMO_PRODUCTS {
            let path = format!("{public}/{sku}.svg");
            assert!(std::path::Path::new(&path).exists(), "missing {path}");
        }
    }
}
