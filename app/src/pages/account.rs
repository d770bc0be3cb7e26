use super::signup::{LoginIdInput, NewPasswordInput};
use crate::{
    accounts::{
        identities::{
            list_sign_in_methods, ChangeLoginId, SetPassword, SignInMethods, SignInProblem,
            UnlinkIdentity,
        },
        use_auth,
    },
    components::{Enhance, ErrorNotice, Then},
    dates::format_millis,
    locale::{td_string, Locale},
    money::show_points,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;
use std::future::IntoFuture;

/// `/account`: who I am, for logged-in users only (the server sends a
/// guest to log in first), and the ways into the account: its password
/// and the providers linked to it.
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    let locale = Locale::current();
    let methods = OnceResource::new(list_sign_in_methods());
    view! {
        <Title text=td_string!(locale, account.my_account) />
        <Meta name="description" content=td_string!(locale, account.account_description) />
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
            {Suspend::new(async move {
                let (user, methods) = futures::join!(auth.user.into_future(), methods.into_future());
                let who = user.ok().map(|user| {
                    view! {
                        <section class="account">
                            <h1>{td_string!(locale, account.my_account)}</h1>
                            <dl>
                                <dt>{td_string!(locale, account.login_id)}</dt>
                                <dd data-testid="account-login-id">{user.login_id}</dd>
                                <dt>{td_string!(locale, account.points)}</dt>
                                <dd>{show_points(user.points, locale)}</dd>
                            </dl>
                            <p>
                                <a href=crate::addresses::PAGE data-testid="my-addresses">{td_string!(locale, addresses.title)}</a>
                            </p>
                        </section>
                    }
                });
                let ways = match methods {
                    Ok(methods) => view! { <WaysIn methods /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                };
                view! { {who} {ways} }
            })}
        </Suspense>
    }
}

/// The password, the linked providers (each with its unlink form unless it
/// is the last way in) and a link form per provider not linked yet.
/// Where the account's forms come back to.
const HERE: &str = "/account";

#[component]
fn WaysIn(methods: SignInMethods) -> impl IntoView {
    let locale = Locale::current();
    let query = use_query_map().get_untracked();
    let problem = query
        .get("sign_in")
        .as_deref()
        .and_then(SignInProblem::parse);
    let linked_now = query.get("linked").and_then(|name| {
        methods
            .linked
            .iter()
            .find(|l| l.provider == name)
            .map(|l| l.label.clone())
    });
    let (login_id, username) = (methods.login_id.clone(), methods.login_id.clone());
    let ways = methods.linked.len() + usize::from(methods.has_password);
    view! {
        <section class="ways-in" aria-labelledby="ways-in-title" data-testid="ways-in">
            <h2 id="ways-in-title">{td_string!(locale, account.ways_in)}</h2>
            {problem.map(|p| view! {
                <p class="notice notice--error" role="alert" data-testid="sign-in-problem">{p.message(locale)}</p>
            })}
            {linked_now.map(|label| view! {
                <p class="notice notice--ok" role="status" data-testid="sign-in-linked">
                    {td_string!(locale, account.sign_in_linked, provider = label)}
                </p>
            })}
            <p data-testid="password-state">
                {if methods.has_password {
                    td_string!(locale, account.password_set)
                } else {
                    td_string!(locale, account.no_password)
                }}
            </p>
            {methods.login_id_changeable.then(|| view! {
                <Enhance then=Then::GoOn next=HERE.to_string() alert_id="change-login-id-error".to_string()>
                    <form method="post" action=ChangeLoginId::url() class="account-form" data-testid="change-login-id-form">
                        <input type="hidden" name="next" value=HERE />
                        <LoginIdInput label=td_string!(locale, account.change_login_id) action=ChangeLoginId::PATH value=login_id />
                        <p class="hint">{td_string!(locale, account.change_login_id_hint)}</p>
                        <button type="submit">{td_string!(locale, account.change_login_id_button)}</button>
                    </form>
                </Enhance>
            })}
            {(!methods.has_password).then(|| view! {
                <Enhance then=Then::GoOn next=HERE.to_string() alert_id="set-password-error".to_string()>
                    <form method="post" action=SetPassword::url() class="account-form" data-testid="set-password-form">
                        <input type="hidden" name="next" value=HERE />
                        <input type="hidden" name="username" autocomplete="username" value=username />
                        <NewPasswordInput label=td_string!(locale, account.set_password) action=SetPassword::PATH />
                        <button type="submit">{td_string!(locale, account.set_password_button)}</button>
                    </form>
                </Enhance>
            })}
            <ul class="linked-identities" data-testid="linked-identities">
                {methods
                    .linked
                    .into_iter()
                    .map(|linked| {
                        let (provider, label) = (linked.provider.clone(), linked.label.clone());
                        let since = td_string!(
                            locale, account.linked_since, date = format_millis(linked.linked_at, locale)
                        );
                        let unlink = (ways > 1).then(|| view! {
                            <Enhance then=Then::GoOn next=HERE.to_string() alert_id=format!("unlink-{provider}-error")>
                                <form method="post" action=UnlinkIdentity::url()>
                                    <input type="hidden" name="provider" value=provider.clone() />
                                    <input type="hidden" name="next" value=HERE />
                                    <button type="submit" aria-label=format!("{} {label}", td_string!(locale, account.unlink))>
                                        {td_string!(locale, account.unlink)}
                                    </button>
                                </form>
                            </Enhance>
                        });
                        let last = (ways <= 1).then(|| view! {
                            <p class="hint">{td_string!(locale, account.last_way_in)}</p>
                        });
                        view! {
                            <li data-provider=linked.provider.clone()>
                                <strong>{linked.label.clone()}</strong> " " <small>{since}</small>
                                {unlink}
                                {last}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            // A plain form: the answer is a redirect to the provider.
            {methods
                .linkable
                .into_iter()
                .map(|p| {
                    view! {
                        <form method="post" action=format!("/auth/{}/link", p.name) class="link-provider">
                            <button type="submit" data-provider=p.name.clone()>
                                {td_string!(locale, account.link, provider = p.label)}
                            </button>
                        </form>
                    }
                })
                .collect_view()}
        </section>
    }
}
