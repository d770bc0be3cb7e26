import { CatalogPage, expect, test } from "./fixtures/shop";

// Pages are server HTML with islands: sorting, paging, searching and
// opening a product are page loads (fast ones: see the SSR benchmark).
test("browse: sort, page and open a product", async ({ page }) => {
  const catalog = new CatalogPage(page);
  await catalog.goto();
  await expect(catalog.cards).toHaveCount(12);

  await catalog.sortLink("Price: low to high").click();
  await expect(page).toHaveURL(/\?sort=price_asc$/);
  await expect(catalog.sortLink("Price: low to high")).toHaveAttribute("aria-current", "true");
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

test("the view lives in the URL: a link reproduces it", async ({ page }) => {
  const catalog = new CatalogPage(page);
  await catalog.goto("?brand=Sora&sort=price_desc");
  const prices = await catalog.prices();
  expect(prices.length).toBeGreaterThan(1);
  expect(prices.every((p, i) => i === 0 || prices[i - 1] >= p)).toBe(true);
  await expect(page.getByRole("navigation", { name: "Brands" }).getByRole("link", { name: "Sora" })).toHaveAttribute(
    "aria-current",
    "true",
  );
});

test("search narrows the grid", async ({ page }) => {
  const catalog = new CatalogPage(page);
  await catalog.goto();
  await page.getByRole("searchbox", { name: "Search products" }).fill("sneakers");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=sneakers/);
  // The unfiltered grid may hold sneakers too: wait for the filtered one.
  await expect
    .poll(async () => (await catalog.names()).every((name) => name.toLowerCase().includes("sneakers")))
    .toBe(true);
  expect(await catalog.names()).toEqual(expect.arrayContaining(["Cloud Runner Sneakers"]));
});

test("a sold-out product says so, and an unknown one is a 404 page", async ({ page }) => {
  const catalog = new CatalogPage(page);
  await catalog.goto("?q=Harbor");
  await catalog.cards.first().getByRole("link", { name: "Harbor Slides" }).click();
  await expect(page.getByTestId("stock")).toHaveText("Sold out");

  const response = await page.goto("/products/999999");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});
