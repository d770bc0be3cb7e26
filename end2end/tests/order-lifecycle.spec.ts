import type { APIRequestContext, Page } from "@playwright/test";
import { AccountForms } from "./fixtures/accounts";
import { expect, findProduct, test, variantOf, waitForHydration } from "./fixtures/shop";
import type { Words } from "./fixtures/lang";
import { staffPage } from "./fixtures/staff";
import { addAddress, shippingFee } from "./fixtures/addresses";

// An order's life after checkout: its shopper cancels it (the stock and
// the points come back), staff ship one (with its carrier and tracking
// number) and cancel another, and the shopper's order page says what
// became of each. shipping.spec.ts follows a parcel to its delivery.

const password = "correct horse battery";
const uniqueId = (prefix: string) => `${prefix}_${Date.now() % 1_000_000_000}`;

async function signup(request: APIRequestContext, loginId: string): Promise<number> {
  const res = await request.post("/api/signup", { data: { login_id: loginId, password } });
  expect(res.status()).toBe(201);
  return (await res.json()).user_id;
}

async function charge(request: APIRequestContext, amount: number) {
  expect((await request.post("/api/points/charge", { data: { amount } })).status()).toBe(200);
}

/** Places an order of one `productId` through the API, sent to `addressId`; its id. */
async function buy(
  request: APIRequestContext,
  addressId: number,
  productId: number,
  key: string,
  variantId?: number,
): Promise<number> {
  const res = await request.post("/api/orders/place", {
    data: {
      idempotency_key: key,
      address_id: String(addressId),
      items: [{ product_id: productId, variant_id: variantId, quantity: 1 }],
    },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).order_id;
}

/** Submits the form `testId` and waits for the page it comes back to. */
async function submit(page: Page, testId: string, js = true) {
  const form = page.getByTestId(testId);
  await Promise.all([page.waitForEvent("load"), form.locator("button[type=submit]").click()]);
  if (js) await waitForHydration(page);
}

async function expectStatus(page: Page, status: "placed" | "shipped" | "cancelled", words: Words) {
  const label = page.getByTestId("order-status");
  await expect(label).toHaveAttribute("data-status", status);
  await expect(label).toHaveText(words.t(`orders.status_${status}`));
}

test("a shopper cancels their order: the stock and the points come back", async ({ page, lang, words }) => {
  await new AccountForms(page, lang).signup(uniqueId("regret"), password);
  const product = await findProduct(page.request, "Court Classic");
  // The sneakers come in sizes: a 260.
  const size = await variantOf(page.request, product.id, "260");
  await charge(page.request, 100_000);
  const home = await addAddress(page.request);
  // Above the free-shipping threshold: the order costs the shoes alone.
  expect(shippingFee(product.price)).toBe(0);
  const orderId = await buy(page.request, home, product.id, uniqueId("court"), size.variant_id);

  await page.goto(`/orders/${orderId}`);
  await waitForHydration(page);
  await expectStatus(page, "placed", words);
  await expect(page.getByTestId("balance")).toHaveText(words.points(100_000 - product.price));
  const form = page.getByTestId("cancel-form");
  await form.getByLabel(words.t("orders.cancel_reason")).fill("bought the wrong size");
  // Unticked, the browser refuses the form: the confirmation works without JS too.
  const confirm = form.getByTestId("cancel-confirm");
  expect(await confirm.evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
  await confirm.check();
  await submit(page, "cancel-form");

  await expect(page).toHaveURL(new RegExp(`/orders/${orderId}$`));
  await expectStatus(page, "cancelled", words);
  await expect(page.getByTestId("cancelled-by")).toHaveAttribute("data-by", "shopper");
  await expect(page.getByTestId("status-reason")).toHaveText(
    words.t("orders.reason_is", { reason: "bought the wrong size" }),
  );
  await expect(page.getByTestId("refunded")).toHaveText(
    words.t("orders.refunded", { points: words.points(product.price) }),
  );
  await expect(page.getByTestId("cancel-form")).toHaveCount(0);
  await expect(page.getByTestId("balance")).toHaveText(words.points(100_000));

  // My orders say it; the points history has the refund, linked to the order.
  await page.goto("/orders");
  await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "cancelled");
  await page.goto("/points");
  const refund = page.locator('[data-testid="ledger-row"][data-kind="refund"]');
  await expect(refund).toHaveCount(1);
  await expect(refund.getByRole("link")).toHaveAttribute("href", `/orders/${orderId}`);

  // The size is back in stock.
  await page.goto(`/products/${product.id}?variant=${size.variant_id}`);
  await expect(page.getByTestId("stock")).toHaveText(words.t("catalog.left_in_stock", { count: size.stock }));
});

test("staff ship one order and cancel another; the shopper sees both", async ({
  page,
  browser,
  lang,
  words,
  baseURL,
}) => {
  const shopperId = uniqueId("waiting");
  const userId = await signup(page.request, shopperId);
  const product = await findProduct(page.request, "Crew Socks");
  await charge(page.request, 100_000);
  const home = await addAddress(page.request);
  const shipped = await buy(page.request, home, product.id, uniqueId("socks-a"));
  const refused = await buy(page.request, home, product.id, uniqueId("socks-b"));
  // Below the free-shipping threshold: each order paid for its delivery too.
  const paid = product.price + shippingFee(product.price);
  expect(paid).toBeGreaterThan(product.price);

  const staff = await staffPage(browser, baseURL!, lang, "order_manager");

  // Shipped with a carrier and a tracking number.
  await staff.goto(`/admin/orders/${shipped}`);
  await waitForHydration(staff);
  await expect(staff.getByTestId("order-customer")).toHaveText(shopperId);
  await expect(staff.getByTestId("order-status")).toHaveAttribute("data-status", "placed");
  const ship = staff.getByTestId("ship-form");
  await ship.getByTestId("carrier").selectOption("hanjin");
  await ship.getByTestId("tracking-number-input").fill("4567-8901-2345");
  await submit(staff, "ship-form");
  await expect(staff.getByTestId("order-status")).toHaveAttribute("data-status", "shipped");
  const history = staff.getByTestId("status-history").getByTestId("status-entry");
  await expect(history).toHaveCount(2);
  await expect(history.nth(1)).toHaveAttribute("data-status", "shipped");
  await expect(staff.getByTestId("shipment-carrier")).toHaveText(words.t("shipping.carrier_hanjin"));
  await expect(staff.getByTestId("tracking-number")).toHaveText("456789012345");
  await expect(staff.getByTestId("ship-form")).toHaveCount(0);
  await expect(staff.getByTestId("staff-cancel-form")).toHaveCount(0);
  await expect(staff.getByTestId("deliver-form")).toHaveCount(1);

  await page.goto(`/orders/${shipped}`);
  await expectStatus(page, "shipped", words);
  await expect(page.getByTestId("shipment-carrier")).toHaveText(words.t("shipping.carrier_hanjin"));
  await expect(page.getByTestId("tracking-number")).toHaveText("456789012345");
  await expect(page.getByTestId("cancel-form")).toHaveCount(0);

  // Cancelled by the shop, with the reason said.
  await staff.goto(`/admin/orders/${refused}`);
  await waitForHydration(staff);
  await staff.getByTestId("staff-cancel-form").getByLabel(words.t("admin.reason")).fill("out of this colour");
  await submit(staff, "staff-cancel-form");
  await expect(staff.getByTestId("order-status")).toHaveAttribute("data-status", "cancelled");
  await expect(staff.getByTestId("status-entry").nth(1)).toContainText("out of this colour");

  await page.goto(`/orders/${refused}`);
  await expectStatus(page, "cancelled", words);
  await expect(page.getByTestId("cancelled-by")).toHaveAttribute("data-by", "shop");
  await expect(page.getByTestId("status-reason")).toHaveText(
    words.t("orders.reason_is", { reason: "out of this colour" }),
  );
  await expect(page.getByTestId("refunded")).toHaveText(
    words.t("orders.refunded", { points: words.points(paid) }),
  );

  // The staff's list finds each by its status.
  await staff.goto(`/admin/orders?status=cancelled&user_id=${userId}`);
  const rows = staff.getByTestId("admin-order-row");
  await expect(rows).toHaveCount(1);
  await expect(rows).toHaveAttribute("data-order-id", String(refused));
  await staff.context().close();
});

test("staff adjust a customer's points with a reason", async ({ page, browser, lang, words, baseURL }) => {
  const customerId = await signup(page.request, uniqueId("loyal"));
  await charge(page.request, 10_000);
  const staff = await staffPage(browser, baseURL!, lang, "support");

  await staff.goto(`/admin/customers/${customerId}`);
  await waitForHydration(staff);
  await expect(staff.getByTestId("customer-points")).toHaveAttribute("data-points", "10000");
  const form = staff.getByTestId("adjust-points-form");
  await form.getByLabel(words.t("admin.points_delta")).fill("2500");
  await form.getByLabel(words.t("admin.reason")).fill("sorry for the delay");
  await submit(staff, "adjust-points-form");
  await expect(staff.getByTestId("customer-points")).toHaveAttribute("data-points", "12500");
  const row = staff.getByTestId("customer-ledger-row").first();
  await expect(row).toHaveAttribute("data-kind", "adjustment");
  await expect(row).toContainText("sorry for the delay");

  await page.goto("/points");
  await expect(page.getByTestId("ledger-row").first()).toHaveAttribute("data-kind", "adjustment");
  await expect(page.getByTestId("balance")).toHaveText(words.points(12_500));
  await staff.context().close();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the shopper's and the staff's forms post and come back", async ({ page, browser, lang, words, baseURL }) => {
    await signup(page.request, uniqueId("nojs_can"));
    const product = await findProduct(page.request, "Crew Socks");
    await charge(page.request, 100_000);
    const home = await addAddress(page.request);
    const mine = await buy(page.request, home, product.id, uniqueId("nojs-a"));
    const theirs = await buy(page.request, home, product.id, uniqueId("nojs-b"));

    await page.goto(`/orders/${mine}`);
    await page.getByTestId("cancel-confirm").check();
    await submit(page, "cancel-form", false);
    await expect(page).toHaveURL(new RegExp(`/orders/${mine}$`));
    await expectStatus(page, "cancelled", words);
    await expect(page.getByTestId("cancelled-by")).toHaveAttribute("data-by", "shopper");

    const staff = await staffPage(browser, baseURL!, lang, "order_manager", false);
    await staff.goto(`/admin/orders/${theirs}`);
    await staff.getByTestId("staff-cancel-form").getByLabel(words.t("admin.reason")).fill("no JS needed");
    await submit(staff, "staff-cancel-form", false);
    await expect(staff).toHaveURL(new RegExp(`/admin/orders/${theirs}$`));
    await expect(staff.getByTestId("order-status")).toHaveAttribute("data-status", "cancelled");
    await staff.context().close();

    await page.goto(`/orders/${theirs}`);
    await expect(page.getByTestId("cancelled-by")).toHaveAttribute("data-by", "shop");
  });
});
