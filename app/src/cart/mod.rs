//! The cart: a guest's lives in the session, a user's in the database; on
//! login the guest cart is merged into the user's.

pub use crate::catalog::Quantity;
use crate::{
    catalog::{Availability, ProductId, VariantId},
    error::AppError,
    money::Won,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use state::{use_cart, CartState};

/// At most a cart holds this many lines (different variants).
pub const MAX_LINES: usize = 100;

/// A line as stored: what was put in the cart and at what price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLine {
    pub product_id: ProductId,
    /// Absent in a guest cart kept before products had variants: then it
    /// is the product's default variant, which the migration gave the
    /// product's id (only a database from before variants has such carts).
    #[serde(default)]
    pub variant_id: Option<VariantId>,
    pub quantity: Quantity,
    pub added_price: Won,
}

impl StoredLine {
    pub fn variant(&self) -> VariantId {
        self.variant_id.unwrap_or(VariantId(self.product_id.0))
    }
}

/// A line as shown, with today's name, price and stock.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: ProductId,
    pub variant_id: VariantId,
    pub sku: String,
    pub name: String,
    /// The variant's options ("Size 270 / Colour Black"; empty without options).
    pub label: String,
    pub image: String,
    pub price: Won,
    pub quantity: Quantity,
    pub line_total: Won,
    pub stock: i64,
    /// The price when the line was added, if it has changed since.
    pub price_was: Option<Won>,
    /// False once the product is off sale: the line cannot be ordered
    /// (and is left out of the total) until it is back.
    pub available: bool,
}

impl CartLine {
    pub fn availability(&self) -> Availability {
        Availability::of(self.stock, self.quantity)
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    pub total: Won,
    /// Items in the cart, counting quantities (the header's badge).
    pub item_count: i64,
}

impl Cart {
    pub fn from_lines(lines: Vec<CartLine>) -> Self {
        let total = Won(lines
            .iter()
            .filter(|l| l.available)
            .map(|l| l.line_total.get())
            .sum());
        let item_count = lines.iter().map(|l| l.quantity.get()).sum();
        Self {
            lines,
            total,
            item_count,
        }
    }
}

/// `GET /api/cart`
#[server(prefix = "/api", endpoint = "cart", input = server_fn::codec::GetUrl)]
pub async fn get_cart() -> Result<Cart, AppError> {
    store::CartOwner::current()
        .await?
        .cart(&crate::db::db()?)
        .await
}

/// `POST /api/cart/add`: adds `quantity` (default 1) of a variant
/// (`variant_id`, which a product without options may leave out); a
/// variant already in the cart has its line raised, capped at 99.
#[server(prefix = "/api", endpoint = "cart/add")]
pub async fn add_to_cart(
    product_id: ProductId,
    variant_id: Option<VariantId>,
    quantity: Option<Quantity>,
) -> Result<Cart, AppError> {
    let quantity = quantity.unwrap_or(Quantity::ONE);
    let db = crate::db::db()?;
    let owner = store::CartOwner::current().await?;
    owner.add(&db, product_id, variant_id, quantity).await?;
    let cart = owner.cart(&db).await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        islands.added
    ))
    .await;
    Ok(cart)
}

/// `POST /api/cart/set`: sets a line's quantity (1 to 99).
#[server(prefix = "/api", endpoint = "cart/set")]
pub async fn set_cart_quantity(
    product_id: ProductId,
    variant_id: Option<VariantId>,
    quantity: Quantity,
) -> Result<Cart, AppError> {
    let db = crate::db::db()?;
    let owner = store::CartOwner::current().await?;
    owner.set(&db, product_id, variant_id, quantity).await?;
    let cart = owner.cart(&db).await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.cart_updated
    ))
    .await;
    Ok(cart)
}

/// `POST /api/cart/remove`: removing what is not there changes nothing.
#[server(prefix = "/api", endpoint = "cart/remove")]
pub async fn remove_from_cart(
    product_id: ProductId,
    variant_id: Option<VariantId>,
) -> Result<Cart, AppError> {
    let db = crate::db::db()?;
    let owner = store::CartOwner::current().await?;
    owner.remove(&db, product_id, variant_id).await?;
    let cart = owner.cart(&db).await?;
    crate::flash::done(crate::locale::td_string!(
        crate::locale::Locale::current(),
        flash.removed_from_cart
    ))
    .await;
    Ok(cart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cart_totals() {
        let line = |price, quantity| CartLine {
            product_id: ProductId(1),
            variant_id: VariantId(1),
            sku: "X".into(),
            name: "x".into(),
            label: String::new(),
            image: String::new(),
            price: Won(price),
            quantity: Quantity::new(quantity).unwrap(),
            line_total: Won(price * quantity),
            stock: 5,
            price_was: None,
            available: true,
        };
        let cart = Cart::from_lines(vec![line(1000, 2), line(500, 3)]);
        assert_eq!(cart.total, Won(3500));
        assert_eq!(cart.item_count, 5);
        let gone = CartLine {
            available: false,
            ..line(700, 1)
        };
        let cart = Cart::from_lines(vec![line(1000, 2), gone]);
        assert_eq!(
            cart.total,
            Won(2000),
            "a line no longer sold is not paid for"
        );
        assert_eq!(line(1, 6).availability(), Availability::Short { left: 5 });
    }
}
