//! The admin product page's options editor and variant table: plain forms
//! that work without JS (each enhanced when it is there).

use crate::{
    admin::catalog::{SetProductOptions, UpdateVariant},
    catalog::{
        edit::AdminProduct,
        variants::{AdminOption, AdminVariant, MAX_OPTIONS, MAX_OPTION_TEXT},
    },
    components::{field_error, Enhance, Then},
    flash::FormState,
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use server_fn::ServerFn;

/// Blank value rows each option gets, for values to add.
const NEW_VALUES: usize = 3;
/// Value rows a new option gets.
const NEW_OPTION_VALUES: usize = 6;

/// The options editor: each option's names and values (Korean, English),
/// with blank rows to add values, and a blank option to add one. A row
/// left blank is left out; a value taken out is retired.
#[component]
pub fn OptionsForm(
    product: AdminProduct,
    options: Vec<AdminOption>,
    here: String,
) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(SetProductOptions::PATH);
    let mut blocks: Vec<AdminOption> = options
        .into_iter()
        .map(|mut o| {
            o.values.retain(|v| !v.retired);
            o
        })
        .collect();
    if blocks.len() < MAX_OPTIONS {
        blocks.push(AdminOption {
            name: String::new(),
            name_en: None,
            values: Vec::new(),
        });
    }
    let fieldsets = blocks
        .into_iter()
        .enumerate()
        .map(|(i, option)| {
            let blank = option.name.is_empty();
            let rows = option.values.len() + if blank { NEW_OPTION_VALUES } else { NEW_VALUES };
            let legend = if blank {
                td_string!(locale, admin.new_option).to_string()
            } else {
                td_string!(locale, admin.option_n, n = i + 1).to_string()
            };
            let values = (0..rows)
                .map(|j| {
                    let value = option.values.get(j);
                    let ko = value.map(|v| v.value.clone()).unwrap_or_default();
                    let en = value.and_then(|v| v.value_en.clone()).unwrap_or_default();
                    view! {
                        <div class="option-row">
                            <label>
                                {td_string!(locale, admin.value_ko, n = j + 1)}
                                <input type="text" name=format!("options[{i}][values][{j}][value]") value=ko maxlength=MAX_OPTION_TEXT lang="ko" />
                            </label>
                            <label>
                                {td_string!(locale, admin.value_en, n = j + 1)}
                                <input type="text" name=format!("options[{i}][values][{j}][value_en]") value=en maxlength=MAX_OPTION_TEXT lang="en" />
                            </label>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="option-editor" data-testid=format!("option-editor-{i}")>
                    <legend>{legend}</legend>
                    <label>
                        {td_string!(locale, admin.option_name_ko)}
                        <input type="text" name=format!("options[{i}][name]") value=option.name.clone() maxlength=MAX_OPTION_TEXT lang="ko" />
                    </label>
                    <label>
                        {td_string!(locale, admin.option_name_en)}
                        <input type="text" name=format!("options[{i}][name_en]") value=option.name_en.clone().unwrap_or_default() maxlength=MAX_OPTION_TEXT lang="en" />
                    </label>
                    {values}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <h2>{td_string!(locale, admin.options)}</h2>
        <p class="hint">{td_string!(locale, admin.options_hint)}</p>
        <Enhance then=Then::GoOn next=here alert_id="options-error".to_string()>
            <form method="post" action=SetProductOptions::url() class="admin-form" data-testid="options-form">
                <input type="hidden" name="product_id" value=product.id.0 />
                {fieldsets}
                {field_error(&state, "options")}
                <button type="submit">{td_string!(locale, admin.save_options)}</button>
            </form>
        </Enhance>
    }
}

/// Every variant: its SKU, options, price, stock and sale state, each
/// changed by its own form.
#[component]
pub fn VariantTable(variants: Vec<AdminVariant>, here: String) -> impl IntoView {
    let locale = Locale::current();
    let english = locale == Locale::en;
    view! {
        <h2>{td_string!(locale, admin.variants)}</h2>
        <table class="admin-table" data-testid="variants">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.options)}</th>
                    <th scope="col">{td_string!(locale, admin.sku)}</th>
                    <th scope="col">{td_string!(locale, admin.price)}</th>
                    <th scope="col">{td_string!(locale, admin.stock)}</th>
                    <th scope="col">{td_string!(locale, admin.on_sale)}</th>
                    <th scope="col">{td_string!(locale, admin.change)}</th>
                </tr>
            </thead>
            <tbody>
                {variants
                    .into_iter()
                    .map(|v| {
                        let label = if english { v.label_en.clone() } else { v.label.clone() };
                        let form_id = format!("variant-{}", v.variant_id);
                        let here = here.clone();
                        view! {
                            <tr data-testid="variant" data-variant-id=v.variant_id.0 data-on-sale=v.on_sale.to_string()>
                                <th scope="row">{label.clone()}</th>
                                <td>
                                    <input type="text" name="sku" form=form_id.clone() value=v.sku.clone() required maxlength="40"
                                        aria-label=td_string!(locale, admin.sku_of, label = &label).to_string() />
                                </td>
                                <td>
                                    <input type="number" name="price" form=form_id.clone() value=v.price.get() required min="1" max="100000000" step="1"
                                        aria-label=td_string!(locale, admin.price_of, label = &label).to_string() />
                                </td>
                                <td class="num" data-testid="variant-stock">{v.stock}</td>
                                <td>
                                    <select name="on_sale" form=form_id.clone() aria-label=td_string!(locale, admin.on_sale_of, label = &label).to_string()>
                                        <option value="true" selected=v.on_sale>{td_string!(locale, admin.on_sale)}</option>
                                        <option value="false" selected=!v.on_sale>{td_string!(locale, admin.off_sale)}</option>
                                    </select>
                                </td>
                                <td>
                                    <Enhance then=Then::GoOn next=here alert_id="variant-error".to_string()>
                                        <form method="post" action=UpdateVariant::url() id=form_id data-testid="variant-form">
                                            <input type="hidden" name="variant_id" value=v.variant_id.0 />
                                            <button type="submit">{td_string!(locale, admin.save)}</button>
                                        </form>
                                    </Enhance>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
