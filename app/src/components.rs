//! Pieces shared by several pages.

use crate::{
    accounts::use_auth,
    cart::{use_cart, AddToCart},
    catalog::{
        variants::{Choice, Choices},
        Product, ProductId, Quantity, VariantId,
    },
    error::{AppError, ErrorCode, Problem},
    flash::{self, Flash, FormState, Tone},
    likes::{like_action, like_attributes, like_label, LikeForm, LikeLink},
    locale::{td_string, Locale},
    money::{show_points, Won},
    web::{self, FormRef, Outgoing},
};
use leptos::{either::Either, ev::SubmitEvent, prelude::*, task::spawn_local};
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;
use std::future::IntoFuture;

// The islands: the only parts of a page that hydrate. Everything else is
// server HTML. `ShopState` holds what they share, `Live` shows it, and
// `Enhance` sends the forms inside it with `fetch` (see `web`).

/// What the islands share in the browser: the cart's count and the
/// balance, so one that changes them is seen by the header's.
#[derive(Clone, Copy)]
struct Shared {
    cart_count: RwSignal<Option<i64>>,
    balance: RwSignal<Option<i64>>,
}

/// The island around every page, providing [`Shared`] to the islands in it.
#[island]
pub fn ShopState(children: Children) -> impl IntoView {
    provide_context(Shared {
        cart_count: RwSignal::new(None),
        balance: RwSignal::new(None),
    });
    children()
}

/// A shared value a [`Live`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveValue {
    CartCount,
    Balance,
}

/// `value` as the server rendered it; it changes without a reload when
/// an island changes it.
#[island]
pub fn Live(what: LiveValue, value: i64) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let signal = match what {
        LiveValue::CartCount => shared.cart_count,
        LiveValue::Balance => shared.balance,
    };
    if signal.get_untracked().is_none() {
        signal.set(Some(value));
    }
    let locale = Locale::current();
    move || {
        let value = signal.get().unwrap_or(value);
        match what {
            LiveValue::CartCount => value.to_string(),
            LiveValue::Balance => show_points(value, locale),
        }
    }
}

/// What an [`Enhance`]d form does once the server said yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Then {
    /// Say "Added ✓" (add to cart).
    SayAdded,
    /// Say what was charged (the points page).
    SayCharged,
    /// Open the order placed (checkout).
    OpenOrder,
    /// Go on to the page `next` (login, signup, the admin's forms).
    GoOn,
    /// Open what was just made: `next` followed by its `id` (a new product).
    Open,
    /// Nothing more than the refresh (the cart page).
    Stay,
    /// Show the like at once, then as the server has it; roll it back if
    /// refused (the like button).
    Like,
}

impl Then {
    /// What the form says while it is on its way (the like button shows
    /// the click itself).
    fn pending(self, locale: Locale) -> Option<&'static str> {
        match self {
            Then::SayAdded => Some(td_string!(locale, islands.adding)),
            Then::SayCharged => Some(td_string!(locale, islands.charging)),
            Then::OpenOrder => Some(td_string!(locale, islands.placing)),
            Then::GoOn | Then::Open => Some(td_string!(locale, islands.one_moment)),
            Then::Stay => Some(td_string!(locale, islands.updating)),
            Then::Like => None,
        }
    }
}

