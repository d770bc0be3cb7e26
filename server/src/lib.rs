//! The storefront server: configuration, wiring and the HTTP layers around
//! the app. `main.rs` only calls into here, and so do the tests.

pub mod admin_guard;
pub mod cli;
pub mod config;
pub mod connections;
pub mod form_feedback;
pub mod json_forms;
pub mod language;
pub mod login_guard;
pub mod metrics;
pub mod openapi;
pub mod openapi_admin;
pub mod orders_export;
pub mod origin;
pub mod page_cache;
pub mod payment_returns;
pub mod render_task;
pub mod security;
pub mod sign_in;
pub mod startup;
pub mod telemetry;
pub mod text_input;
pub mod time_limit;
pub mod yardstick;
