//! `GET /api/admin/orders/export`: the staff's order list as CSV, for a
//! courier's bulk upload (`app::admin::orders::shipping_csv`). Behind the
//! admin door like every `/api/admin/` path: it needs `orders`.

use app::{
    admin::orders::shipping_csv, db::Db, error::AppError, locale::Locale, orders::AdminOrderQuery,
};
use axum::{
    extract::{rejection::QueryRejection, FromRef, Query, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};
use serde::Deserialize;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

pub const PATH: &str = "/api/admin/orders/export";

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Db: FromRef<S>,
{
    Router::new().route(PATH, get(export))
}

/// The list's own filters (no paging: every order that matches).
#[derive(Debug, Deserialize)]
struct Filters {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    user_id: Option<String>,
    product_id: Option<String>,
}

async fn export(
    State(db): State<Db>,
    Extension(locale): Extension<Locale>,
    filters: Result<Query<Filters>, QueryRejection>,
) -> Response {
    let answer = async {
        // The refusal's message in the caller's language.
        let owner = leptos::prelude::Owner::new();
        let query = owner.with(|| {
            leptos::prelude::provide_context(locale);
            // A query that does not read (a field twice, a bad encoding)
            // is refused as a server function's arguments are: 400 JSON.
            let Query(filters) = filters.map_err(|rejection| {
                AppError::from_server_fn_error(ServerFnErrorErr::Args(rejection.body_text()))
            })?;
            AdminOrderQuery::parse(
                None,
                None,
                filters.status.as_deref(),
                filters.from.as_deref(),
                filters.to.as_deref(),
                filters.user_id.as_deref(),
                filters.product_id.as_deref(),
            )
        })?;
        shipping_csv(&db, &query, locale).await
    };
    match answer.await {
        Ok(bytes) => {
            let now = app::dates::input_value_in_seoul(app::db::now_millis());
            let day = now.get(..10).unwrap_or("today");
            let disposition = format!("attachment; filename=\"orders-{day}.csv\"");
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_str(&disposition)
                            .unwrap_or(HeaderValue::from_static("attachment")),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(error) => error.into_response(),
    }
}
