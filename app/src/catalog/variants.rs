//! Sizes and colours: a product's options (사이즈 / Size), each with its
//! ordered values (250, 260, 270), and its variants, one per combination,
//! each with its own SKU, price, stock and sale state. A product without
//! options has one default variant. The stock rule works on variants
//! (`store::change_stock`); a cart or order line names one.
//!
//! Shared with the browser: the product page's island picks a variant from
//! the options chosen with [`Choices`], without the catalog's code.

use crate::{
    error::{deserialize_parsed, AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
    money::Won,
};
use serde::{Deserialize, Deserializer, Serialize};
use std::{collections::BTreeMap, fmt};

/// At most this many options a product has, and this many variants.
pub const MAX_OPTIONS: usize = 3;
pub const MAX_VARIANTS: usize = 100;
/// The longest option name or value.
pub const MAX_OPTION_TEXT: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct VariantId(pub i64);

#[cfg(feature = "ssr")]
crate::schema::newtype_schema!(
    VariantId,
    crate::schema::integer(Some(1), None, "A variant's id (one size, one colour)")
);

/// As a server function's argument it is the `variant_id` field.
impl<'de> Deserialize<'de> for VariantId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_parsed(deserializer, Self::parse)
    }
}

impl VariantId {
    pub fn parse(raw: &str) -> AppResult<Self> {
        match raw.trim().parse::<i64>() {
            Ok(id) if id > 0 => Ok(Self(id)),
            _ => Err(AppError::invalid_field(
                ErrorCode::BadRequest,
                "variant_id",
                td_string!(Locale::current(), errors.variant_id),
            )),
        }
    }
}

impl fmt::Display for VariantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// 400 `VARIANT_REQUIRED`: the product has options, so a line names one
/// of its variants.
pub fn variant_required() -> AppError {
    AppError::invalid_field(
        ErrorCode::VariantRequired,
        "variant_id",
        td_string!(Locale::current(), errors.variant_required),
    )
}

/// 404 `VARIANT_NOT_FOUND`.
pub fn variant_not_found() -> AppError {
    AppError::invalid_field(
        ErrorCode::VariantNotFound,
        "variant_id",
        td_string!(Locale::current(), errors.variant_not_found),
    )
}

/// "사이즈 270 / 색상 블랙": each option's name and value, in order; empty
/// for a product without options.
pub fn label<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(name, value)| format!("{name} {value}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// An option as shoppers see it, in their language, with its values in
/// order.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOption {
    pub name: String,
    pub values: Vec<String>,
}

/// A variant as shoppers see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub variant_id: VariantId,
    pub sku: String,
    /// Each option's value, by the option's name (in the reader's language).
    pub options: BTreeMap<String, String>,
    /// Its options as one text ("Size 270 / Colour Black"; empty without options).
    pub label: String,
    pub price: Won,
    pub stock: i64,
    pub on_sale: bool,
}

impl Variant {
    /// Can one be bought now.
    pub fn buyable(&self) -> bool {
        self.on_sale && self.stock > 0
    }
}

/// A product's options and variants: what the product page chooses from.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Choices {
    pub options: Vec<ProductOption>,
    pub variants: Vec<Variant>,
}

/// What is chosen: a value (or none yet) for each option, in order.
pub type Choice = Vec<Option<String>>;

impl Choices {
    pub fn has_options(&self) -> bool {
        !self.options.is_empty()
    }

    pub fn variant(&self, id: VariantId) -> Option<&Variant> {
        self.variants.iter().find(|v| v.variant_id == id)
    }

    /// The lowest price on sale: the "from" price (the lowest of all when
    /// none is on sale).
    pub fn lowest_price(&self) -> Option<Won> {
        let on_sale = self.variants.iter().filter(|v| v.on_sale).map(|v| v.price);
        on_sale
            .min()
            .or_else(|| self.variants.iter().map(|v| v.price).min())
    }

    /// Whether prices differ between variants on sale.
    pub fn prices_differ(&self) -> bool {
        let mut prices = self.variants.iter().filter(|v| v.on_sale).map(|v| v.price);
        let first = prices.next();
        prices.any(|p| Some(p) != first)
    }

    fn matches(&self, variant: &Variant, choice: &Choice, skip: Option<usize>) -> bool {
        self.options.iter().enumerate().all(|(i, option)| {
            Some(i) == skip
                || match choice.get(i).and_then(Option::as_ref) {
                    None => true,
                    Some(value) => variant.options.get(&option.name) == Some(value),
                }
        })
    }

    /// The variant with every option as chosen; `None` until each option
    /// has a value (a product without options: its one variant).
    pub fn chosen(&self, choice: &Choice) -> Option<&Variant> {
        if self.options.iter().enumerate().any(|(i, _)| {
            choice
                .get(i)
                .and_then(Option::as_ref)
                .is_none_or(String::is_empty)
        }) {
            return None;
        }
        self.variants
            .iter()
            .find(|v| v.on_sale && self.matches(v, choice, None))
    }

