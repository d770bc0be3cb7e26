use crate::{
    accounts::{
        identities::{available_providers, SignInProblem},
        safe_next, Login,
    },
    components::{Enhance, Then},
    flash::FormState,
    locale::{td_string, Locale},
    url::encode,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// `/login?next=…`: logs in, then goes on to `next`. Without JS the form
/// posts and the server redirects; with JS errors show beside the fields.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let next = safe_next(query.get("next").as_deref());
    let problem = query
        .get("sign_in")
        .as_deref()
        .and_then(SignInProblem::parse);
    let signup_href = format!("/signup?next={}", encode(&next));
    let next_after_provider = next.clone();
    let locale = Locale::current();
    let typed = FormState::of(Login::PATH).typed("login_id");
    view! {
        <Title text=td_string!(locale, account.log_in) />
        <Meta name="description" content=td_string!(locale, account.log_in_description) />
        <section class="auth-form">
            <h1>{td_string!(locale, account.log_in)}</h1>
            {problem.map(|p| view! {
                <p class="notice notice--error" role="alert" data-testid="sign-in-problem">{p.message(locale)}</p>
            })}
            <Enhance then=Then::GoOn next=next.clone()>
                <form method="post" action=Login::url()>
                    <input type="hidden" name="next" value=next.clone() />
                    <label>
                        {td_string!(locale, account.login_id)}
                        <input type="text" name="login_id" autocomplete="username" required value=typed />
                    </label>
                    <label>
                        {td_string!(locale, account.password)}
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    <button type="submit">{td_string!(locale, account.log_in)}</button>
                </form>
            </Enhance>
            <ProviderButtons next=next_after_provider />
            <p>
                {td_string!(locale, account.new_here)}
                <a href=signup_href>{td_string!(locale, account.create_account)}</a>
            </p>
        </section>
    }
}

/// One link per provider that is ready, to sign in (or sign up: the same
/// thing) through it and come back to `next`. Plain links: no JS needed.
#[component]
pub fn ProviderButtons(next: String) -> impl IntoView {
    let providers = available_providers();
    let locale = Locale::current();
    (!providers.is_empty()).then(|| {
        view! {
            <nav class="sign-in-providers" aria-labelledby="sign-in-providers-title">
                <h2 id="sign-in-providers-title">{td_string!(locale, account.or_sign_in_with)}</h2>
                <ul>
                    {providers
                        .into_iter()
                        .map(|p| {
                            let href = format!("/auth/{}/start?next={}", p.name, encode(&next));
                            view! {
                                <li>
                                    <a class="button provider" href=href data-provider=p.name>
                                        {td_string!(locale, account.sign_in_with, provider = p.label)}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        }
    })
}
