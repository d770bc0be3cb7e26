use super::AdminNav;
use crate::{
    admin::catalog::CreateProduct,
    catalog::edit::{Price, MAX_BRAND, MAX_DESCRIPTION, MAX_NAME, MAX_STARTING_STOCK},
    components::{Enhance, Then},
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
    view! {
        <Title text=td_string!(locale, admin.new_product) />
        <section class="admin">
            <AdminNav />
            <h1>{td_string!(locale, admin.new_product)}</h1>
            <Enhance then=Then::Open next="/admin/products/".to_string()>
                <form method="post" action=CreateProduct::url() class="admin-form" data-testid="new-product">
                    <label>
                        {td_string!(locale, admin.sku)}
                        <input type="text" name="sku" required maxlength="40" pattern="[A-Za-z0-9_\\-]{1,40}" autocomplete="off" />
                    </label>
                    <label>
                        {td_string!(locale, admin.name_ko)}
                        <input type="text" name="name" required maxlength=MAX_NAME lang="ko" />
                    </label>
                    <label>
                        {td_string!(locale, admin.name_en)}
                        <input type="text" name="name_en" maxlength=MAX_NAME lang="en" />
                    </label>
                    <label>
                        {td_string!(locale, admin.brand)}
                        <input type="text" name="brand" required maxlength=MAX_BRAND />
                    </label>
                    <label>
                        {td_string!(locale, admin.description_ko)}
                        <textarea name="description" rows="4" maxlength=MAX_DESCRIPTION lang="ko"></textarea>
                    </label>
                    <label>
                        {td_string!(locale, admin.description_en)}
                        <textarea name="description_en" rows="4" maxlength=MAX_DESCRIPTION lang="en"></textarea>
                    </label>
                    <label>
                        {td_string!(locale, admin.price_won)}
                        <input type="number" name="price" required min=Price::MIN max=Price::MAX step="1" inputmode="numeric" />
                    </label>
                    <label>
                        {td_string!(locale, admin.starting_stock)}
                        <input type="number" name="stock" required min="0" max=MAX_STARTING_STOCK step="1" value="0" inputmode="numeric" />
                    </label>
                    <button type="submit">{td_string!(locale, admin.create)}</button>
                </form>
            </Enhance>
        </section>
    }
}