    /// The choice that picks `variant`.
    pub fn choice_of(&self, variant: &Variant) -> Choice {
        self.options
            .iter()
            .map(|o| variant.options.get(&o.name).cloned())
            .collect()
    }

    /// Whether `value` of option `index` can be bought with the other
    /// options as chosen (a sold-out size is shown, and disabled).
    pub fn value_buyable(&self, choice: &Choice, index: usize, value: &str) -> bool {
        let Some(option) = self.options.get(index) else {
            return false;
        };
        self.variants.iter().any(|v| {
            v.buyable()
                && v.options.get(&option.name).map(String::as_str) == Some(value)
                && self.matches(v, choice, Some(index))
        })
    }
}

/// A product with its options and variants (`GET /api/products/get`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductWithVariants {
    #[serde(flatten)]
    pub product: super::Product,
    #[serde(flatten)]
    pub choices: Choices,
}

/// One value of an option, as staff write it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueInput {
    pub value: String,
    #[serde(default)]
    pub value_en: Option<String>,
}

/// One option, as staff write it: its names and its values in order.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionInput {
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub values: Vec<ValueInput>,
}

/// A product's options as staff set them, checked: 0 to 3 options, names
/// unique, 1 or more values each, unique in their option, texts of 1 to
/// 30 characters, at most 100 combinations. A blank value (both texts
/// empty), and a blank option (no name, no values), are left out: the
/// editor's form has rows to fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsInput(pub Vec<OptionInput>);

impl OptionsInput {
    pub fn parse(options: Vec<OptionInput>) -> AppResult<Self> {
        let blank = |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
        let options: Vec<OptionInput> = options
            .into_iter()
            .map(|mut o| {
                o.values
                    .retain(|v| !(v.value.trim().is_empty() && blank(&v.value_en)));
                o
            })
            .filter(|o| !(o.name.trim().is_empty() && blank(&o.name_en) && o.values.is_empty()))
            .collect();
        let bad = |field: String, message: String| {
            AppError::invalid_field(ErrorCode::BadRequest, &field, message)
        };
        if options.len() > MAX_OPTIONS {
            return Err(bad(
                "options".into(),
                td_string!(
                    Locale::current(),
                    admin.error_options_count,
                    max = MAX_OPTIONS
                )
                .to_string(),
            ));
        }
        let text = |field: String, raw: &str, required: bool| -> AppResult<Option<String>> {
            let value = crate::text::field(&field, raw, required, MAX_OPTION_TEXT, false)?;
            Ok((!value.is_empty()).then_some(value))
        };
        let mut checked = Vec::with_capacity(options.len());
        let mut combinations = 1usize;
        for (i, option) in options.into_iter().enumerate() {
            let name = text(format!("options[{i}].name"), &option.name, true)?.unwrap_or_default();
            let name_en = text(
                format!("options[{i}].name_en"),
                option.name_en.as_deref().unwrap_or_default(),
                false,
            )?;
            if checked.iter().any(|o: &OptionInput| o.name == name) {
                return Err(bad(
                    format!("options[{i}].name"),
                    td_string!(Locale::current(), admin.error_option_twice).to_string(),
                ));
            }
            if option.values.is_empty() {
                return Err(bad(
                    format!("options[{i}].values"),
                    td_string!(Locale::current(), admin.error_option_values).to_string(),
                ));
            }
            let mut values: Vec<ValueInput> = Vec::with_capacity(option.values.len());
            for (j, value) in option.values.into_iter().enumerate() {
                let field = format!("options[{i}].values[{j}].value");
                let text_ko = text(field.clone(), &value.value, true)?.unwrap_or_default();
                let value_en = text(
                    format!("options[{i}].values[{j}].value_en"),
                    value.value_en.as_deref().unwrap_or_default(),
                    false,
                )?;
                if values.iter().any(|v| v.value == text_ko) {
                    return Err(bad(
                        field,
                        td_string!(Locale::current(), admin.error_value_twice).to_string(),
                    ));
                }
                values.push(ValueInput {
                    value: text_ko,
                    value_en,
                });
            }
            combinations = combinations.saturating_mul(values.len());
            checked.push(OptionInput {
                name,
                name_en,
                values,
            });
        }
        if combinations > MAX_VARIANTS && !checked.is_empty() {
            return Err(too_many_variants());
        }
        Ok(Self(checked))
    }
}

/// 400 `TOO_MANY_VARIANTS`.
pub fn too_many_variants() -> AppError {
    AppError::invalid_field(
        ErrorCode::TooManyVariants,
        "options",
        td_string!(
            Locale::current(),
            admin.error_too_many_variants,
            max = MAX_VARIANTS
        ),
    )
}

