import { type Page } from "@playwright/test";
import { AccountForms } from "./fixtures/accounts";
import { addAddress, anAddress, oneLine, shippingFee } from "./fixtures/addresses";
import { escapeRegExp } from "./fixtures/lang";
import { expect, findProduct, test, variantOf, waitForHydration } from "./fixtures/shop";

const password = "correct horse battery";
const uniqueId = (prefix: string) => `${prefix}_${Date.now() % 1_000_000_000}`;

async function placeOrderButton(page: Page) {
  await page.goto("/checkout");
  await waitForHydration(page);
  return page.getByTestId("place-order");
}

test("the whole journey: browse, like, cart, charge, check out, see the order", async ({ page, lang, words }) => {
  const forms = new AccountForms(page, lang);
  await forms.signup(uniqueId("buyer"), password);
  const runner = await findProduct(page.request, "Cloud Runner");
  expect(runner.price).toBe(89_000);

  await page.goto("/?q=Cloud+Runner");
  await waitForHydration(page);
  const card = page.getByTestId("product-card").first();
  await card.getByTestId("like-button").click();
  await expect(card.getByTestId("like-button")).toHaveAttribute("aria-pressed", "true");
  await card.getByRole("link", { name: runner.name }).click();
  // It comes in sizes: 270.
  await waitForHydration(page);
  await page.getByRole("radio", { name: "270" }).check();
  await page.getByLabel(words.t("common.quantity")).fill("2");
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText("2");

  await page.getByTestId("balance").click();
  await expect(page).toHaveURL(/\/points$/);
  await page.getByRole("button", { name: words.charge(100_000), exact: true }).click();
  await page.getByRole("button", { name: words.charge(100_000), exact: true }).click();
  await expect(page.getByTestId("balance")).toHaveText(words.points(200_000));

  await page.getByRole("link", { name: new RegExp(escapeRegExp(words.t("common.cart"))) }).click();
  await page.getByTestId("checkout").click();
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByTestId("checkout-line")).toHaveCount(1);
  // No address yet: the order waits for the first one, added right here.
  await expect(page.getByTestId("place-order")).toHaveCount(0);
  await expect(page.getByTestId("address-first")).toHaveText(words.t("checkout.address_first"));
  const form = page.getByTestId("add-address-form");
  await form.getByTestId("address-recipient").fill(anAddress.recipient);
  await form.getByTestId("address-phone").fill(anAddress.phone);
  await form.getByTestId("address-postal_code").fill(anAddress.postal_code);
  await form.getByTestId("address-address1").fill(anAddress.address1);
  await form.getByTestId("address-address2").fill(anAddress.address2!);
  await Promise.all([page.waitForEvent("load"), form.getByTestId("add-address").click()]);
  await expect(page).toHaveURL(/\/checkout$/);
  await waitForHydration(page);
  await expect(page.getByTestId("add-address-form")).toHaveCount(0);
  await expect(page.getByTestId("ship-to-option")).toBeChecked();
  await expect(page.getByTestId("ship-to-choice")).toContainText(oneLine(anAddress));
  // Above the free-shipping threshold: delivery is free.
  await expect(page.getByTestId("checkout-shipping-fee")).toHaveText(words.t("orders.free_shipping"));
  await expect(page.getByTestId("checkout-total")).toHaveText(words.won(178_000));
  await page.getByTestId("place-order").click();

  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await expect(page.getByTestId("order-line")).toHaveCount(1);
  await expect(page.getByTestId("order-line")).toContainText(runner.name);
  await expect(page.getByTestId("order-line-label")).toContainText("270");
  await expect(page.getByTestId("order-line-quantity")).toHaveText("2");
  await expect(page.getByTestId("order-total")).toHaveText(words.won(178_000));
  await expect(page.getByTestId("ship-to-address")).toHaveText(oneLine(anAddress));
  await expect(page.getByTestId("balance")).toHaveText(words.points(22_000));
  await expect(page.getByTestId("cart-count")).toHaveText("0");

  // The order is in my history and the ledger links to it.
  await page.goto("/orders");
  await expect(page.getByTestId("order-row")).toHaveCount(1);
  await page.goto("/points");
  await page
    .getByTestId("ledger-row")
    .first()
    .getByRole("link", { name: words.pattern("points.order_number", "id") })
    .click();
  await expect(page.getByTestId("order-total")).toHaveText(words.won(178_000));
});

