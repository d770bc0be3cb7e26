import type { Page } from "@playwright/test";
import { escapeRegExp, otherLang, t, won, type Lang } from "./fixtures/lang";
import { CatalogPage, expect, findProduct, test, waitForHydration } from "./fixtures/shop";

// A request's language: the `lang` cookie (set by the header's switch),
// else Accept-Language (each project's browser asks for its language),
// else Korean.

/** A page to switch the language on, and how it reads in a language. */
type Where = {
  path: string;
  /** Before the first visit (a guest's cart, say). */
  prepare?: (page: Page) => Promise<void>;
  /** Checks the page in `lang` (after its `<html lang>`); returns the product names it shows. */
  expectIn: (page: Page, lang: Lang) => Promise<string[]>;
};

// The catalog with a search and a sort: the switch must keep the query.
const catalog: Where = {
  path: "/?q=Runner&sort=price_asc",
  async expectIn(page, lang) {
    await expect(page.locator("h1")).toHaveText(t(lang, "catalog.results_for", { q: "Runner" }));
    const grid = new CatalogPage(page, lang);
    await expect(grid.sortLink(t(lang, "catalog.sort_price_asc"))).toHaveAttribute("aria-current", "true");
    // The runners come in sizes: "from" the lowest price, in the page's language.
    const price = grid.grid.getByTestId("price").first();
    await expect(price).toHaveText(
      t(lang, "catalog.price_from", { price: won(lang, Number(await price.getAttribute("data-price"))) }),
    );
    // The grid's names are the JSON API's, in the same language.
    const api = await (await page.request.get("/api/products?q=Runner&sort=price_asc")).json();
    const names = await grid.names();
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(api.items.map((p: { name: string }) => p.name));
    return names;
  },
};

// A guest's cart: a page with no query string.
const cart: Where = {
  path: "/cart",
  async prepare(page) {
    const kettle = await findProduct(page.request, "Gooseneck");
    expect((await page.request.post("/api/cart/add", { data: { product_id: kettle.id, quantity: 2 } })).status()).toBe(
      200,
    );
  },
  async expectIn(page, lang) {
    await expect(page.locator("h1")).toHaveText(t(lang, "cart.cart"));
    const kettle = await findProduct(page.request, "Gooseneck");
    await expect(page.getByTestId("cart-line-name")).toHaveText(kettle.name);
    await expect(page.getByTestId("cart-total")).toHaveText(won(lang, kettle.price * 2));
    await expect(page.getByTestId("checkout")).toHaveText(t(lang, "cart.checkout"));
    return [kettle.name];
  },
};

/** `where` as it reads in `lang`: the page's language, the switch, the page's own words. */
async function expectPageIn(page: Page, where: Where, lang: Lang, js: boolean): Promise<string[]> {
  // The language first: after the switch, the same URL loads again.
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  if (js) await waitForHydration(page);
  await expect(page.getByTestId("language-ko")).toHaveText(t("ko", "common.language_name"));
  await expect(page.getByTestId("language-en")).toHaveText(t("en", "common.language_name"));
  await expect(page.getByTestId(`language-${lang}`)).toHaveAttribute("aria-current", "true");
  await expect(page.getByTestId(`language-${otherLang(lang)}`)).not.toHaveAttribute("aria-current", "true");
  return where.expectIn(page, lang);
}

async function switchAndStay(page: Page, where: Where, lang: Lang, js: boolean) {
  const other = otherLang(lang);
  const here = new RegExp(`^[^?]*//[^/]+${escapeRegExp(where.path)}$`);
  await where.prepare?.(page);

  // No cookie yet: Accept-Language decides.
  const response = await page.goto(where.path);
  expect(response?.headers()["content-language"]).toBe(lang);
  const names = await expectPageIn(page, where, lang, js);

  // The switch loads the same page, query and all, in the other language.
  await page.getByTestId(`language-${other}`).click();
  await expect(page).toHaveURL(here);
  const translated = await expectPageIn(page, where, other, js);
  expect(translated).not.toEqual(names);

  // The choice sticks, though the browser still asks for `lang`.
  const home = await page.goto("/");
  expect((await home!.request().allHeaders())["accept-language"]).toMatch(new RegExp(`^${lang}-`));
  expect(home?.headers()["content-language"]).toBe(other);
  await expect(page.locator("html")).toHaveAttribute("lang", other);
  if (js) await waitForHydration(page);
  await expect(page.locator("h1")).toHaveText(t(other, "catalog.all_products"));
  await page.goto(where.path);
  await expectPageIn(page, where, other, js);

  // And back.
  await page.getByTestId(`language-${lang}`).click();
  await expect(page).toHaveURL(here);
  expect(await expectPageIn(page, where, lang, js)).toEqual(names);
}

test("with no cookie, the browser's Accept-Language decides", async ({ page, lang }) => {
  for (const path of ["/", "/cart", "/login"]) {
    const response = await page.goto(path);
    expect(response?.headers()["content-language"], path).toBe(lang);
    await waitForHydration(page);
    await expect(page.locator("html"), path).toHaveAttribute("lang", lang);
  }
  await expect(page.locator("h1")).toHaveText(t(lang, "account.log_in"));
});

test("the header's switch reloads the same page, query and all, in the other language, and the choice sticks", async ({
  page,
  lang,
}) => {
  await switchAndStay(page, catalog, lang, true);
});

test("the switch on a page without a query", async ({ page, lang }) => {
  await switchAndStay(page, cart, lang, true);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the switch is a plain link that keeps the page and its query", async ({ page, lang }) => {
    await switchAndStay(page, catalog, lang, false);
  });

  test("the switch on a page without a query", async ({ page, lang }) => {
    await switchAndStay(page, cart, lang, false);
  });
});
