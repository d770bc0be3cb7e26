//! OpenAPI schemas of the domain values whose rules live in their own
//! `parse` (the derive cannot put bounds on a newtype's one field). The
//! document itself is the server's (`server/src/openapi.rs`).

use utoipa::openapi::{
    schema::{KnownFormat, SchemaFormat},
    ObjectBuilder, RefOr, Schema, Type,
};

/// A whole number from `min` to `max` (either may be open).
pub fn integer(min: Option<i64>, max: Option<i64>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(min)
        .maximum(max)
        .description(Some(description))
        .into()
}

/// Text matching `pattern`.
pub fn text(pattern: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .into()
}

/// `impl ToSchema` for a newtype whose schema is `$schema`.
macro_rules! newtype_schema {
    ($type:ty, $schema:expr) => {
        impl utoipa::PartialSchema for $type {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema
            }
        }
        impl utoipa::ToSchema for $type {}
    };
}
pub(crate) use newtype_schema;
