//! The browser side of the islands. An island enhances a form the server
//! rendered: it sends the form with `fetch` exactly as the browser would
//! post it without JS (its action, its fields and the pressed button's),
//! asks for JSON, and reads the answer; a part of the page can be fetched
//! again from the server and swapped in. Without JS the same forms post,
//! and the server redirects back. On the server these do nothing: event
//! handlers never run there.

use crate::error::AppError;
use serde::Deserialize;

/// What the islands read of the server's answers, whichever form was
/// sent: each answer fills the fields it has (one reader for all of them
/// keeps the wasm small).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Answer {
    /// A cart's count of items (cart forms).
    pub item_count: Option<i64>,
    /// The balance after a charge.
    pub points: Option<i64>,
    /// The points just charged.
    pub charged: Option<i64>,
    /// The order just placed.
    pub order_id: Option<i64>,
    /// Where the rest of that order is paid (the payment service's page).
    pub redirect_url: Option<String>,
    /// What was just made (a new product).
    pub id: Option<i64>,
    /// A product's like state (like and unlike).
    pub liked: Option<bool>,
    pub like_count: Option<i64>,
}

/// A form on its way: where it goes, its fields URL-encoded, and the form
/// itself, to show the answer in.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub action: String,
    pub body: String,
    pub form: FormRef,
}

/// The form an [`Outgoing`] was taken from (in the browser).
#[derive(Debug, Clone, Default)]
pub struct FormRef {
    #[cfg(feature = "hydrate")]
    form: Option<web_sys::HtmlFormElement>,
}

impl FormRef {
    /// The attribute `name` of the form's (first) button.
    pub fn button_attribute(&self, name: &str) -> Option<String> {
        #[cfg(feature = "hydrate")]
        {
            self.button()?.get_attribute(name)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = name;
            None
        }
    }

