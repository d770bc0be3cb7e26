use super::{
    loading,
    variants::{OptionsForm, VariantTable},
    AdminError, AdminNav,
};
use crate::{
    admin::catalog::{
        admin_product_detail, AdjustStock, ChangePrice, SetOnSale, UpdateProduct, UploadPicture,
    },
    catalog::{
        edit::{AdminProduct, PriceChange, ProductDetail, MAX_BRAND, MAX_DESCRIPTION, MAX_NAME},
        variants::AdminVariant,
        AdjustCause, StockDelta, StockMovement,
    },
    components::{field_error, textarea_text, Enhance, Then},
    dates::format_millis,
    flash::FormState,
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

/// `/admin/products/:id`: edit it, change its price, take it off sale or
/// back, change its picture, adjust its stock (per variant); its options
/// and variants; its price history and stock movements.
#[component]
pub fn ProductAdminPage() -> impl IntoView {
    let locale = Locale::current();
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let detail = OnceResource::new(admin_product_detail(id));
    view! {
        <section class="admin">
            <AdminNav />
            <Suspense fallback=move || loading(locale)>
                {Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => view! { <Detail detail /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Detail(detail: ProductDetail) -> impl IntoView {
    let locale = Locale::current();
    let ProductDetail {
        product,
        options,
        variants,
        price_history,
        movements,
        movement_count,
    } = detail;
    let here = format!("/admin/products/{}", product.id);
    let has_options = !options.is_empty();
    let state = if product.on_sale {
        td_string!(locale, admin.on_sale)
    } else {
        td_string!(locale, admin.off_sale)
    };
    view! {
        <Title text=product.name.clone() />
        <h1 data-testid="admin-product-name">{product.name.clone()}</h1>
        <p class="admin-meta">
            {td_string!(locale, admin.sku)} ": " <code>{product.sku.clone()}</code> " · "
            <span data-testid="sale-state" data-on-sale=product.on_sale.to_string()>{state}</span>
            {product.on_sale.then(|| view! {
                " · " <a href=format!("/products/{}", product.id)>{td_string!(locale, admin.view_in_shop)}</a>
            })}
        </p>
        <div class="admin-columns">
            <div>
                <img src=product.image.clone() alt=td_string!(locale, admin.picture_of, name = &product.name).to_string() width="200" height="200" data-testid="admin-picture" />
                <PictureForm product=product.clone() />
            </div>
            <div>
                <StockForm product=product.clone() variants=variants.clone() has_options here=here.clone() />
                {(!has_options).then(|| view! { <PriceForm product=product.clone() here=here.clone() /> })}
                <SaleForm product=product.clone() here=here.clone() />
            </div>
        </div>
        {has_options.then(|| view! { <VariantTable variants=variants.clone() here=here.clone() /> })}
        <OptionsForm product=product.clone() options here=here.clone() />
        <TextsForm product=product.clone() here=here.clone() />
        <PriceHistory changes=price_history />
        <Movements movements count=movement_count />
    }
}

#[component]
fn PictureForm(product: AdminProduct) -> impl IntoView {
    let locale = Locale::current();
    // A file goes as multipart/form-data: a plain form, with or without JS.
    view! {
        <form method="post" action=UploadPicture::url() enctype="multipart/form-data" class="admin-form" data-testid="picture-form">
            <input type="hidden" name="product_id" value=product.id.0 />
            <label>
                {td_string!(locale, admin.new_picture)}
                <input type="file" name="image" accept="image/png,image/jpeg,image/webp" required />
            </label>
            <button type="submit">{td_string!(locale, admin.upload)}</button>
        </form>
    }
}

#[component]
fn StockForm(
    product: AdminProduct,
    variants: Vec<AdminVariant>,
    has_options: bool,
    here: String,
) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(AdjustStock::PATH);
    let reason = state.typed("reason");
    let typed_variant = state.typed("variant_id");
    let english = locale == Locale::en;
    // A product with options: which variant's stock moves.
    let which = has_options.then(|| {
        view! {
            <label>
                {td_string!(locale, admin.variant)}
                <select name="variant_id" required>
                    {variants
                        .into_iter()
                        .map(|v| {
                            let selected = typed_variant.as_deref() == Some(v.variant_id.to_string().as_str());
                            let label = if english { v.label_en } else { v.label };
                            view! {
                                <option value=v.variant_id.0 selected=selected>
                                    {format!("{label} · {} ({})", v.sku, v.stock)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    });
    view! {
        <h2>{td_string!(locale, admin.stock)}</h2>
        <p class="admin-stock">
            {td_string!(locale, admin.in_stock_now)} " "
            <strong data-testid="admin-stock">{product.stock}</strong>
        </p>
        <Enhance then=Then::GoOn next=here alert_id="stock-error".to_string()>
            <form method="post" action=AdjustStock::url() class="admin-form" data-testid="adjust-stock">
                <input type="hidden" name="product_id" value=product.id.0 />
                {which}
                <label>
                    {td_string!(locale, admin.delta)}
                    <input type="number" name="delta" required min=-StockDelta::MAX max=StockDelta::MAX step="1"
                        value=state.typed("delta") aria-invalid=state.invalid("delta") aria-describedby=state.described_by("delta") />
                </label>
                {field_error(&state, "delta")}
                <label>
                    {td_string!(locale, admin.reason)}
                    <select name="reason">
                        {AdjustCause::ALL
                            .into_iter()
                            .map(|c| {
                                let selected = reason.as_deref() == Some(c.as_str());
                                view! { <option value=c.as_str() selected=selected>{c.label(locale)}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {td_string!(locale, admin.note)}
                    <input type="text" name="note" maxlength="200"
                        value=state.typed("note") aria-invalid=state.invalid("note") aria-describedby=state.described_by("note") />
                </label>
                {field_error(&state, "note")}
                <button type="submit">{td_string!(locale, admin.adjust)}</button>
            </form>
        </Enhance>
    }
}

#[component]
fn PriceForm(product: AdminProduct, here: String) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(ChangePrice::PATH);
    view! {
        <h2>{td_string!(locale, admin.price)}</h2>
        <Enhance then=Then::GoOn next=here alert_id="price-error".to_string()>
            <form method="post" action=ChangePrice::url() class="admin-form" data-testid="change-price">
                <input type="hidden" name="product_id" value=product.id.0 />
                <label>
                    {td_string!(locale, admin.price_won)}
                    <input type="number" name="price" required min="1" max="100000000" step="1"
                        value=state.value_or("price", product.price.get())
                        aria-invalid=state.invalid("price") aria-describedby=state.described_by("price") />
                </label>
                {field_error(&state, "price")}
                <button type="submit">{td_string!(locale, admin.change_price)}</button>
            </form>
        </Enhance>
    }
}

#[component]
fn SaleForm(product: AdminProduct, here: String) -> impl IntoView {
    let locale = Locale::current();
    let (value, text) = if product.on_sale {
        ("false", td_string!(locale, admin.take_off_sale))
    } else {
        ("true", td_string!(locale, admin.put_on_sale))
    };
    view! {
        <h2>{td_string!(locale, admin.sale_state)}</h2>
        <Enhance then=Then::GoOn next=here>
            <form method="post" action=SetOnSale::url() data-testid="sale-form">
                <input type="hidden" name="product_id" value=product.id.0 />
                <input type="hidden" name="on_sale" value=value />
                <button type="submit">{text}</button>
            </form>
        </Enhance>
    }
}

#[component]
fn TextsForm(product: AdminProduct, here: String) -> impl IntoView {
    let locale = Locale::current();
    let state = FormState::of(UpdateProduct::PATH);
    let value = |name: &str, shown: String| state.value_or(name, shown);
    let (name, name_en, brand, description, description_en) = (
        value("name", product.name),
        value("name_en", product.name_en.unwrap_or_default()),
        value("brand", product.brand),
        value("description", product.description),
        value("description_en", product.description_en.unwrap_or_default()),
    );
    view! {
        <h2>{td_string!(locale, admin.details)}</h2>
        <Enhance then=Then::GoOn next=here alert_id="texts-error".to_string()>
            <form method="post" action=UpdateProduct::url() class="admin-form" data-testid="edit-product">
                <input type="hidden" name="product_id" value=product.id.0 />
                <label>
                    {td_string!(locale, admin.name_ko)}
                    <input type="text" name="name" required maxlength=MAX_NAME value=name lang="ko"
                        aria-invalid=state.invalid("name") aria-describedby=state.described_by("name") />
                </label>
                {field_error(&state, "name")}
                <label>
                    {td_string!(locale, admin.name_en)}
                    <input type="text" name="name_en" maxlength=MAX_NAME value=name_en lang="en"
                        aria-invalid=state.invalid("name_en") aria-describedby=state.described_by("name_en") />
                </label>
                {field_error(&state, "name_en")}
                <label>
                    {td_string!(locale, admin.brand)}
                    <input type="text" name="brand" required maxlength=MAX_BRAND value=brand
                        aria-invalid=state.invalid("brand") aria-describedby=state.described_by("brand") />
                </label>
                {field_error(&state, "brand")}
                <label>
                    {td_string!(locale, admin.description_ko)}
                    <textarea name="description" rows="4" maxlength=MAX_DESCRIPTION lang="ko"
                        aria-invalid=state.invalid("description") aria-describedby=state.described_by("description")>{textarea_text(&description)}</textarea>
                </label>
                {field_error(&state, "description")}
                <label>
                    {td_string!(locale, admin.description_en)}
                    <textarea name="description_en" rows="4" maxlength=MAX_DESCRIPTION lang="en"
                        aria-invalid=state.invalid("description_en") aria-describedby=state.described_by("description_en")>{textarea_text(&description_en)}</textarea>
                </label>
                {field_error(&state, "description_en")}
                <button type="submit">{td_string!(locale, admin.save)}</button>
            </form>
        </Enhance>
    }
}

#[component]
fn PriceHistory(changes: Vec<PriceChange>) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.price_history)}</h2>
        {if changes.is_empty() {
            view! { <p class="empty">{td_string!(locale, admin.no_price_changes)}</p> }.into_any()
        } else {
            view! {
                <table class="admin-table" data-testid="price-history">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(locale, admin.when)}</th>
                            <th scope="col">{td_string!(locale, admin.sku)}</th>
                            <th scope="col">{td_string!(locale, admin.from)}</th>
                            <th scope="col">{td_string!(locale, admin.to)}</th>
                            <th scope="col">{td_string!(locale, admin.by)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {changes
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <tr>
                                        <td>{format_millis(c.at, locale)}</td>
                                        <td>{c.sku}</td>
                                        <td class="num">{c.from.show(locale)}</td>
                                        <td class="num">{c.to.show(locale)}</td>
                                        <td>{c.by}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
    }
}

#[component]
fn Movements(movements: Vec<StockMovement>, count: i64) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <h2>{td_string!(locale, admin.movements)}</h2>
        <p>{td_string!(locale, admin.movement_count, shown = movements.len(), count)}</p>
        <table class="admin-table" data-testid="movements">
            <thead>
                <tr>
                    <th scope="col">{td_string!(locale, admin.when)}</th>
                    <th scope="col">{td_string!(locale, admin.sku)}</th>
                    <th scope="col">{td_string!(locale, admin.change)}</th>
                    <th scope="col">{td_string!(locale, admin.reason)}</th>
                    <th scope="col">{td_string!(locale, admin.stock_after)}</th>
                    <th scope="col">{td_string!(locale, admin.by)}</th>
                    <th scope="col">{td_string!(locale, admin.note)}</th>
                </tr>
            </thead>
            <tbody>
                {movements
                    .into_iter()
                    .map(|m| {
                        let why = match (m.cause, m.order_id) {
                            (Some(cause), _) => format!("{} · {}", m.reason.label(locale), cause.label(locale)),
                            (None, Some(order)) => td_string!(locale, admin.reason_with_order, reason = m.reason.label(locale), order).to_string(),
                            (None, None) => m.reason.label(locale).to_string(),
                        };
                        view! {
                            <tr data-testid="movement" data-reason=m.reason.as_str()>
                                <td>{format_millis(m.at, locale)}</td>
                                <td>{m.sku}</td>
                                <td class="num">{format!("{:+}", m.delta)}</td>
                                <td>{why}</td>
                                <td class="num">{m.stock_after}</td>
                                <td>{m.by.unwrap_or_default()}</td>
                                <td>{m.note}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
