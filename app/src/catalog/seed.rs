//! The demo catalog a fresh database is filled with, so the shop is usable
//! at once. Pictures live in `public/images/products/<sku>.svg` (not under `/products/`, which is the product pages).

use super::{
    manage, options,
    store::{change_stock, stored_variants, Movement},
    variants::{OptionInput, OptionsInput, ValueInput},
    AdjustCause, MovementReason, ProductId,
};
use crate::{db::now_millis, db::Db, error::AppError, locale::Locale};
use sqlx::{Any, Transaction};

/// A product of the demo catalog, with its name and description in each
/// language of the shop.
pub struct DemoProduct {
    pub sku: &'static str,
    pub brand: &'static str,
    pub price: i64,
    pub stock: i64,
    /// (name, description) in Korean.
    pub ko: (&'static str, &'static str),
    /// (name, description) in English.
    pub en: (&'static str, &'static str),
}

pub const DEMO_PRODUCTS: &[DemoProduct] = &[
    DemoProduct {
        sku: "hb-runner",
        brand: "Hanbit",
        price: 89_000,
        stock: 40,
        ko: (
            "클라우드 러너 운동화",
            "쿠션감 좋은 밑창을 단 가벼운 메시 러닝화.",
        ),
        en: (
            "Cloud Runner Sneakers",
            "Light mesh running shoes with a cushioned sole.",
        ),
    },
    DemoProduct {
        sku: "hb-court",
        brand: "Hanbit",
        price: 79_000,
        stock: 25,
        ko: ("코트 클래식 운동화", "매일 신기 좋은 화이트 가죽 스니커즈."),
        en: (
            "Court Classic Sneakers",
            "White leather court shoes for every day.",
        ),
    },
    DemoProduct {
        sku: "hb-trail",
        brand: "Hanbit",
        price: 149_000,
        stock: 8,
        ko: (
            "릿지 트레일 등산화",
            "접지력이 뛰어난 아웃솔을 적용한 방수 등산화입니다.",
        ),
        en: (
            "Ridge Trail Boots",
            "Waterproof hiking boots with a grippy outsole.",
        ),
    },
    DemoProduct {
        sku: "hb-slide",
        brand: "Hanbit",
        price: 29_000,
        stock: 0,
        ko: (
            "하버 슬라이드 슬리퍼",
            "해변과 헬스장에서 편하게 신는 푹신한 폼 슬리퍼.",
        ),
        en: (
            "Harbor Slides",
            "Soft foam slides for the beach and the gym.",
        ),
    },
    DemoProduct {
        sku: "hb-socks",
        brand: "Hanbit",
        price: 12_900,
        stock: 120,
        ko: (
            "데일리 크루 양말 3켤레",
            "면 함량을 높인 양말을 세 가지 색상으로 구성했습니다.",
        ),
        en: (
            "Everyday Crew Socks (3 pairs)",
            "Cotton-rich socks in three colours.",
        ),
    },
    DemoProduct {
        sku: "mr-hoodie",
        brand: "Mireu",
        price: 59_000,
        stock: 30,
        ko: (
            "플리스 풀오버 후드티",
            "캥거루 포켓을 단 기모 플리스 후드티.",
        ),
        en: (
            "Fleece Pullover Hoodie",
            "Brushed fleece hoodie with a kangaroo pocket.",
        ),
    },
    DemoProduct {
        sku: "mr-tee",
        brand: "Mireu",
        price: 19_900,
        stock: 200,
        ko: (
            "오가닉 코튼 반팔 티셔츠",
            "유기농 면으로 만든 도톰한 헤비웨이트 티셔츠.",
        ),
        en: ("Organic Cotton Tee", "A heavyweight tee in organic cotton."),
    },
    DemoProduct {
        sku: "mr-denim",
        brand: "Mireu",
        price: 99_000,
        stock: 15,
        ko: (
            "스트레이트 핏 데님 팬츠",
            "입을수록 자연스럽게 길드는 생지 셀비지 데님.",
        ),
        en: (
            "Straight Fit Denim",
            "Rigid selvedge denim that wears in well.",
        ),
    },
    DemoProduct {
        sku: "mr-coat",
        brand: "Mireu",
        price: 239_000,
        stock: 4,
        ko: (
            "울 블렌드 오버코트",
            "서울의 겨울을 위한 롱 기장 코트입니다.",
        ),
        en: ("Wool Blend Overcoat", "A long coat for the Seoul winter."),
    },
    DemoProduct {
        sku: "mr-cap",
        brand: "Mireu",
        price: 25_000,
        stock: 0,
        ko: ("워싱 볼캡", "사이즈 조절이 가능한 6패널 캡."),
        en: ("Washed Ball Cap", "An adjustable six-panel cap."),
    },
    DemoProduct {
        sku: "mr-scarf",
        brand: "Mireu",
        price: 45_000,
        stock: 22,
        ko: ("램스울 머플러", "부드러운 램스울로 짠 따뜻한 머플러."),
        en: ("Lambswool Scarf", "A warm scarf in soft lambswool."),
    },
    DemoProduct {
        sku: "sr-buds",
        brand: "Sora",
        price: 179_000,
        stock: 35,
        ko: (
            "소라 버즈 무선 이어폰",
            "케이스 포함 최대 24시간 재생되는 노이즈 캔슬링 이어폰.",
        ),
        en: (
            "Sora Buds Wireless Earphones",
            "Noise-cancelling earphones with a 24-hour case.",
        ),
    },
    DemoProduct {
        sku: "sr-head",
        brand: "Sora",
        price: 329_000,
        stock: 10,
        ko: (
            "소라 스튜디오 헤드폰",
            "오래 들어도 편안하도록 튜닝한 오버이어 헤드폰.",
        ),
        en: (
            "Sora Studio Headphones",
            "Over-ear headphones tuned for long listening.",
        ),
    },
    DemoProduct {
        sku: "sr-speaker",
        brand: "Sora",
        price: 69_000,
        stock: 50,
        ko: (
            "페블 블루투스 스피커",
            "물에 뜨는 손바닥만 한 스피커입니다.",
        ),
        en: ("Pebble Bluetooth Speaker", "A pocket speaker that floats."),
    },
    DemoProduct {
        sku: "sr-watch",
        brand: "Sora",
        price: 259_000,
        stock: 0,
        ko: (
            "펄스 스마트워치",
            "심박수와 수면을 측정하고, 배터리는 일주일 동안 지속됩니다.",
        ),
        en: (
            "Pulse Smart Watch",
            "Heart rate, sleep and a week of battery.",
        ),
    },
    DemoProduct {
        sku: "sr-charger",
        brand: "Sora",
        price: 49_000,
        stock: 80,
        ko: (
            "65W GaN 고속 충전기",
            "노트북과 휴대폰을 동시에 충전할 수 있습니다.",
        ),
        en: ("65W GaN Charger", "Charges a laptop and a phone at once."),
    },
    DemoProduct {
        sku: "sr-cable",
        brand: "Sora",
        price: 15_900,
        stock: 300,
        ko: (
            "패브릭 USB-C 케이블 2m",
            "가방 속에서도 끄떡없는 튼튼한 케이블.",
        ),
        en: (
            "Braided USB-C Cable (2 m)",
            "A cable that survives a backpack.",
        ),
    },
    DemoProduct {
        sku: "dl-tumbler",
        brand: "Dalbit",
        price: 32_000,
        stock: 60,
        ko: (
            "문라이트 텀블러 500ml",
            "커피를 6시간 동안 따뜻하게 지켜 줍니다.",
        ),
        en: (
            "Moonlight Tumbler 500 ml",
            "Keeps coffee hot for six hours.",
        ),
    },
    DemoProduct {
        sku: "dl-mug",
        brand: "Dalbit",
        price: 18_000,
        stock: 45,
        ko: (
            "스톤웨어 머그컵",
            "이천에서 손으로 유약을 입혀 구운 머그컵.",
        ),
        en: ("Stoneware Mug", "A hand-glazed mug from Icheon."),
    },
    DemoProduct {
        sku: "dl-kettle",
        brand: "Dalbit",
        price: 119_000,
        stock: 12,
        ko: ("구스넥 전기포트", "물 온도를 1도 단위로 맞출 수 있습니다."),
        en: ("Gooseneck Kettle", "Temperature control to the degree."),
    },
    DemoProduct {
        sku: "dl-dripper",
        brand: "Dalbit",
        price: 27_000,
        stock: 3,
        ko: ("세라믹 커피 드리퍼", "여유로운 아침을 위한 핸드드립 도구."),
        en: (
            "Ceramic Pour-over Dripper",
            "Slow coffee for slow mornings.",
        ),
    },
    DemoProduct {
        sku: "dl-beans",
        brand: "Dalbit",
        price: 42_000,
        stock: 0,
        ko: (
            "싱글 오리진 원두 1kg",
            "이번 주 서울에서 로스팅한 원두입니다.",
        ),
        en: ("Single Origin Beans 1 kg", "Roasted in Seoul this week."),
    },
    DemoProduct {
        sku: "nm-desk",
        brand: "Namu",
        price: 890_000,
        stock: 2,
        ko: (
            "월넛 스탠딩 데스크",
            "원목 월넛 상판을 얹은 전동 높이 조절 책상.",
        ),
        en: (
            "Walnut Standing Desk",
            "An electric desk with a solid walnut top.",
        ),
    },
    DemoProduct {
        sku: "nm-chair",
        brand: "Namu",
        price: 459_000,
        stock: 6,
        ko: (
            "인체공학 사무용 의자",
            "메시 등받이와 요추 받침을 갖췄으며 5년간 보증합니다.",
        ),
        en: (
            "Ergonomic Task Chair",
            "Mesh back, adjustable lumbar, five-year warranty.",
        ),
    },
    DemoProduct {
        sku: "nm-lamp",
        brand: "Namu",
        price: 79_000,
        stock: 33,
        ko: ("아크 데스크 램프", "눈부심 없이 밝기를 바꿀 수 있는 조명."),
        en: ("Arc Desk Lamp", "Dimmable light without glare."),
    },
    DemoProduct {
        sku: "nm-shelf",
        brand: "Namu",
        price: 65_000,
        stock: 18,
        ko: ("오크 원목 벽선반", "통원목 오크로 만든 플로팅 선반."),
        en: ("Oak Wall Shelf", "A floating shelf in solid oak."),
    },
    DemoProduct {
        sku: "nm-plant",
        brand: "Namu",
        price: 38_000,
        stock: 9,
        ko: (
            "토분에 심은 몬스테라",
            "건강한 식물을 화분에 심은 그대로 보내 드립니다.",
        ),
        en: (
            "Monstera in a Clay Pot",
            "A healthy plant, delivered potted.",
        ),
    },
    DemoProduct {
        sku: "pd-pack",
        brand: "Pado",
        price: 129_000,
        stock: 27,
        ko: (
            "커뮤터 백팩 20L",
            "노트북 수납공간에 히든 포켓까지 갖췄습니다.",
        ),
        en: (
            "Commuter Backpack 20 L",
            "A laptop sleeve and a hidden pocket.",
        ),
    },
    DemoProduct {
        sku: "pd-duffel",
        brand: "Pado",
        price: 169_000,
        stock: 7,
        ko: ("위켄더 더플백", "2박 여행에 딱 맞는 왁스 캔버스 가방."),
        en: ("Weekender Duffel", "Waxed canvas for two nights away."),
    },
    DemoProduct {
        sku: "pd-bottle",
        brand: "Pado",
        price: 35_000,
        stock: 90,
        ko: (
            "보온 보냉 물병 750ml",
            "야외에서 하루 종일 시원함이 유지됩니다.",
        ),
        en: (
            "Insulated Water Bottle 750 ml",
            "Cold for a whole day outdoors.",
        ),
    },
    DemoProduct {
        sku: "pd-tent",
        brand: "Pado",
        price: 349_000,
        stock: 5,
        ko: ("트레킹 2인용 텐트", "5분이면 설치가 끝납니다."),
        en: ("Two-person Trekking Tent", "Sets up in five minutes."),
    },
    DemoProduct {
        sku: "pd-mat",
        brand: "Pado",
        price: 54_000,
        stock: 0,
        ko: (
            "접이식 캠핑 매트",
            "납작하게 접어 수납하는 독립기포 폼 매트.",
        ),
        en: ("Foldable Sleeping Mat", "Closed-cell foam that packs flat."),
    },
    DemoProduct {
        sku: "pd-poles",
        brand: "Pado",
        price: 99_000,
        stock: 14,
        ko: ("카본 트레킹 폴", "짧게 줄여 휴대하기 좋은 경량 스틱 한 쌍."),
        en: (
            "Carbon Trekking Poles",
            "A pair of light, collapsible poles.",
        ),
    },
    DemoProduct {
        sku: "pd-light",
        brand: "Pado",
        price: 39_000,
        stock: 41,
        ko: (
            "충전식 헤드랜턴",
            "400루멘 밝기에 붉은색 야간 모드를 지원합니다.",
        ),
        en: (
            "Rechargeable Head Torch",
            "400 lumens and a red night mode.",
        ),
    },
];

