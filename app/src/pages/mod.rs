//! One module per page.

mod account;
mod addresses;
pub mod admin;
mod best_sellers;
mod cart;
mod checkout;
mod coupons;
mod home;
mod likes;
mod login;
mod not_found;
pub mod orders;
mod points;
mod product;
mod signup;

pub use account::AccountPage;
pub use addresses::{AddressesPage, NewAddress};
pub use best_sellers::{BestSellersPage, BestSellersStrip};
pub use cart::{line_warning, CartPage};
pub use checkout::CheckoutPage;
pub use coupons::CouponsPage;
pub use home::{CatalogView, HomePage};
pub use likes::LikesPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use orders::{OrderDetailPage, OrdersPage};
pub use points::PointsPage;
pub use product::{meta_description, ProductPage};
pub use signup::SignupPage;