test("a double click orders once", async ({ page, lang }) => {
  const forms = new AccountForms(page, lang);
  await forms.signup(uniqueId("twice"), password);
  const { id } = await findProduct(page.request, "Organic Cotton Tee");
  const { variant_id } = await variantOf(page.request, id);
  expect((await page.request.post("/api/points/charge", { data: { amount: 500000 } })).status()).toBe(200);
  await addAddress(page.request);
  expect(
    (await page.request.post("/api/cart/add", { data: { product_id: id, variant_id, quantity: 1 } })).status(),
  ).toBe(200);

  const button = await placeOrderButton(page);
  await button.dblclick();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  const orders = await (await page.request.get("/api/orders")).json();
  expect(orders.total).toBe(1);
});

test("the checkout page says what is wrong, next to what caused it", async ({ page, lang, words }) => {
  const forms = new AccountForms(page, lang);
  await forms.signup(uniqueId("short"), password);
  const dripper = await findProduct(page.request, "Ceramic Pour-over Dripper");
  const tee = await findProduct(page.request, "Organic Cotton Tee");
  expect((await page.request.post("/api/points/charge", { data: { amount: 50000 } })).status()).toBe(200);
  await addAddress(page.request);
  expect(
    (await page.request.post("/api/cart/add", { data: { product_id: dripper.id, quantity: 5 } })).status(),
  ).toBe(200);
  // The first size of the tee: the lowest price, the one the list shows.
  const teeSize = await variantOf(page.request, tee.id);
  expect(teeSize.price).toBe(tee.price);
  expect(
    (
      await page.request.post("/api/cart/add", {
        data: { product_id: tee.id, variant_id: teeSize.variant_id, quantity: 1 },
      })
    ).status(),
  ).toBe(200);

  // Too few drippers and too few points: both are shown at once.
  const button = await placeOrderButton(page);
  await expect(page.getByTestId("points-short")).toBeVisible();
  await button.click();
  const dripperLine = page.getByTestId("checkout-line").filter({ hasText: dripper.name });
  await expect(dripperLine.getByTestId("line-error")).toHaveText(
    new RegExp(escapeRegExp(words.t("islands.line_only_left", { left: 3 }))),
  );
  await expect(page.getByTestId("points-error")).toContainText(words.t("islands.charge_points"));
  await expect(page.getByTestId("checkout-error")).toContainText(
    words.t("islands.nothing_charged", { message: "" }).trim(),
  );
  expect((await (await page.request.get("/api/orders")).json()).total).toBe(0);

  // A price that changed since the page was opened.
  expect(
    (await page.request.post("/api/cart/set", { data: { product_id: dripper.id, quantity: 1 } })).status(),
  ).toBe(200);
  await placeOrderButton(page);
  const teeLine = page.getByTestId("checkout-line").filter({ hasText: tee.name });
  await teeLine.locator('input[name$="[price]"]').evaluate((el) => ((el as HTMLInputElement).value = "100"));
  await page.getByTestId("place-order").click();
  await expect(teeLine.getByTestId("line-error")).toHaveText(
    new RegExp(escapeRegExp(words.t("islands.line_price_changed", { sent: words.won(100), price: words.won(tee.price) }))),
  );
  expect((await (await page.request.get("/api/orders")).json()).total).toBe(0);

  // Opened again, the page has today's prices, and the order goes through:
  // one dripper and the tee, and the shipping fee below the threshold,
  // still within the 50,000 points.
  await placeOrderButton(page);
  const goods = dripper.price + tee.price;
  expect(goods + shippingFee(goods)).toBeLessThanOrEqual(50_000);
  await expect(page.getByTestId("checkout-total")).toHaveText(words.won(goods + shippingFee(goods)));
  await page.getByTestId("place-order").click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("check out with plain forms", async ({ page, context }) => {
    const loginId = uniqueId("nojs_buy");
    expect((await context.request.post("/api/signup", { data: { login_id: loginId, password } })).status()).toBe(201);
    const denim = await findProduct(context.request, "Straight Fit Denim");
    const { variant_id } = await variantOf(context.request, denim.id);
    expect((await context.request.post("/api/points/charge", { data: { amount: 500000 } })).status()).toBe(200);
    await addAddress(context.request);
    expect(
      (await context.request.post("/api/cart/add", { data: { product_id: denim.id, variant_id, quantity: 1 } })).status(),
    ).toBe(200);

    await page.goto("/checkout");
    await expect(page.getByTestId("checkout-line")).toHaveCount(1);
    await page.getByTestId("place-order").click();
    await expect(page).toHaveURL(/\/orders\/\d+$/);
    await expect(page.getByTestId("order-line")).toContainText(denim.name);
    await expect(page.getByTestId("ship-to-recipient")).toHaveText(anAddress.recipient);
    const orders = await (await context.request.get("/api/orders")).json();
    expect(orders.total).toBe(1);
  });
});