/// What a demo product comes in: the shoes in sizes 230 to 290, the
/// clothes in sizes and colours (XL costs 5,000 more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizing {
    /// 230 to 290 by 10; the size that is sold out, if any.
    Shoes { sold_out: Option<&'static str> },
    /// S, M, L, XL in black and white.
    Clothes,
}

/// The demo products that come in options.
pub const SIZED: &[(&str, Sizing)] = &[
    (
        "hb-runner",
        Sizing::Shoes {
            sold_out: Some("260"),
        },
    ),
    ("hb-court", Sizing::Shoes { sold_out: None }),
    ("hb-trail", Sizing::Shoes { sold_out: None }),
    ("hb-slide", Sizing::Shoes { sold_out: None }),
    ("mr-hoodie", Sizing::Clothes),
    ("mr-tee", Sizing::Clothes),
    ("mr-denim", Sizing::Clothes),
    ("mr-coat", Sizing::Clothes),
];

/// What an XL costs more than the other sizes.
pub const XL_EXTRA: i64 = 5_000;

impl Sizing {
    pub fn of(sku: &str) -> Option<Self> {
        SIZED
            .iter()
            .find(|(s, _)| *s == sku)
            .map(|(_, sizing)| *sizing)
    }

    fn options(self) -> OptionsInput {
        let values = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(ko, en)| ValueInput {
                    value: ko.to_string(),
                    value_en: Some(en.to_string()),
                })
                .collect()
        };
        let option = |ko: &str, en: &str, vals: Vec<ValueInput>| OptionInput {
            name: ko.to_string(),
            name_en: Some(en.to_string()),
            values: vals,
        };
        let sizes: Vec<(String, String)> = (230..=290)
            .step_by(10)
            .map(|n| (n.to_string(), n.to_string()))
            .collect();
        let sizes: Vec<(&str, &str)> = sizes
            .iter()
            .map(|(k, e)| (k.as_str(), e.as_str()))
            .collect();
        OptionsInput(match self {
            Sizing::Shoes { .. } => vec![option("사이즈", "Size", values(&sizes))],
            Sizing::Clothes => vec![
                option(
                    "사이즈",
                    "Size",
                    values(&[("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL")]),
                ),
                option(
                    "색상",
                    "Colour",
                    values(&[("블랙", "Black"), ("화이트", "White")]),
                ),
            ],
        })
    }

    /// Each variant's share of `stock`, in the options' order: the middle
    /// sizes get more; a sold-out size none.
    fn spread(self, stock: i64, labels: &[String]) -> Vec<i64> {
        let weights: Vec<i64> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| match self {
                Sizing::Shoes { sold_out } => {
                    if sold_out.is_some_and(|s| label.ends_with(s)) {
                        0
                    } else {
                        [1, 2, 3, 3, 3, 2, 1].get(i).copied().unwrap_or(1)
                    }
                }
                Sizing::Clothes => 1,
            })
            .collect();
        let total: i64 = weights.iter().sum::<i64>().max(1);
        let mut shares: Vec<i64> = weights.iter().map(|w| stock * w / total).collect();
        // What the division left goes to the heaviest sizes, one each.
        let mut left = stock - shares.iter().sum::<i64>();
        let mut order: Vec<usize> = (0..shares.len()).filter(|i| weights[*i] > 0).collect();
        order.sort_by_key(|i| std::cmp::Reverse(weights[*i]));
        for i in order.iter().cycle().take(order.len() * 2) {
            if left == 0 {
                break;
            }
            shares[*i] += 1;
            left -= 1;
        }
        shares
    }

    /// Gives a just-made product (one variant, stock 0) its options, then
    /// its stock through the one stock rule (a `received` adjustment per
    /// variant) and the XL price.
    async fn apply(
        self,
        tx: &mut Transaction<'static, Any>,
        id: ProductId,
        stock: i64,
    ) -> Result<(), AppError> {
        let product = manage::get_in(tx, id)
            .await?
            .ok_or_else(AppError::product_not_found)?;
        options::set_options(tx, &product, &self.options(), None).await?;
        let stored = stored_variants(tx, id).await?;
        let ordered = stored.ordered();
        let labels: Vec<String> = ordered
            .iter()
            .map(|v| stored.label(v, Locale::en))
            .collect();
        for ((variant, label), share) in
            ordered.iter().zip(&labels).zip(self.spread(stock, &labels))
        {
            if share > 0 {
                let movement = Movement {
                    reason: MovementReason::Adjustment,
                    cause: Some(AdjustCause::Received),
                    order_id: None,
                    staff: None,
                    note: "demo stock",
                };
                change_stock(tx, variant.id, share, movement).await?;
            }
            if label.contains("XL") {
                sqlx::query("UPDATE variants SET price = price + $1 WHERE id = $2")
                    .bind(XL_EXTRA)
                    .bind(variant.id.0)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        manage::refresh_price(tx, id).await
    }
}

/// Fills an empty catalog, and gives the demo products the names and
/// descriptions in every language that they do not have yet (a catalog
/// seeded before the shop spoke Korean gets its Korean names). Safe to run
/// from several instances at once: the sku and (product, language) are
/// unique and a conflicting insert does nothing.
pub async fn seed_demo_catalog(db: &Db) -> anyhow::Result<()> {
    use anyhow::Context;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(db.pool())
        .await
        .context("counting products")?;
    let now = now_millis();
    let mut tx = db.begin_write().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for (i, product) in DEMO_PRODUCTS.iter().enumerate() {
        let DemoProduct {
            sku,
            brand,
            price,
            stock,
            en: (name, description),
            ..
        } = product;
        if existing == 0 {
            // Spread creation times so "newest" has a stable, meaningful order.
            let created_at = now - (i as i64) * 3_600_000;
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO products (sku, name, brand, description, price, image, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sku) DO NOTHING RETURNING id",
            )
            .bind(*sku)
            .bind(*name)
            .bind(*brand)
            .bind(*description)
            .bind(*price)
            .bind(format!("/images/products/{sku}.svg"))
            .bind(created_at)
            .fetch_optional(&mut *tx)
            .await
            .with_context(|| format!("inserting demo product {sku}"))?;
            // Its one variant, and where its stock's history starts; a
            // product sold in sizes gets them, and its stock spread over them.
            let sizing = Sizing::of(sku);
            let stock = &if sizing.is_some() { 0 } else { *stock };
            if let Some(id) = inserted {
                let variant: i64 = sqlx::query_scalar(
                    "INSERT INTO variants (product_id, sku, combo, price, stock) \
                     VALUES ($1, $2, '', $3, $4) RETURNING id",
                )
                .bind(id)
                .bind(*sku)
                .bind(*price)
                .bind(*stock)
                .fetch_one(&mut *tx)
                .await
                .with_context(|| format!("the demo product {sku}'s variant"))?;
                sqlx::query(
                    "INSERT INTO stock_movements \
                       (product_id, variant_id, delta, reason, stock_after, at) \
                     VALUES ($1, $2, $3, 'initial', $3, $4)",
                )
                .bind(id)
                .bind(variant)
                .bind(*stock)
                .bind(created_at)
                .execute(&mut *tx)
                .await
                .with_context(|| format!("the demo product {sku}'s first stock"))?;
                if let Some(sizing) = sizing {
                    sizing
                        .apply(&mut tx, ProductId(id), product.stock)
                        .await
                        .map_err(|e| anyhow::anyhow!("sizing demo product {sku}: {e:?}"))?;
                }
            }
        }
        for (locale, (name, description)) in [(Locale::ko, product.ko), (Locale::en, product.en)] {
            sqlx::query(
                "INSERT INTO product_translations (product_id, lang, name, description) \
                 SELECT id, $2, $3, $4 FROM products WHERE sku = $1 \
                 ON CONFLICT (product_id, lang) DO NOTHING",
            )
            .bind(*sku)
            .bind(locale.tag())
            .bind(name)
            .bind(description)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("translating demo product {sku}"))?;
        }
    }
    tx.commit().await.context("committing the demo catalog")?;
    if existing == 0 {
        tracing::info!(products = DEMO_PRODUCTS.len(), "filled the demo catalog");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::DEMO_PRODUCTS;
    use std::collections::HashSet;

    #[test]
    fn the_demo_catalog_is_big_and_varied_enough() {
        assert!(DEMO_PRODUCTS.len() >= 30);
        let brands: HashSet<_> = DEMO_PRODUCTS.iter().map(|p| p.brand).collect();
        assert!(brands.len() >= 5);
        assert!(
            DEMO_PRODUCTS.iter().any(|p| p.stock == 0),
            "some are sold out"
        );
        assert!(DEMO_PRODUCTS.iter().all(|p| p.price > 0 && p.stock >= 0));
        let skus: HashSet<_> = DEMO_PRODUCTS.iter().map(|p| p.sku).collect();
        assert_eq!(skus.len(), DEMO_PRODUCTS.len(), "skus are unique");
    }

    #[test]
    fn sized_stock_is_spread_and_adds_up() {
        use super::Sizing;
        let shoes: Vec<String> = (230..=290)
            .step_by(10)
            .map(|n| format!("Size {n}"))
            .collect();
        let runner = Sizing::Shoes {
            sold_out: Some("260"),
        };
        let shares = runner.spread(40, &shoes);
        assert_eq!(shares.iter().sum::<i64>(), 40);
        assert_eq!(shares[3], 0, "260 is sold out");
        assert!(
            shares.iter().enumerate().all(|(i, s)| i == 3 || *s > 0),
            "{shares:?}"
        );
        let clothes: Vec<String> = (0..8).map(|n| format!("v{n}")).collect();
        assert_eq!(Sizing::Clothes.spread(3, &clothes).iter().sum::<i64>(), 3);
        for (sku, _) in super::SIZED {
            assert!(DEMO_PRODUCTS.iter().any(|p| p.sku == *sku), "{sku}");
        }
    }

    #[test]
    fn every_demo_product_has_its_picture() {
        let public = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/images/products");
        for p in DEMO_PRODUCTS {
            let path = format!("{public}/{}.svg", p.sku);
            assert!(std::path::Path::new(&path).exists(), "missing {path}");
        }
    }

    #[test]
    fn every_demo_product_has_a_korean_name_and_description() {
        fn has_hangul(s: &str) -> bool {
            s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
        }
        for p in DEMO_PRODUCTS {
            let (name, description) = p.ko;
            assert!(!name.is_empty(), "{}: empty Korean name", p.sku);
            assert!(
                !description.is_empty(),
                "{}: empty Korean description",
                p.sku
            );
            assert!(
                has_hangul(name),
                "{}: Korean name {name:?} has no Hangul",
                p.sku
            );
            assert!(
                has_hangul(description),
                "{}: Korean description {description:?} has no Hangul",
                p.sku
            );
            assert_ne!(name, p.en.0, "{}: Korean name is the English one", p.sku);
            assert_ne!(
                description, p.en.1,
                "{}: Korean description is the English one",
                p.sku
            );
        }
    }
}
