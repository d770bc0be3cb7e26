use super::AdminNav;
use crate::{
    admin::catalog::CreateProduct,
    catalog::edit::{Price, MAX_BRAND, MAX_DESCRIPTION, MAX_NAME, MAX_STARTING_STOCK},
    components::{field_error, textarea_text, Enhance, Then},
    flash::FormState,
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use leptos_meta::Title;
use server_fn::ServerFn;

/// `/admin/products/new`: a product in Korean, and in English if given.
/// It opens on sale; its picture is added on its own page.
#[component]
pub fn NewProductPage() -> impl IntoView {
    let locale = Locale::current();
    // A refused form comes back as it was typed, the message by its field.
    let state = FormState::of(CreateProduct::PATH);
    view! {
        <Title text=td_string!(locale, admin.new_product) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.new_product)}</h1>
            <Enhance then=Then::Open next="/admin/products/".to_string()>
                <form method="post" action=CreateProduct::url() class="admin-form" data-testid="new-product">
                    <label>
                        {td_string!(locale, admin.sku)}
                        <input type="text" name="sku" required maxlength="40" pattern="[A-Za-z0-9_\\-]{1,40}" autocomplete="off"
                            value=state.typed("sku") aria-invalid=state.invalid("sku") aria-describedby=state.described_by("sku") />
                    </label>
                    {field_error(&state, "sku")}
                    <label>
                        {td_string!(locale, admin.name_ko)}
                        <input type="text" name="name" required maxlength=MAX_NAME lang="ko"
                            value=state.typed("name") aria-invalid=state.invalid("name") aria-describedby=state.described_by("name") />
                    </label>
                    {field_error(&state, "name")}
                    <label>
                        {td_string!(locale, admin.name_en)}
                        <input type="text" name="name_en" maxlength=MAX_NAME lang="en"
                            value=state.typed("name_en") aria-invalid=state.invalid("name_en") aria-describedby=state.described_by("name_en") />
                    </label>
                    {field_error(&state, "name_en")}
                    <label>
                        {td_string!(locale, admin.brand)}
                        <input type="text" name="brand" required maxlength=MAX_BRAND
                            value=state.typed("brand") aria-invalid=state.invalid("brand") aria-describedby=state.described_by("brand") />
                    </label>
                    {field_error(&state, "brand")}
                    <label>
                        {td_string!(locale, admin.description_ko)}
                        <textarea name="description" rows="4" maxlength=MAX_DESCRIPTION lang="ko"
                            aria-invalid=state.invalid("description") aria-describedby=state.described_by("description")>
                            {textarea_text(&state.typed("description").unwrap_or_default())}
                        </textarea>
                    </label>
                    {field_error(&state, "description")}
                    <label>
                        {td_string!(locale, admin.description_en)}
                        <textarea name="description_en" rows="4" maxlength=MAX_DESCRIPTION lang="en"
                            aria-invalid=state.invalid("description_en") aria-describedby=state.described_by("description_en")>
                            {textarea_text(&state.typed("description_en").unwrap_or_default())}
                        </textarea>
                    </label>
                    {field_error(&state, "description_en")}
                    <label>
                        {td_string!(locale, admin.price_won)}
                        <input type="number" name="price" required min=Price::MIN max=Price::MAX step="1" inputmode="numeric"
                            value=state.typed("price") aria-invalid=state.invalid("price") aria-describedby=state.described_by("price") />
                    </label>
                    {field_error(&state, "price")}
                    <label>
                        {td_string!(locale, admin.starting_stock)}
                        <input type="number" name="stock" required min="0" max=MAX_STARTING_STOCK step="1" inputmode="numeric"
                            value=state.value_or("stock", 0) aria-invalid=state.invalid("stock") aria-describedby=state.described_by("stock") />
                    </label>
                    {field_error(&state, "stock")}
                    <button type="submit">{td_string!(locale, admin.create)}</button>
                </form>
            </Enhance>
        </section>
    }
}