/// Sends the forms inside it with `fetch`, as they would post without JS,
/// once at a time; the shared count and balance follow the answer. Then
/// `then` (with `next`, the page to go on to); `refresh` names an element
/// of this page to fetch again from the server afterwards (after a refused
/// order too: the form must show today's prices under a fresh key). A
/// refusal is said where it belongs: next to the field or the order line
/// it is about, else under the forms (`alert_id` is the message's
/// `data-testid`). A product's options inside it ([`VariantChoice`]) show
/// the variant picked as they change (`web::pick_variant`).
#[island]
pub fn Enhance(
    then: Then,
    #[prop(optional)] next: Option<String>,
    #[prop(optional)] refresh: Option<String>,
    #[prop(optional)] alert_id: Option<String>,
    children: Children,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let locale = Locale::current();
    let busy = RwSignal::new(false);
    let said = RwSignal::new(Vec::<Message>::new());
    let on_submit = move |ev: SubmitEvent| {
        let Some(form) = Outgoing::take(&ev) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        web::clear_alerts();
        let (next, refresh, alert_id) = (next.clone(), refresh.clone(), alert_id.clone());
        let shown = form.form.clone();
        let before = (then == Then::Like).then(|| like_shown(&shown));
        if let Some((liked, count)) = before {
            show_like(
                &shown,
                !liked,
                (count + if liked { -1 } else { 1 }).max(0),
                locale,
            );
        }
        spawn_local(async move {
            let messages = match form.send().await {
                Ok(answer) => {
                    // A page loaded next shows the count and the balance
                    // itself: an answer's `points` (an admin form's is a
                    // customer's balance) never reaches the header then.
                    match (then, answer.order_id, next) {
                        // Still busy while the next page loads.
                        (Then::GoOn, _, Some(next)) => return web::go_to(&next),
                        // Awaiting its payment: on to the payment service.
                        (Then::OpenOrder, Some(order), _) => {
                            let page = answer.redirect_url.clone();
                            return web::go_to(&page.unwrap_or_else(|| format!("/orders/{order}")));
                        }
                        (Then::Open, _, Some(next)) if answer.id.is_some() => {
                            return web::go_to(&format!("{next}{}", answer.id.unwrap_or_default()))
                        }
                        _ => {}
                    }
                    if let (Some(liked), Some(count)) = (answer.liked, answer.like_count) {
                        show_like(&shown, liked, count, locale);
                    }
                    if let Some(count) = answer.item_count {
                        shared.cart_count.set(Some(count));
                    }
                    if let Some(points) = answer.points {
                        shared.balance.set(Some(points));
                    }
                    if let Some(id) = &refresh {
                        web::refresh(id).await;
                    }
                    Message::done(then, &answer, locale).into_iter().collect()
                }
                Err(error) => {
                    if let Some((liked, count)) = before {
                        show_like(&shown, liked, count, locale);
                    }
                    if let (Some(id), Then::OpenOrder) = (&refresh, then) {
                        web::refresh(id).await;
                    }
                    refused(&error, &shown, alert_id, locale)
                }
            };
            said.set(messages);
            busy.set(false);
        });
    };
    view! {
        <div class="enhanced" aria-busy=move || busy.get().to_string() on:submit=on_submit on:change=web::pick_variant>
            {children()}
            {move || {
                busy.get()
                    .then(|| then.pending(locale))
                    .flatten()
                    .map(|text| view! { <p class="notice pending" role="status">{text}</p> })
            }}
            {move || {
                said.get()
                    .into_iter()
                    .map(|m| {
                        view! {
                            <p class=m.class role=m.role data-testid=m.test_id>
                                {m.text}
                                {m.link.map(|(href, label)| view! { <a href=href>{label}</a> })}
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

/// The like state a like button shows.
fn like_shown(form: &FormRef) -> (bool, i64) {
    let liked = form.button_attribute("aria-pressed").as_deref() == Some("true");
    let count = form
        .button_attribute("data-count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (liked, count)
}

/// Shows a like state on a like button, as the server would render it.
fn show_like(form: &FormRef, liked: bool, count: i64, locale: Locale) {
    let count_text = count.to_string();
    let [pressed, title] = like_attributes(liked, locale);
    form.show(
        like_action(liked),
        &[pressed, title, ("data-count", &count_text)],
        &like_label(liked, count),
    );
}

/// The like button: a form for a logged-in shopper, a link for a guest.
#[component]
pub fn LikeButton(
    product_id: ProductId,
    liked: bool,
    like_count: i64,
    logged_in: bool,
) -> impl IntoView {
    if logged_in {
        view! {
            <div class="like">
                <Enhance then=Then::Like>
                    <LikeForm product_id liked like_count />
                </Enhance>
            </div>
        }
        .into_any()
    } else {
        view! { <LikeLink liked like_count /> }.into_any()
    }
}

/// A message under the forms of an [`Enhance`].
#[derive(Debug, Clone, PartialEq)]
struct Message {
    class: &'static str,
    role: &'static str,
    test_id: Option<String>,
    text: String,
    link: Option<(&'static str, &'static str)>,
}

impl Message {
    fn new(class: &'static str, role: &'static str, test_id: Option<String>, text: String) -> Self {
        Self {
            class,
            role,
            test_id,
            text,
            link: None,
        }
    }

    /// What a form says when the server said yes.
    fn done(then: Then, answer: &web::Answer, locale: Locale) -> Option<Self> {
        Some(match (then, answer.charged, answer.points) {
            (Then::SayAdded, ..) => Self::new(
                "added",
                "status",
                None,
                td_string!(locale, islands.added).to_string(),
            ),
            (Then::SayCharged, Some(charged), Some(points)) => Self::new(
                "notice notice--ok",
                "status",
                Some("charge-ok".to_string()),
                crate::points::charged_message(charged, points, locale),
            ),
            _ => return None,
        })
    }
}

/// Says a refusal: beside the field or the order lines it is about (the
/// page's own HTML, found by name), and under the forms what is left of
/// it: the points an order lacks, and the message unless it is beside its
/// field.
fn refused(
    error: &AppError,
    form: &FormRef,
    alert_id: Option<String>,
    locale: Locale,
) -> Vec<Message> {
    let mut said = Vec::new();
    // A field of the form sent, if the shopper can see it, gets the
    // message beside it.
    let beside_field = error.field().is_some_and(|field| {
        let input = format!("input[name=\"{field}\"]:not([type=hidden])");
        let mut attributes = vec![("data-field", field)];
        attributes.extend(alert_id.as_deref().map(|id| ("data-testid", id)));
        web::add_alert(Some(form), &input, false, &attributes, &error.message)
    });
    let about_an_order = !problems(error).is_empty();
    if let Some(shortfall) = problems(error).iter().find_map(|p| p.shortfall) {
        said.push(Message {
            link: Some(("/points", td_string!(locale, islands.charge_points))),
            ..Message::new(
                "field-error",
                "alert",
                Some("points-error".to_string()),
                td_string!(
                    locale,
                    islands.points_short,
                    shortfall = show_points(shortfall, locale)
                )
                .to_string(),
            )
        });
    }
    for (product, message) in line_problems(error, locale) {
        let line = format!("[data-product-id=\"{product}\"] .cart-line__info");
        // The lines of the page (the form sent may have been fetched again).
        web::add_alert(
            None,
            &line,
            true,
            &[("data-testid", "line-error")],
            &message,
        );
    }
    if !beside_field {
        let text = match about_an_order {
            true => {
                td_string!(locale, islands.nothing_charged, message = &error.message).to_string()
            }
            false => error.message.clone(),
        };
        said.push(Message::new(
            "notice notice--error",
            "alert",
            alert_id,
            text,
        ));
    }
    said
}

fn problems(error: &AppError) -> &[Problem] {
    error
        .details
        .as_ref()
        .and_then(|d| d.problems.as_deref())
        .unwrap_or_default()
}

/// What a refused order found wrong with each line, by product.
fn line_problems(error: &AppError, locale: Locale) -> Vec<(i64, String)> {
    let mut lines: Vec<(i64, String)> = Vec::new();
    for problem in problems(error) {
        let message = match (problem.code, problem.left, problem.sent, problem.price) {
            (ErrorCode::InsufficientStock, Some(0), ..) => {
                td_string!(locale, islands.line_sold_out).to_string()
            }
            (ErrorCode::InsufficientStock, Some(left), ..) => {
                td_string!(locale, islands.line_only_left, left).to_string()
            }
            (ErrorCode::PriceChanged, _, Some(sent), Some(price)) => td_string!(
                locale,
                islands.line_price_changed,
                sent = Won(sent).show(locale),
                price = Won(price).show(locale)
            )
            .to_string(),
            _ => continue,
        };
        let Some(product) = problem.product_id else {
            continue;
        };
        match lines.iter_mut().find(|(p, _)| *p == product) {
            Some((_, text)) => {
                text.push(' ');
                text.push_str(&message);
            }
            None => lines.push((product, message)),
        }
    }
    lines
}

/// What the last form posted without JavaScript did, said once at the top
/// of the next page: `role="status"` for a success, `role="alert"` for a
/// refusal. A refusal about a field links to its message beside the field.
#[component]
pub fn FlashNotice() -> impl IntoView {
    Flash::current().map(|flash| {
        let (class, role, tone) = match flash.tone {
            Tone::Done => ("notice notice--ok flash", "status", "done"),
            Tone::Refused => ("notice notice--error flash", "alert", "refused"),
        };
        let text = match flash.field.filter(|_| flash.tone == Tone::Refused) {
            Some(field) => Either::Left(view! {
                <a href=format!("#{}", flash::error_id(&field))>{flash.text}</a>
            }),
            None => Either::Right(flash.text),
        };
        view! { <p class=class role=role data-testid="flash" data-tone=tone>{text}</p> }
    })
}

/// The message beside the field `name` of a form that came back refused
/// (its input names it in `aria-describedby`), as the islands put one.
pub fn field_error(state: &FormState, name: &'static str) -> impl IntoView {
    state.error(name).map(|text| {
        view! {
            <p class="field-error" id=flash::error_id(name) data-field=name>{text}</p>
        }
    })
}

/// The text of a `<textarea>`, escaped. tachys 0.2.19 writes the children
/// of `textarea` (as of `script`, `style` and `noscript`: its
/// `ESCAPE_CHILDREN` is false for them) into the page as they are, so a
/// description holding `</textarea><script>` would close the field and
/// run. The browser reads the references back: the field shows the text
/// as stored. Only the server renders these forms (no island holds one).
pub fn textarea_text(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

/// "Add to cart", with a quantity picker on the product page. A product
/// with options names the variant chosen; none chosen yet, the button
/// says to choose (`unchosen`).
#[component]
pub fn AddToCartForm(
    product_id: ProductId,
    #[prop(default = None)] variant_id: Option<VariantId>,
    #[prop(optional)] with_quantity: bool,
    #[prop(optional)] sold_out: bool,
    #[prop(optional)] unchosen: bool,
) -> impl IntoView {
    view! {
        <Enhance then=Then::SayAdded>
            <AddToCartFields product_id variant_id with_quantity sold_out unchosen />
        </Enhance>
    }
}

/// [`AddToCartForm`]'s form, for an [`Enhance`] that holds more.
#[component]
fn AddToCartFields(
    product_id: ProductId,
    variant_id: Option<VariantId>,
    with_quantity: bool,
    sold_out: bool,
    unchosen: bool,
) -> impl IntoView {
    let locale = Locale::current();
    view! {
            <form method="post" action=AddToCart::url() class="add-to-cart">
                <input type="hidden" name="product_id" value=product_id.to_string() />
                {(variant_id.is_some() || unchosen).then(|| view! {
                    <input type="hidden" name="variant_id" data-testid="variant-id" value=variant_id.map(|v| v.to_string()).unwrap_or_default() />
                })}
                {with_quantity.then(|| view! {
                    <label class="quantity">
                        {td_string!(locale, common.quantity)}
                        <input type="number" name="quantity" value="1" min=Quantity::MIN max=Quantity::MAX step="1" required inputmode="numeric" />
                    </label>
                })}
                <button type="submit" data-testid="add-to-cart" disabled=sold_out || unchosen>
                    {add_label(sold_out, unchosen, locale)}
                </button>
            </form>
    }
}

/// What the add-to-cart button says.
fn add_label(sold_out: bool, unchosen: bool, locale: Locale) -> &'static str {
    if unchosen {
        td_string!(locale, catalog.choose_options)
    } else if sold_out {
        td_string!(locale, common.sold_out)
    } else {
        td_string!(locale, common.add_to_cart)
    }
}

/// The price shown for a variant: its own, with what it adds to the
/// lowest ("+5,000원"); none chosen, "from" the lowest.
fn variant_price(
    choices: &Choices,
    chosen: Option<&crate::catalog::Variant>,
    locale: Locale,
) -> String {
    let lowest = choices.lowest_price().unwrap_or_default();
    match chosen {
        Some(v) if v.price > lowest => format!(
            "{} (+{})",
            v.price.show(locale),
            Won(v.price.get() - lowest.get()).show(locale)
        ),
        Some(v) => v.price.show(locale),
        None if choices.prices_differ() => {
            td_string!(locale, catalog.price_from, price = lowest.show(locale)).to_string()
        }
        None => lowest.show(locale),
    }
}

/// Where the choice stands for the add-to-cart button: (sold out,
/// nothing chosen yet). Nothing chosen of a product none of whose
/// variants can be bought is sold out, not a choice to make.
fn choice_state(choices: &Choices, chosen: Option<&crate::catalog::Variant>) -> (bool, bool) {
    match chosen {
        Some(v) => (!v.buyable(), false),
        None if !choices.variants.iter().any(|v| v.buyable()) => (true, false),
        None => (false, true),
    }
}

/// What the stock line says of a variant (none chosen: to choose), and
/// whether it says sold out.
fn variant_stock(
    choices: &Choices,
    chosen: Option<&crate::catalog::Variant>,
    locale: Locale,
) -> (String, bool) {
    match (chosen, choice_state(choices, chosen)) {
        (_, (true, _)) => (td_string!(locale, common.sold_out).to_string(), true),
        (Some(v), _) => (
            td_string!(locale, catalog.left_in_stock, count = v.stock).to_string(),
            false,
        ),
        (None, _) => (
            td_string!(locale, catalog.choose_options).to_string(),
            false,
        ),
    }
}

/// A product's options as radio buttons, one fieldset per option, with
/// the chosen variant's price, stock and add-to-cart, all server HTML.
/// Without JS the options form reloads the page with the choice
/// (`?o0=270`); with it the [`Enhance`] island around them shows the
/// variant as soon as options are picked and puts it in the add-to-cart
/// form. Sold-out values
/// are shown and disabled for the other options as chosen.
#[component]
pub fn VariantChoice(product_id: ProductId, choices: Choices, choice: Choice) -> impl IntoView {
    let locale = Locale::current();
    let chosen = choices.chosen(&choice);
    let shown = picker_row(&choices, chosen, locale);
    let rows: Vec<String> = choices
        .variants
        .iter()
        .map(|v| picker_row(&choices, Some(v), locale).to_row())
        .collect();
    let none = picker_row(&choices, None, locale).to_row();
    let fieldsets = choices
        .options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let values = option
                .values
                .iter()
                .map(|value| {
                    let buyable = choices.value_buyable(&choice, i, value);
                    let checked = choice.get(i).and_then(Option::as_ref) == Some(value);
                    view! {
                        <label class="option-value">
                            <input type="radio" name=format!("o{i}") value=value.clone() checked=checked disabled=!buyable />
                            <span>{value.clone()}</span>
                            <span class="option-value__out" hidden=buyable>{td_string!(locale, common.sold_out)}</span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="variant-option" data-testid=format!("option-{i}")>
                    <legend>{option.name.clone()}</legend>
                    {values}
                </fieldset>
            }
        })
        .collect_view();
    let (sold_out, unchosen) = choice_state(&choices, chosen);
    let variant_id = chosen.map(|v| v.variant_id);
    view! {
        // One island for the options and the add-to-cart form: it sends the
        // form, and shows the variant as options are picked.
        <Enhance then=Then::SayAdded>
            <form method="get" action=format!("/products/{product_id}") class="variant-options"
                data-variants=rows.join("\n") data-none=none>
                {fieldsets}
                // Picking shows the variant at once with JS; without, this shows it.
                <noscript>
                    <button type="submit" class="variant-apply">{td_string!(locale, catalog.apply_options)}</button>
                </noscript>
            </form>
            <p class="product-detail__price" data-testid="price" aria-live="polite">{shown.price}</p>
            <p class="stock" class:stock--out=shown.stock_out data-testid="stock" aria-live="polite">{shown.stock}</p>
            <AddToCartFields product_id variant_id with_quantity=true sold_out unchosen />
        </Enhance>
    }
}

/// What a product page shows for a variant (`None`: none chosen yet), as
/// the server words it in the shopper's language.
struct PickerRow {
    variant_id: String,
    values: Vec<String>,
    price: String,
    stock: String,
    stock_out: bool,
    can_add: bool,
    add_label: &'static str,
}

impl PickerRow {
    /// One line of the options form's `data-variants` (or its `data-none`),
    /// as `web::pick_variant` reads it: tab-separated fields, the values
    /// separated by U+001F (no option text holds a control character).
    fn to_row(&self) -> String {
        let flags = match (self.can_add, self.stock_out) {
            (true, true) => "ao",
            (true, false) => "a",
            (false, true) => "o",
            (false, false) => "",
        };
        [
            self.variant_id.as_str(),
            &self.values.join("\u{1f}"),
            &self.price,
            &self.stock,
            flags,
            self.add_label,
        ]
        .join("\t")
    }
}

fn picker_row(
    choices: &Choices,
    chosen: Option<&crate::catalog::Variant>,
    locale: Locale,
) -> PickerRow {
    let (sold_out, unchosen) = choice_state(choices, chosen);
    let (stock, stock_out) = variant_stock(choices, chosen, locale);
    PickerRow {
        variant_id: chosen.map(|v| v.variant_id.to_string()).unwrap_or_default(),
        values: chosen
            .map(|v| {
                choices
                    .choice_of(v)
                    .into_iter()
                    .map(Option::unwrap_or_default)
                    .collect()
            })
            .unwrap_or_default(),
        price: variant_price(choices, chosen, locale),
        stock,
        stock_out,
        can_add: !(sold_out || unchosen),
        add_label: add_label(sold_out, unchosen, locale),
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let auth = use_auth();
    let cart = use_cart();
    let locale = Locale::current();
    let here = this_page();
    // One boundary for both: the links are built once the cart and the
    // login state are in.
    let links = Suspend::new(async move {
        let (cart, user) = futures::join!(cart.cart.into_future(), auth.user.into_future());
        let count = cart.map(|c| c.item_count).unwrap_or(0);
        let who = match user {
            Ok(user) => Either::Left(view! {
                <a href="/account" class="who" data-testid="current-user">
                    {user.login_id}
                </a>
                <a href="/points" class="balance" data-testid="balance" title=td_string!(locale, common.your_points)>
                    <Live what=LiveValue::Balance value=user.points />
                </a>
                {user.role.map(|_| view! {
                    <a href="/admin" data-testid="admin-link">{td_string!(locale, common.admin)}</a>
                })}
                <LogoutButton locale />
            }),
            Err(_) => Either::Right(view! {
                <a href="/login">{td_string!(locale, common.log_in)}</a>
                <a href="/signup">{td_string!(locale, common.sign_up)}</a>
            }),
        };
        view! {
            <a href="/">{td_string!(locale, common.shop)}</a>
            <a href="/likes">{td_string!(locale, common.likes)}</a>
            <a href="/coupons">{td_string!(locale, coupons.coupons)}</a>
            <a href="/cart" class="cart-link">
                {td_string!(locale, common.cart)}
                " "
                <span class="cart-count" data-testid="cart-count">
                    <Live what=LiveValue::CartCount value=count />
                </span>
            </a>
            {who}
            <LanguageSwitch locale here />
        }
    });
    view! {
        <header class="site-header">
            <a class="logo" href="/">{td_string!(locale, common.shop_name)}</a>
            <nav class="site-nav" aria-label=td_string!(locale, common.main_nav)>
                <Suspense>{links}</Suspense>
            </nav>
        </header>
    }
}

/// This page's path and query, as the language links come back to it.
fn this_page() -> String {
    let location = leptos_router::hooks::use_location();
    // The router's `search` is the query without its `?`.
    let (path, query) = (
        location.pathname.get_untracked(),
        location.search.get_untracked(),
    );
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// Links to this same page in each language of the shop, each written in
/// its own language. Plain links: `/language` remembers the choice in a
/// cookie and comes back here.
///
/// `here` is read when the header is made ([`this_page`]), not inside its
/// suspended part: by the time that runs the router's location may be
/// gone (it panicked so, now and then, on a page rendered for the cache).
#[component]
fn LanguageSwitch(locale: Locale, here: String) -> impl IntoView {
    let link = move |to: Locale| {
        let href = format!(
            "/language?lang={}&next={}",
            to.tag(),
            crate::url::encode(&here)
        );
        view! {
            <a
                href=href
                lang=to.tag()
                hreflang=to.tag()
                aria-current=(to == locale).then_some("true")
                data-testid=format!("language-{}", to.tag())
            >
                {td_string!(to, common.language_name)}
            </a>
        }
    };
    view! {
        <span class="languages" role="group" aria-label=td_string!(locale, common.language)>
            {link(Locale::ko)}
            {link(Locale::en)}
        </span>
    }
}

/// A plain form: logging out loads the home page afresh.
#[component]
fn LogoutButton(locale: Locale) -> impl IntoView {
    view! {
        <form method="post" action="/api/logout" class="logout">
            <input type="hidden" name="next" value="/" />
            <button type="submit" class="link-button">{td_string!(locale, common.log_out)}</button>
        </form>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let locale = Locale::current();
    view! {
        <footer class="site-footer">
            <p>{td_string!(locale, common.footer)}</p>
        </footer>
    }
}

#[component]
pub fn ProductCard(product: Product, logged_in: bool) -> impl IntoView {
    let locale = Locale::current();
    let href = format!("/products/{}", product.id);
    let sold_out = product.sold_out();
    view! {
        <article class="product-card" data-testid="product-card">
            // The picture repeats the name's link; keep it out of the tab order.
            <a href=href.clone() class="product-card__image" tabindex="-1" aria-hidden="true">
                <img src=product.image.clone() alt="" loading="lazy" width="400" height="400" />
            </a>
            <div class="product-card__body">
                <p class="product-card__brand">{product.brand.clone()}</p>
                <h2 class="product-card__name">
                    <a href=href>{product.name.clone()}</a>
                </h2>
                <p class="product-card__price" data-testid="price" data-price=product.price.get()>
                    {match product.has_options {
                        true => td_string!(locale, catalog.price_from, price = product.price.show(locale)).to_string(),
                        false => product.price.show(locale),
                    }}
                </p>
                {match (product.has_options, sold_out) {
                    (true, false) => Some(view! {
                        <a class="button" href=format!("/products/{}", product.id)>{td_string!(locale, catalog.choose_options)}</a>
                    }.into_any()),
                    (false, false) => Some(view! { <AddToCartForm product_id=product.id /> }.into_any()),
                    _ => None,
                }}
                <div class="product-card__meta">
                    {if sold_out {
                        view! { <span class="badge badge--sold-out">{td_string!(locale, common.sold_out)}</span> }.into_any()
                    } else {
                        view! { <span class="stock">{td_string!(locale, common.in_stock, count = product.stock)}</span> }.into_any()
                    }}
                    <LikeButton product_id=product.id liked=product.liked like_count=product.like_count logged_in />
                </div>
            </div>
        </article>
    }
}

/// The points an order lacks, with the way to charge them (the cart and
/// the checkout say it alike).
#[component]
pub fn PointsShort(short: i64, locale: Locale) -> impl IntoView {
    view! {
        <p class="field-error" data-testid="points-short">
            {td_string!(locale, cart.need_more, points = show_points(short, locale))}
            " "
            <a href="/points">{td_string!(locale, common.charge_points)}</a>
        </p>
    }
}

/// The page numbers a pager shows: the first, the last, and two either side
/// of the current one; `None` where numbers are left out. However many
/// pages there are, at most nine entries.
pub fn page_numbers(current: u32, page_count: u32) -> Vec<Option<u32>> {
    let near = current.saturating_sub(2).max(1)..=current.saturating_add(2).min(page_count);
    let mut shown: Vec<u32> = vec![1];
    shown.extend(near);
    shown.push(page_count);
    shown.sort_unstable();
    shown.dedup();
    shown.retain(|p| (1..=page_count).contains(p));
    let mut numbers = Vec::with_capacity(shown.len() * 2);
    for (i, &p) in shown.iter().enumerate() {
        if let Some(&before) = i.checked_sub(1).and_then(|i| shown.get(i)) {
            // A gap of one page shows that page instead of an ellipsis.
            if p == before + 2 {
                numbers.push(Some(before + 1));
            } else if p > before + 2 {
                numbers.push(None);
            }
        }
        numbers.push(Some(p));
    }
    numbers
}

/// Page links with previous and next (see [`page_numbers`]); nothing for a
/// single page.
#[component]
pub fn Pagination(
    current: u32,
    page_count: u32,
    /// The address of page `n`.
    href: impl Fn(u32) -> String + 'static,
    /// What the pages are of (the navigation's name), if not just pages.
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    let locale = Locale::current();
    let label = label.unwrap_or(td_string!(locale, common.pages));
    let link = href;
    (page_count > 1).then(|| {
        view! {
            <nav class="pagination" aria-label=label>
                {(current > 1).then(|| view! { <a href=link(current - 1) rel="prev">{td_string!(locale, common.previous)}</a> })}
                {page_numbers(current, page_count)
                    .into_iter()
                    .map(|p| match p {
                        Some(p) => {
                            let marker = (p == current).then_some("page");
                            Either::Left(view! { <a href=link(p) aria-current=marker class="page-link">{p}</a> })
                        }
                        None => Either::Right(view! { <span class="page-gap">"…"</span> }),
                    })
                    .collect_view()}
                {(current < page_count).then(|| view! { <a href=link(current + 1) rel="next">{td_string!(locale, common.next)}</a> })}
            </nav>
        }
    })
}

/// An error shown where the thing that failed would have been.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div class="notice notice--error" role="alert" data-code=error.code.as_str()>
            {error.message}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{line_problems, page_numbers, refused};
    use crate::{
        error::{AppError, ErrorCode, ErrorDetails, Problem},
        locale::Locale,
        web::FormRef,
    };

    #[test]
    fn a_refused_order_is_said_beside_each_line_and_under_the_form() {
        let error =
            AppError::new(ErrorCode::InsufficientStock, "Not enough.").with_details(ErrorDetails {
                problems: Some(vec![
                    Problem::short_of_stock(7, "Mug", 5, 3),
                    Problem::short_of_points(1_000, 26_000),
                    Problem::price_changed(7, "Mug", 100, 18_000),
                    Problem::short_of_stock(9, "Kettle", 1, 0),
                ]),
                ..ErrorDetails::default()
            });
        assert_eq!(
            line_problems(&error, Locale::en),
            [
                (
                    7,
                    "Only 3 left: lower the quantity in your cart. \
                     The price changed from ₩100 to ₩18,000."
                        .to_string()
                ),
                (
                    9,
                    "Sold out: remove it from your cart to go on.".to_string()
                ),
            ]
        );
        let said = refused(
            &error,
            &FormRef::default(),
            Some("checkout-error".to_string()),
            Locale::en,
        );
        let texts: Vec<(&str, Option<&str>)> = said
            .iter()
            .map(|m| (m.text.as_str(), m.test_id.as_deref()))
            .collect();
        assert_eq!(
            texts,
            [
                ("Your points fell short by 25,000 P. ", Some("points-error")),
                ("Not enough. Nothing was charged.", Some("checkout-error")),
            ]
        );
        assert_eq!(said[0].link, Some(("/points", "Charge points")));

        let korean = line_problems(&error, Locale::ko);
        assert_eq!(
            korean[0].1,
            "3개만 남았습니다. 장바구니에서 수량을 줄여 주세요. \
             가격이 100원에서 18,000원(으)로 바뀌었습니다."
        );
        let said = refused(&error, &FormRef::default(), None, Locale::ko);
        assert_eq!(said[0].text, "포인트가 25,000P 부족합니다. ");
        assert_eq!(said[1].text, "Not enough. 결제된 금액은 없습니다.");
    }

    #[test]
    fn pagers_stay_short_however_many_pages() {
        assert_eq!(page_numbers(1, 1), [Some(1)]);
        assert_eq!(page_numbers(2, 3), [Some(1), Some(2), Some(3)]);
        assert_eq!(
            page_numbers(1, 8_334),
            [Some(1), Some(2), Some(3), None, Some(8_334)]
        );
        assert_eq!(
            page_numbers(500, 8_334),
            [
                Some(1),
                None,
                Some(498),
                Some(499),
                Some(500),
                Some(501),
                Some(502),
                None,
                Some(8_334)
            ]
        );
        assert_eq!(
            page_numbers(5, 7),
            (1..=7).map(Some).collect::<Vec<_>>(),
            "a gap of one page is shown as the page"
        );
        assert_eq!(
            page_numbers(6, 9),
            [
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                Some(9)
            ]
        );
    }
}
