import { CatalogPage, expect, findProduct, test, type ApiProduct } from "./fixtures/shop";

// Pages are server HTML with islands: sorting, paging, searching and
// opening a product are page loads (fast ones: see the SSR benchmark).
test("browse: sort, page and open a product", async ({ page, lang, words }) => {
  const catalog = new CatalogPage(page, lang);
  const lowToHigh = words.t("catalog.sort_price_asc");
  await catalog.goto();
  await expect(catalog.cards).toHaveCount(12);

  await catalog.sortLink(lowToHigh).click();
  await expect(page).toHaveURL(/\?sort=price_asc$/);
  await expect(catalog.sortLink(lowToHigh)).toHaveAttribute("aria-current", "true");
  await expect
    .poll(async () => {
      const prices = await catalog.prices();
      return prices.length === 12 && prices.every((p, i) => i === 0 || prices[i - 1] <= p);
    })
    .toBe(true);
  const firstPage = await catalog.names();
  const firstPrices = await catalog.prices();

  await catalog.pageLink(2).click();
  await expect(page).toHaveURL(/\?sort=price_asc&page=2$/);
  await expect(catalog.pageLink(2)).toHaveAttribute("aria-current", "page");
  await expect.poll(() => catalog.names()).not.toEqual(firstPage);
  const secondPage = await catalog.names();
  expect(secondPage.filter((n) => firstPage.includes(n))).toEqual([]);
  const pricesOnPage2 = await catalog.prices();
  expect(Math.min(...pricesOnPage2)).toBeGreaterThanOrEqual(Math.max(...firstPrices));

  // Open a product from the grid.
  const name = secondPage[0];
  await catalog.cards.first().getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/products\/\d+$/);
  await expect(page.getByTestId("product-name")).toHaveText(name);
  await expect(page.getByTestId("stock")).toBeVisible();
});

test("the view lives in the URL: a link reproduces it", async ({ page, lang, words }) => {
  const catalog = new CatalogPage(page, lang);
  await catalog.goto("?brand=Sora&sort=price_desc");
  const prices = await catalog.prices();
  expect(prices.length).toBeGreaterThan(1);
  expect(prices.every((p, i) => i === 0 || prices[i - 1] >= p)).toBe(true);
  await expect(
    page.getByRole("navigation", { name: words.t("catalog.brands") }).getByRole("link", { name: "Sora" }),
  ).toHaveAttribute("aria-current", "true");
});

test("search narrows the grid", async ({ page, lang, words }) => {
  // The products' English names, by id, whatever the page's language: the
  // grid's names are in the project's language, the search words English.
  const all = await page.request.get("/api/products?per_page=100", {
    headers: { "Accept-Language": "en-US,en;q=0.9" },
  });
  expect(all.status()).toBe(200);
  const englishNames = new Map(((await all.json()).items as ApiProduct[]).map((p) => [p.id, p.name]));
  const runner = await findProduct(page.request, "Cloud Runner Sneakers");

  const catalog = new CatalogPage(page, lang);
  await catalog.goto();
  await page.getByRole("searchbox", { name: words.t("catalog.search_products") }).fill("sneakers");
  await page.getByRole("button", { name: words.t("catalog.search") }).click();
  await expect(page).toHaveURL(/q=sneakers/);
  // The unfiltered grid may hold sneakers too: wait for the filtered one.
  await expect
    .poll(async () =>
      (await catalog.ids()).every((id) => (englishNames.get(id) ?? "").toLowerCase().includes("sneakers")),
    )
    .toBe(true);
  expect(await catalog.names()).toEqual(expect.arrayContaining([runner.name]));
});

test("a sold-out product says so, and an unknown one is a 404 page", async ({ page, lang, words }) => {
  const slides = await findProduct(page.request, "Harbor");
  const catalog = new CatalogPage(page, lang);
  await catalog.goto("?q=Harbor");
  await catalog.cards.first().getByRole("link", { name: slides.name }).click();
  // It comes in sizes, none left: sold out, nothing to choose.
  await expect(page.getByTestId("stock")).toHaveText(words.t("common.sold_out"));
  await expect(page.getByTestId("add-to-cart")).toBeDisabled();

  const response = await page.goto("/products/999999");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: words.t("common.not_found_heading") })).toBeVisible();
});
