import { type APIRequestContext, type Page } from "@playwright/test";
import { AccountForms } from "./fixtures/accounts";
import { expect, test, waitForHydration } from "./fixtures/shop";

const password = "correct horse battery";
const uniqueId = (prefix: string) => `${prefix}_${Date.now() % 1_000_000_000}`;

/** The id of the first product whose name matches `name`. */
async function productId(request: APIRequestContext, name: string): Promise<number> {
  const res = await request.get(`/api/products?q=${encodeURIComponent(name)}`);
  return (await res.json()).items[0].id;
}

async function placeOrderButton(page: Page) {
  await page.goto("/checkout");
  await waitForHydration(page);
  return page.getByTestId("place-order");
}

test("the whole journey: browse, like, cart, charge, check out, see the order", async ({ page }) => {
  const forms = new AccountForms(page);
  await forms.signup(uniqueId("buyer"), password);

  await page.goto("/?q=Cloud+Runner");
  await waitForHydration(page);
  const card = page.getByTestId("product-card").first();
  await card.getByTestId("like-button").click();
  await expect(card.getByTestId("like-button")).toHaveAttribute("aria-pressed", "true");
  await card.getByRole("link", { name: "Cloud Runner Sneakers" }).click();
  await page.getByLabel("Quantity").fill("2");
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText("2");

  await page.getByTestId("balance").click();
  await expect(page).toHaveURL(/\/points$/);
  await page.getByRole("button", { name: "+100,000" }).click();
  await page.getByRole("button", { name: "+100,000" }).click();
  await expect(page.getByTestId("balance")).toHaveText("200,000 P");

  await page.getByRole("link", { name: /Cart/ }).click();
  await page.getByTestId("checkout").click();
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByTestId("checkout-line")).toHaveCount(1);
  await expect(page.getByTestId("checkout-total")).toHaveText("178,000원");
  await page.getByTestId("place-order").click();

  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await expect(page.getByTestId("order-line")).toHaveCount(1);
  await expect(page.getByTestId("order-line")).toContainText("Cloud Runner Sneakers");
  await expect(page.getByTestId("order-line-quantity")).toHaveText("2");
  await expect(page.getByTestId("order-total")).toHaveText("178,000원");
  await expect(page.getByTestId("balance")).toHaveText("22,000 P");
  await expect(page.getByTestId("cart-count")).toHaveText("0");

  // The order is in my history and the ledger links to it.
  await page.goto("/orders");
  await expect(page.getByTestId("order-row")).toHaveCount(1);
  await page.goto("/points");
  await page.getByTestId("ledger-row").first().getByRole("link", { name: /Order #/ }).click();
  await expect(page.getByTestId("order-total")).toHaveText("178,000원");
});

test("a double click orders once", async ({ page }) => {
  const forms = new AccountForms(page);
  await forms.signup(uniqueId("twice"), password);
  const id = await productId(page.request, "Organic Cotton Tee");
  expect((await page.request.post("/api/points/charge", { data: { amount: 500000 } })).status()).toBe(200);
  expect((await page.request.post("/api/cart/add", { data: { product_id: id, quantity: 1 } })).status()).toBe(200);

  const button = await placeOrderButton(page);
  await button.dblclick();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  const orders = await (await page.request.get("/api/orders")).json();
  expect(orders.total).toBe(1);
});

test("the checkout page says what is wrong, next to what caused it", async ({ page }) => {
  const forms = new AccountForms(page);
  await forms.signup(uniqueId("short"), password);
  const dripper = await productId(page.request, "Ceramic Pour-over Dripper");
  const tee = await productId(page.request, "Organic Cotton Tee");
  expect((await page.request.post("/api/points/charge", { data: { amount: 50000 } })).status()).toBe(200);
  expect((await page.request.post("/api/cart/add", { data: { product_id: dripper, quantity: 5 } })).status()).toBe(
    200,
  );
  expect((await page.request.post("/api/cart/add", { data: { product_id: tee, quantity: 1 } })).status()).toBe(200);

  // Too few drippers and too few points: both are shown at once.
  const button = await placeOrderButton(page);
  await expect(page.getByTestId("points-short")).toBeVisible();
  await button.click();
  const dripperLine = page.getByTestId("checkout-line").filter({ hasText: "Ceramic Pour-over Dripper" });
  await expect(dripperLine.getByTestId("line-error")).toHaveText(/Only 3 left/);
  await expect(page.getByTestId("points-error")).toContainText("Charge points");
  await expect(page.getByTestId("checkout-error")).toContainText("Nothing was charged");
  expect((await (await page.request.get("/api/orders")).json()).total).toBe(0);

  // A price that changed since the page was opened.
  expect((await page.request.post("/api/cart/set", { data: { product_id: dripper, quantity: 1 } })).status()).toBe(
    200,
  );
  await placeOrderButton(page);
  const teeLine = page.getByTestId("checkout-line").filter({ hasText: "Organic Cotton Tee" });
  await teeLine.locator('input[name$="[price]"]').evaluate((el) => ((el as HTMLInputElement).value = "100"));
  await page.getByTestId("place-order").click();
  await expect(teeLine.getByTestId("line-error")).toHaveText(/price changed from 100원 to/);
  expect((await (await page.request.get("/api/orders")).json()).total).toBe(0);

  // Opened again, the page has today's prices, and the order goes through.
  await placeOrderButton(page);
  await page.getByTestId("place-order").click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("check out with plain forms", async ({ page, context }) => {
    const loginId = uniqueId("nojs_buy");
    expect((await context.request.post("/api/signup", { data: { login_id: loginId, password } })).status()).toBe(201);
    const id = await productId(context.request, "Straight Fit Denim");
    expect((await context.request.post("/api/points/charge", { data: { amount: 500000 } })).status()).toBe(200);
    expect((await context.request.post("/api/cart/add", { data: { product_id: id, quantity: 1 } })).status()).toBe(
      200,
    );

    await page.goto("/checkout");
    await expect(page.getByTestId("checkout-line")).toHaveCount(1);
    await page.getByTestId("place-order").click();
    await expect(page).toHaveURL(/\/orders\/\d+$/);
    await expect(page.getByTestId("order-line")).toContainText("Straight Fit Denim");
    const orders = await (await context.request.get("/api/orders")).json();
    expect(orders.total).toBe(1);
  });
});
