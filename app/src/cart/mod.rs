//! The cart: a guest's lives in the session, a user's in the database; on
//! login the guest cart is merged into the user's.

use crate::{
    catalog::ProductId,
    error::{AppError, AppResult, ErrorCode},
    money::Won,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

mod forms;
#[cfg(feature = "ssr")]
pub mod store;

pub use forms::AddToCartForm;

/// How many of one product a line holds: 1 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(i64);

impl Quantity {
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 99;

    pub fn parse(raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        raw.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| raw.parse::<i64>().ok())
            .flatten()
            .and_then(Self::new)
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::InvalidQuantity,
                    "quantity",
                    "A quantity is a whole number from 1 to 99.",
                )
            })
    }

    pub fn new(n: i64) -> Option<Self> {
        (Self::MIN..=Self::MAX).contains(&n).then_some(Self(n))
    }

    /// `self + more`, capped at 99.
    pub fn saturating_add(self, more: Quantity) -> Self {
        Self((self.0 + more.0).min(Self::MAX))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// A most a cart holds this many different products.
pub const MAX_LINES: usize = 100;

/// A line as stored: what was put in the cart and at what price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
    pub added_price: Won,
}

/// A line as shown, with today's name, price and stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: ProductId,
    pub name: String,
    pub image: String,
    pub price: Won,
    pub quantity: Quantity,
    pub line_total: Won,
    pub stock: i64,
    /// The price when the line was added, if it has changed since.
    pub price_was: Option<Won>,
}

impl CartLine {
    pub fn sold_out(&self) -> bool {
        self.stock <= 0
    }

    /// Fewer left than the line asks for (but not none).
    pub fn short(&self) -> bool {
        self.stock > 0 && self.stock < self.quantity.get()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    pub total: Won,
    /// Items in the cart, counting quantities (the header's badge).
    pub item_count: i64,
}

impl Cart {
    pub fn from_lines(lines: Vec<CartLine>) -> Self {
        let total = Won(lines.iter().map(|l| l.line_total.get()).sum());
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

/// `POST /api/cart/add`: adds `quantity` (default 1); a product already in
/// the cart has its line raised, capped at 99.
#[server(prefix = "/api", endpoint = "cart/add")]
pub async fn add_to_cart(product_id: String, quantity: Option<String>) -> Result<Cart, AppError> {
    let product_id = ProductId::parse_field(&product_id, "product_id")?;
    let quantity = match quantity.as_deref().map(str::trim) {
        None | Some("") => Quantity(1),
        Some(raw) => Quantity::parse(raw)?,
    };
    let db = crate::db::db()?;
    let owner = store::CartOwner::current().await?;
    owner.add(&db, product_id, quantity).await?;
    owner.cart(&db).await
}

/// `POST /api/cart/set`: sets a line's quantity (1 to 99).
#[server(prefix = "/api", endpoint = "cart/set")]
pub async fn set_cart_quantity(product_id: String, quantity: String) -> Result<Cart, AppError> {
    let product_id = ProductId::parse_field(&product_id, "product_id")?;
    let quantity = Quantity::parse(&quantity)?;
    let db = crate::db::db()?;
    let owner = store::CartOwner::current().await?;
    owner.set(&db, product_id, quantity).await?;
    owner.cart(&db).await
}

/// `POST /api/cart/remove`: removing what is not there changes nothing.
#[server(prefix = "/api", endpoint = "cart/remove")]
pub async fn remove_from_cart(product_id: String) -> Result<Cart, AppError> {
    let product_id = ProductId::parse_field(&product_id, "product_id")?;
    let db = crate::db::db()?;
    let owner = store::CartOwner::current().await?;
    owner.remove(&db, product_id).await?;
    owner.cart(&db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_one_to_ninety_nine() {
        assert_eq!(Quantity::parse("1").unwrap().get(), 1);
        assert_eq!(Quantity::parse(" 99 ").unwrap().get(), 99);
        for bad in [
            "0",
            "100",
            "-1",
            "1.5",
            "two",
            "",
            "+3",
            "99999999999999999999",
        ] {
            let err = Quantity::parse(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidQuantity, "{bad}");
        }
        assert_eq!(Quantity(60).saturating_add(Quantity(60)).get(), 99);
    }

    #[test]
    fn cart_totals() {
        let line = |price, quantity| CartLine {
            product_id: ProductId(1),
            name: "x".into(),
            image: String::new(),
            price: Won(price),
            quantity: Quantity(quantity),
            line_total: Won(price * quantity),
            stock: 5,
            price_was: None,
        };
        let cart = Cart::from_lines(vec![line(1000, 2), line(500, 3)]);
        assert_eq!(cart.total, Won(3500));
        assert_eq!(cart.item_count, 5);
        assert!(line(1, 6).short());
    }
}

/// The cart in the browser: fetched again whenever a cart form completes
/// ([`CartState::refresh`]) or the shopper logs in or out.
#[derive(Clone, Copy)]
pub struct CartState {
    pub cart: Resource<Result<Cart, AppError>>,
    changed: RwSignal<u32>,
}

impl CartState {
    pub fn provide(auth: crate::accounts::Auth) -> Self {
        let changed = RwSignal::new(0);
        let cart = Resource::new(
            move || {
                (
                    changed.get(),
                    auth.login.version().get(),
                    auth.signup.version().get(),
                    auth.logout.version().get(),
                )
            },
            |_| get_cart(),
        );
        let state = Self { cart, changed };
        provide_context(state);
        state
    }

    pub fn refresh(&self) {
        self.changed.update(|n| *n += 1);
    }
}

pub fn use_cart() -> CartState {
    expect_context::<CartState>()
}

/// A server action for a cart form that refreshes the cart when it is done.
pub fn cart_action<S>() -> ServerAction<S>
where
    S: server_fn::ServerFn<Output = Cart, Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    ServerAction<S>: Copy,
{
    let state = use_cart();
    let action = ServerAction::<S>::new();
    Effect::new(move |_| {
        if action.version().get() > 0 {
            state.refresh();
        }
    });
    action
}