    /// Sets the form's action, and its button's attributes and text.
    pub fn show(&self, action: &str, attributes: &[(&str, &str)], text: &str) {
        #[cfg(feature = "hydrate")]
        if let (Some(form), Some(button)) = (&self.form, self.button()) {
            form.set_action(action);
            for (name, value) in attributes {
                let _ = button.set_attribute(name, value);
            }
            button.set_text_content(Some(text));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (action, attributes, text);
    }

    #[cfg(feature = "hydrate")]
    fn button(&self) -> Option<web_sys::Element> {
        self.form.as_ref()?.query_selector("button").ok().flatten()
    }
}

/// Shows the variant a product page's options pick, on a change inside
/// an `Enhance` island that holds them: the checked radio buttons `o0`, `o1`, … name
/// the values; the options form's `data-variants` holds a line per
/// variant as the server worded it (`id`, values, price, stock, flags `a`
/// can be added and `o` sold out, the button's label; tab-separated) and
/// `data-none` the line for no variant chosen. The price, the stock, the
/// add-to-cart form's `variant_id` and button, and which values can be
/// bought with the others as chosen follow.
pub fn pick_variant(ev: leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(root) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let find = |selector: &str| root.query_selector(selector).ok().flatten();
        let (Some(form), Ok(list)) = (
            find(".variant-options"),
            root.query_selector_all("input[type=radio]"),
        ) else {
            return;
        };
        let (variants, none) = (
            form.get_attribute("data-variants").unwrap_or_default(),
            form.get_attribute("data-none").unwrap_or_default(),
        );
        let rows: Vec<Vec<&str>> = variants
            .split('\n')
            .map(|r| r.split('\t').collect())
            .collect();
        // Each radio button: its option, its value, whether it is checked.
        let radios: Vec<(web_sys::Element, usize, String, bool)> = (0..list.length())
            .filter_map(|n| {
                let radio = list.item(n)?.dyn_into::<web_sys::Element>().ok()?;
                let option = radio.get_attribute("name")?.get(1..)?.parse().ok()?;
                let value = radio.get_attribute("value")?;
                let checked = radio.matches(":checked").unwrap_or(false);
                Some((radio, option, value, checked))
            })
            .collect();
        let options = radios.iter().map(|r| r.1 + 1).max().unwrap_or(0);
        let mut choice = vec![None; options];
        for (_, option, value, checked) in &radios {
            if *checked {
                choice[*option] = Some(value.as_str());
            }
        }
        // Whether a line has the values chosen (but option `skip`'s).
        let fits = |row: &[&str], skip: usize| {
            row.len() == 6
                && row[1].split('\u{1f}').enumerate().all(|(i, value)| {
                    i == skip || choice.get(i).copied().flatten().is_none_or(|c| c == value)
                })
        };
        let none: Vec<&str> = none.split('\t').collect();
        let shown = rows
            .iter()
            .find(|row| choice.iter().all(Option::is_some) && fits(row, usize::MAX))
            .unwrap_or(&none);
        if shown.len() != 6 {
            return;
        }
        let flag = |element: &web_sys::Element, name: &str, on: bool| {
            let _ = if on {
                element.set_attribute(name, "")
            } else {
                element.remove_attribute(name)
            };
        };
        if let Some(price) = find("[data-testid=price]") {
            price.set_text_content(Some(shown[2]));
        }
        if let Some(stock) = find("[data-testid=stock]") {
            stock.set_text_content(Some(shown[3]));
            let out = shown[4].contains('o');
            let _ = stock.set_attribute("class", if out { "stock stock--out" } else { "stock" });
        }
        if let Some(input) = find("input[name=variant_id]") {
            let _ = input.set_attribute("value", shown[0]);
        }
        if let Some(button) = find("[data-testid=add-to-cart]") {
            flag(&button, "disabled", !shown[4].contains('a'));
            button.set_text_content(Some(shown[5]));
        }
        // A value can be bought if a variant that can, with the other
        // options as chosen, has it.
        for (radio, option, value, _) in &radios {
            let buyable = rows.iter().any(|row| {
                fits(row, *option)
                    && row[4].contains('a')
                    && row[1].split('\u{1f}').nth(*option) == Some(value.as_str())
            });
            flag(radio, "disabled", !buyable);
            if let Some(out) = radio
                .next_element_sibling()
                .and_then(|v| v.next_element_sibling())
            {
                flag(&out, "hidden", buyable);
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

impl Outgoing {
    /// The form of a submit event, which is stopped: the island sends it.
    /// None when there is no form (never in practice).
    pub fn take(ev: &leptos::ev::SubmitEvent) -> Option<Self> {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let form: web_sys::HtmlFormElement = ev.target()?.dyn_into().ok()?;
            let data = web_sys::FormData::new_with_form(&form).ok()?;
            // The pressed button's name and value, as a plain post has them.
            if let Some(button) = ev.submitter() {
                if let Some(name) = button.get_attribute("name") {
                    let value = button.get_attribute("value").unwrap_or_default();
                    data.append_with_str(&name, &value).ok()?;
                }
            }
            let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
            Some(Self {
                action: form.action(),
                body: params.to_string().into(),
                form: FormRef { form: Some(form) },
            })
        }
        #[cfg(not(feature = "hydrate"))]
        None
    }

    /// Sends it and reads the JSON answer, or the shop's error.
    pub async fn send(self) -> Result<Answer, AppError> {
        let (ok, text) = post(&self.action, &self.body)
            .await
            .ok_or_else(AppError::unreachable)?;
        if ok {
            serde_json::from_str(&text).map_err(|_| AppError::unexpected())
        } else {
            Err(serde_json::from_str(&text).unwrap_or_else(|_| AppError::unexpected()))
        }
    }
}

/// Posts `body` to `action`; whether the status is a success, and the text.
#[cfg(feature = "hydrate")]
async fn post(action: &str, body: &str) -> Option<(bool, String)> {
    let headers = web_sys::Headers::new().ok()?;
    headers
        .set("Content-Type", "application/x-www-form-urlencoded")
        .ok()?;
    headers.set("Accept", "application/json").ok()?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&wasm_bindgen::JsValue::from_str(body));
    let request = web_sys::Request::new_with_str_and_init(action, &init).ok()?;
    fetch(&request).await
}

#[cfg(not(feature = "hydrate"))]
async fn post(_: &str, _: &str) -> Option<(bool, String)> {
    None
}

#[cfg(feature = "hydrate")]
async fn fetch(request: &web_sys::Request) -> Option<(bool, String)> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let response: web_sys::Response =
        JsFuture::from(web_sys::window()?.fetch_with_request(request))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    Some((response.ok(), text))
}

/// Fetches this page again and puts the server's new content of the
/// element `#id` in place of the one shown. Returns whether it did.
pub async fn refresh(id: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(href) = web_sys::window().and_then(|w| w.location().href().ok()) else {
            return false;
        };
        let Some(request) = web_sys::Request::new_with_str(&href).ok() else {
            return false;
        };
        let Some((true, html)) = fetch(&request).await else {
            return false;
        };
        let (Some(parser), Some(document)) = (
            web_sys::DomParser::new().ok(),
            web_sys::window().and_then(|w| w.document()),
        ) else {
            return false;
        };
        let Ok(fresh) = parser.parse_from_string(&html, web_sys::SupportedType::TextHtml) else {
            return false;
        };
        match (document.get_element_by_id(id), fresh.get_element_by_id(id)) {
            (Some(old), Some(new)) => {
                old.set_inner_html(&new.inner_html());
                true
            }
            _ => false,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        false
    }
}

/// Puts `<p class="field-error" role="alert">` saying `text`, with the
/// `attributes`, after the element `selector` finds in the form `within`
/// (the document with none; after its label, if it is in one: `inside:
/// false`) or at its end (`inside: true`). It goes with the next
/// [`clear_alerts`]. Whether the element was there.
pub fn add_alert(
    within: Option<&FormRef>,
    selector: &str,
    inside: bool,
    attributes: &[(&str, &str)],
    text: &str,
) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return false;
        };
        let found = match within.and_then(|w| w.form.as_ref()) {
            Some(form) => form.query_selector(selector),
            None => document.query_selector(selector),
        };
        let (Ok(Some(target)), Ok(alert)) = (found, document.create_element("p")) else {
            return false;
        };
        let target = match inside {
            true => target,
            false => target.closest("label").ok().flatten().unwrap_or(target),
        };
        let _ = alert.set_attribute("class", "field-error");
        let _ = alert.set_attribute("role", "alert");
        let _ = alert.set_attribute("data-added", "");
        for (name, value) in attributes {
            let _ = alert.set_attribute(name, value);
        }
        alert.set_text_content(Some(text));
        let _ = if inside {
            target.append_child(&alert).map(drop)
        } else {
            target.after_with_node_1(&alert)
        };
        true
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (within, selector, inside, attributes, text);
        false
    }
}

/// Removes the alerts [`add_alert`] put on the page.
pub fn clear_alerts() {
    #[cfg(feature = "hydrate")]
    if let Some(Ok(added)) = web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.query_selector_all("[data-added]"))
    {
        for i in 0..added.length() {
            if let Some(node) = added.item(i) {
                if let Some(parent) = node.parent_node() {
                    let _ = parent.remove_child(&node);
                }
            }
        }
    }
}

/// Loads `href`: a full page load, so the server renders it for the
/// shopper (after a login, or an order placed).
pub fn go_to(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}
