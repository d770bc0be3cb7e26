//! One module per page.

mod account;
mod home;
mod login;
mod not_found;
mod product;
mod signup;

pub use account::AccountPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use product::ProductPage;
pub use signup::SignupPage;
