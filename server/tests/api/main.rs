//! Integration tests: each starts the real app on port 0 against a fresh
//! database, on SQLite and on Postgres, and talks to it over HTTP.

mod accounts;
mod admin;
mod backup;
mod caching;
mod cart;
mod catalog;
mod connections;
mod contract;
mod coupons;
mod flash;
mod health;
mod helpers;
mod hostile;
mod kakaopay;
mod language;
mod lifecycle;
mod likes;
mod openapi;
mod order_payments;
mod orders;
mod page_cache;
mod payments;
mod platform;
mod points;
mod schema;
mod search;
mod security;
mod shipping;
mod shutdown;
mod sign_in;
mod stall;
mod stored_text;
mod text_rule;
mod upgrade;
mod variants;