/// An option as staff see it: both languages, with its retired values.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOption {
    pub name: String,
    pub name_en: Option<String>,
    pub values: Vec<AdminValue>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminValue {
    pub value: String,
    pub value_en: Option<String>,
    /// Taken out of the option: its variants are off sale, kept because
    /// orders and movements name them.
    pub retired: bool,
}

/// A variant as staff see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminVariant {
    pub variant_id: VariantId,
    pub sku: String,
    /// Korean and English labels ("사이즈 270", "Size 270").
    pub label: String,
    pub label_en: String,
    pub price: Won,
    pub stock: i64,
    pub on_sale: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(id: i64, size: &str, colour: &str, stock: i64) -> Variant {
        Variant {
            variant_id: VariantId(id),
            sku: format!("S-{id}"),
            options: BTreeMap::from([
                ("Size".to_string(), size.to_string()),
                ("Colour".to_string(), colour.to_string()),
            ]),
            label: label([("Size", size), ("Colour", colour)]),
            price: Won(1000 + id),
            stock,
            on_sale: true,
        }
    }

    fn choices() -> Choices {
        Choices {
            options: vec![
                ProductOption {
                    name: "Size".into(),
                    values: vec!["260".into(), "270".into()],
                },
                ProductOption {
                    name: "Colour".into(),
                    values: vec!["Black".into(), "White".into()],
                },
            ],
            variants: vec![
                variant(1, "260", "Black", 0),
                variant(2, "260", "White", 3),
                variant(3, "270", "Black", 2),
                variant(4, "270", "White", 0),
            ],
        }
    }

    fn pick(size: Option<&str>, colour: Option<&str>) -> Choice {
        vec![size.map(str::to_string), colour.map(str::to_string)]
    }

    #[test]
    fn a_variant_is_chosen_once_every_option_has_a_value() {
        let c = choices();
        assert_eq!(c.chosen(&pick(Some("270"), None)), None);
        assert_eq!(
            c.chosen(&pick(Some("270"), Some("Black")))
                .unwrap()
                .variant_id,
            VariantId(3)
        );
        assert_eq!(
            c.choice_of(&c.variants[1]),
            pick(Some("260"), Some("White"))
        );
        assert_eq!(c.variants[2].label, "Size 270 / Colour Black");
        assert_eq!(c.lowest_price(), Some(Won(1001)));
        assert!(c.prices_differ());
    }

    #[test]
    fn sold_out_values_depend_on_the_other_options() {
        let c = choices();
        // Black in 260 is sold out, in 270 it is not.
        assert!(!c.value_buyable(&pick(Some("260"), None), 1, "Black"));
        assert!(c.value_buyable(&pick(Some("270"), None), 1, "Black"));
        // Nothing chosen yet: a value is buyable if any variant with it is.
        assert!(c.value_buyable(&pick(None, None), 0, "260"));
        assert!(!c.value_buyable(&pick(None, Some("Black")), 0, "260"));
    }

    #[test]
    fn a_product_without_options_has_its_one_variant_chosen() {
        let c = Choices {
            options: vec![],
            variants: vec![Variant {
                options: BTreeMap::new(),
                label: String::new(),
                ..variant(9, "", "", 4)
            }],
        };
        assert_eq!(c.chosen(&vec![]).unwrap().variant_id, VariantId(9));
        assert_eq!(label([]), "");
    }

    #[test]
    fn options_are_checked() {
        let option = |name: &str, values: &[&str]| OptionInput {
            name: name.into(),
            name_en: None,
            values: values
                .iter()
                .map(|v| ValueInput {
                    value: v.to_string(),
                    value_en: None,
                })
                .collect(),
        };
        assert!(OptionsInput::parse(vec![option("사이즈", &["250", "260"])]).is_ok());
        let twice = OptionsInput::parse(vec![option("사이즈", &["250", "250"])]).unwrap_err();
        assert_eq!(twice.field(), Some("options[0].values[1].value"));
        let empty = OptionsInput::parse(vec![option("사이즈", &[])]).unwrap_err();
        assert_eq!(empty.field(), Some("options[0].values"));
        let blank = OptionsInput::parse(vec![option(" ", &["1"])]).unwrap_err();
        assert_eq!(blank.field(), Some("options[0].name"));
        let four: Vec<_> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| option(n, &["1"]))
            .collect();
        assert_eq!(
            OptionsInput::parse(four).unwrap_err().field(),
            Some("options")
        );
        let values: Vec<String> = (0..11).map(|n| n.to_string()).collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        let big = OptionsInput::parse(vec![option("a", &values), option("b", &values)]);
        assert_eq!(big.unwrap_err().code, ErrorCode::TooManyVariants);
    }
}
