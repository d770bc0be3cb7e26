use crate::{
    addresses::{
        list_addresses, AddAddress, Address, AddressBook, MakeDefaultAddress, RemoveAddress,
        ShippingAddress, UpdateAddress, PAGE,
    },
    components::ErrorNotice,
    flash::{error_id, FormState},
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// `/account/addresses?edit&next`: my address book (배송지 관리): each
/// address with its forms (make it the default, remove it, edit it with
/// `?edit=ID`), and a form for a new one. Plain forms: all of it works
/// without JavaScript. `next` (checkout's link here) is where a new
/// address leads back to.
#[component]
pub fn AddressesPage() -> impl IntoView {
    let locale = Locale::current();
    let (edit, next) = use_query_map().with_untracked(|q| (q.get("edit"), q.get("next")));
    let book = OnceResource::new(list_addresses());
    view! {
        <Title text=td_string!(locale, addresses.title) />
        <Meta name="description" content=td_string!(locale, addresses.description) />
        <section class="addresses-page">
            <h1>{td_string!(locale, addresses.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
                {Suspend::new(async move {
                    match book.await {
                        Ok(book) => view! { <Book book edit=edit.clone() next=next.clone() /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Book(book: AddressBook, edit: Option<String>, next: Option<String>) -> impl IntoView {
    let locale = Locale::current();
    let full = book.items.len() >= book.max;
    let editing = edit.and_then(|id| id.trim().parse::<i64>().ok());
    view! {
        {book.items.is_empty().then(|| view! {
            <p class="empty" data-testid="no-addresses">{td_string!(locale, addresses.none_yet)}</p>
        })}
        <ul class="address-list" data-testid="address-list">
            {book
                .items
                .into_iter()
                .map(|address| {
                    let edit_this = editing == Some(address.address_id.0);
                    view! { <AddressCard address edit_this /> }
                })
                .collect_view()}
        </ul>
        {if full {
            view! { <p class="hint" data-testid="address-book-full">{td_string!(locale, addresses.full, max = book.max)}</p> }.into_any()
        } else {
            view! { <NewAddress next /> }.into_any()
        }}
        <p><a href="/account">{td_string!(locale, addresses.back_to_account)}</a></p>
    }
}

#[component]
fn AddressCard(address: Address, edit_this: bool) -> impl IntoView {
    let locale = Locale::current();
    let id = address.address_id.0;
    let name = match address.label.is_empty() {
        true => address.to.recipient.clone(),
        false => address.label.clone(),
    };
    let remove_label = td_string!(locale, addresses.remove_named, name = &name).to_string();
    let default_label = td_string!(locale, addresses.make_default_named, name = &name).to_string();
    let edit_label = td_string!(locale, addresses.edit_named, name = &name).to_string();
    view! {
        <li class="address-card" data-testid="address" data-address-id=id data-default=address.is_default.to_string()>
            <p>
                <strong data-testid="address-name">{name.clone()}</strong>
                {address.is_default.then(|| view! {
                    " " <span class="badge" data-testid="default-badge">{td_string!(locale, addresses.default_badge)}</span>
                })}
            </p>
            <p data-testid="address-recipient">
                {address.to.recipient.clone()} " · " {address.to.phone.as_str().to_string()}
            </p>
            <p data-testid="address-line">{address.to.one_line()}</p>
            {(!address.to.memo.is_empty()).then(|| view! {
                <p class="hint" data-testid="address-memo">{address.to.memo.clone()}</p>
            })}
            <div class="address-card__actions">
                <a href=format!("{PAGE}?edit={id}") aria-label=edit_label data-testid="edit-address">
                    {td_string!(locale, addresses.edit)}
                </a>
                {(!address.is_default).then(|| view! {
                    <form method="post" action=MakeDefaultAddress::url()>
                        <input type="hidden" name="address_id" value=id />
                        <button type="submit" aria-label=default_label data-testid="make-default">
                            {td_string!(locale, addresses.make_default)}
                        </button>
                    </form>
                })}
                <form method="post" action=RemoveAddress::url()>
                    <input type="hidden" name="address_id" value=id />
                    <button type="submit" aria-label=remove_label data-testid="remove-address">
                        {td_string!(locale, addresses.remove)}
                    </button>
                </form>
            </div>
            {edit_this.then(|| {
                let is_default = address.is_default;
                view! {
                    <form method="post" action=UpdateAddress::url() class="address-form" data-testid="edit-address-form">
                        <input type="hidden" name="address_id" value=id />
                        <AddressFields action=UpdateAddress::PATH label=address.label.clone() to=Some(address.to.clone()) />
                        {(!is_default).then(|| view! { <DefaultBox /> })}
                        <button type="submit" data-testid="save-address">{td_string!(locale, addresses.save)}</button>
                    </form>
                }
            })}
        </li>
    }
}

/// The form for a new address; the first one is the default anyway.
#[component]
pub fn NewAddress(next: Option<String>) -> impl IntoView {
    let locale = Locale::current();
    view! {
        <section class="address-new" aria-labelledby="new-address-heading">
            <h2 id="new-address-heading">{td_string!(locale, addresses.add_heading)}</h2>
            <form method="post" action=AddAddress::url() class="address-form" data-testid="add-address-form">
                {next.map(|next| view! { <input type="hidden" name="next" value=crate::url::safe_next(Some(&next)) /> })}
                <AddressFields action=AddAddress::PATH label=String::new() to=None />
                <DefaultBox />
                <button type="submit" data-testid="add-address">{td_string!(locale, addresses.add)}</button>
            </form>
        </section>
    }
}

#[component]
fn DefaultBox() -> impl IntoView {
    let locale = Locale::current();
    view! {
        <label class="checkbox">
            <input type="checkbox" name="is_default" value="true" data-testid="address-default" />
            {td_string!(locale, addresses.make_it_default)}
        </label>
    }
}

/// The fields of an address, as shown (`to`) or as typed when the form
/// came back refused, each with its message.
#[component]
fn AddressFields(
    action: &'static str,
    label: String,
    to: Option<ShippingAddress>,
) -> impl IntoView {
    let locale = Locale::current();
    let form = FormState::of(action);
    let shown = |name: &str| -> String {
        let value = match (name, to.as_ref()) {
            ("label", _) => label.clone(),
            (_, None) => String::new(),
            ("recipient", Some(t)) => t.recipient.clone(),
            ("phone", Some(t)) => t.phone.as_str().to_string(),
            ("postal_code", Some(t)) => t.postal_code.as_str().to_string(),
            ("address1", Some(t)) => t.address1.clone(),
            ("address2", Some(t)) => t.address2.clone(),
            ("memo", Some(t)) => t.memo.clone(),
            _ => String::new(),
        };
        form.value_or(name, value)
    };
    let field = |name: &'static str,
                 text: &'static str,
                 required: bool,
                 max: usize,
                 autocomplete: &'static str,
                 hint: Option<&'static str>| {
        let error = form.error(name);
        view! {
            <label>
                {text}
                <input type="text" name=name value=shown(name) required=required maxlength=max
                    autocomplete=autocomplete aria-invalid=form.invalid(name)
                    aria-describedby=form.described_by(name) data-testid=format!("address-{name}") />
            </label>
            {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
            {error.map(|e| view! { <p class="field-error" id=error_id(name) role="alert">{e}</p> })}
        }
    };
    view! {
        {field("label", td_string!(locale, addresses.label), false, Address::MAX_LABEL, "off", Some(td_string!(locale, addresses.label_hint)))}
        {field("recipient", td_string!(locale, addresses.recipient), true, ShippingAddress::MAX_RECIPIENT, "name", None)}
        {field("phone", td_string!(locale, addresses.phone), true, 13, "tel", Some(td_string!(locale, addresses.phone_hint)))}
        {field("postal_code", td_string!(locale, addresses.postal_code), true, 5, "postal-code", None)}
        {field("address1", td_string!(locale, addresses.address1), true, ShippingAddress::MAX_ADDRESS1, "address-line1", None)}
        {field("address2", td_string!(locale, addresses.address2), false, ShippingAddress::MAX_ADDRESS2, "address-line2", None)}
        {field("memo", td_string!(locale, addresses.memo), false, ShippingAddress::MAX_MEMO, "off", Some(td_string!(locale, addresses.memo_hint)))}
    }
}
