import AxeBuilder from "@axe-core/playwright";
import * as fs from "fs";
import * as path from "path";
import type { Page } from "@playwright/test";
import { AccountForms } from "./fixtures/accounts";
import { expect, findProduct, test, variantOf, waitForHydration } from "./fixtures/shop";
import type { Lang, Words } from "./fixtures/lang";
import { addAddress, shippingFee } from "./fixtures/addresses";

/**
 * Paying an order with points and KakaoPay together (복합결제), on the
 * servers that pay through the KakaoPay sandbox: checkout takes the points
 * to use and sends the rest to KakaoPay; back from it, the order's page
 * says how it went. An order left at KakaoPay waits on its page with "pay
 * now"; cancelling at KakaoPay cancels the order. Plain forms and
 * redirects: the same with JavaScript off.
 */

function sandboxOf(baseURL: string): string {
  const port = new URL(baseURL).port;
  const target = process.env.CARGO_TARGET_DIR ?? path.resolve(__dirname, "../../target");
  const info = JSON.parse(fs.readFileSync(path.join(target, "e2e", `${port}.json`), "utf8"));
  expect(info.kakaopay, "this server pays through the sandbox").toMatch(/^http/);
  return info.kakaopay;
}

/** axe finds nothing wrong with the page as it is now, hydrated. */
async function expectAccessible(page: Page) {
  await waitForHydration(page);
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(found, `axe on ${page.url()}`).toEqual([]);
}

const atSandbox = (sandbox: string) => new RegExp(`^${sandbox.replace(/[.]/g, "\\.")}/`);

/** A new shopper (the signup form with JavaScript, the API without). */
async function signUp(page: Page, lang: Lang, js: boolean, prefix: string) {
  const login = `${prefix}_${Date.now() % 1_000_000_000}`;
  if (js) {
    await new AccountForms(page, lang).signup(login, "correct horse battery");
  } else {
    const res = await page.request.post("/api/signup", { data: { login_id: login, password: "correct horse battery" } });
    expect(res.status()).toBe(201);
  }
}

/** Points charged through KakaoPay, from the points page. */
async function chargePoints(page: Page, words: Words, sandbox: string, amount: number) {
  await page.goto("/points");
  await page.getByLabel(words.t("points.amount")).fill(String(amount));
  await page.getByRole("button", { name: words.t("points.pay_button"), exact: true }).click();
  await expect(page).toHaveURL(atSandbox(sandbox));
  await page.getByTestId("sandbox-pay").click();
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(amount));
}

/**
 * Two pairs of socks (12,900 each) in my cart, and an address to send
 * them to: 25,800 won, below the free-shipping threshold.
 */
async function socksInCart(page: Page) {
  const socks = await findProduct(page.request, "Socks");
  expect(socks.price).toBe(12_900);
  const variant = await variantOf(page.request, socks.id);
  const res = await page.request.post("/api/cart/add", {
    data: { product_id: socks.id, variant_id: variant.variant_id, quantity: 2 },
  });
  expect(res.status()).toBe(200);
  await addAddress(page.request);
}

/** The socks and their delivery: what the order costs. */
const TOTAL = 25_800 + shippingFee(25_800);

/** From checkout to KakaoPay's page, spending `points`. */
async function checkOut(page: Page, words: Words, sandbox: string, points: number, rest: number) {
  expect(points + rest).toBe(TOTAL);
  await page.goto("/checkout");
  await expect(page.getByTestId("checkout-shipping-fee")).toHaveText(words.won(shippingFee(25_800)));
  await expect(page.getByTestId("checkout-total")).toHaveText(words.won(TOTAL));
  await page.getByTestId("points-to-use").fill(String(points));
  await page.getByRole("button", { name: words.t("checkout.pay_with_kakaopay"), exact: true }).click();
  await expect(page).toHaveURL(atSandbox(sandbox));
  await expect(page.getByTestId("sandbox-amount")).toHaveText(`${rest.toLocaleString("en-US")}원`);
}

for (const js of [true, false]) {
  test.describe(js ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled: js });

    test("points and KakaoPay pay one order", async ({ page, lang, words, baseURL }) => {
      const sandbox = sandboxOf(baseURL!);
      await signUp(page, lang, js, "mix");
      await chargePoints(page, words, sandbox, 10_000);
      await socksInCart(page);
      await page.goto("/checkout");
      // All the points I have, at first; the rest with KakaoPay.
      await expect(page.getByTestId("points-to-use")).toHaveValue("10000");
      await expect(page.getByTestId("rest-to-pay")).toHaveText(
        words.t("checkout.rest_with_kakaopay", { amount: words.won(TOTAL - 10_000) }),
      );
      await checkOut(page, words, sandbox, 5_000, TOTAL - 5_000);
      await page.getByTestId("sandbox-pay").click();
      await expect(page).toHaveURL(/\/orders\/\d+$/);
      await expect(page.getByTestId("flash")).toHaveText(
        words.t("orders.returned_paid", { amount: words.won(TOTAL - 5_000) }),
      );
      await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "placed");
      await expect(page.getByTestId("order-points")).toHaveText(
        words.t("orders.paid_with", { points: words.points(5_000) }),
      );
      await expect(page.getByTestId("order-service-payment")).toHaveAttribute("data-status", "paid");
      await expect(page.getByTestId("order-service-payment")).toContainText(words.won(TOTAL - 5_000));
      await expect(page.getByTestId("pay-now")).toHaveCount(0);
      await page.goto("/points");
      await expect(page.getByTestId("points-balance")).toHaveText(words.points(5_000));
    });
  });
}

test("an order left at KakaoPay waits on its page, and pay now pays it", async ({ page, lang, words, baseURL }) => {
  const sandbox = sandboxOf(baseURL!);
  await signUp(page, lang, true, "later");
  await socksInCart(page);
  await page.goto("/checkout");
  await expect(page.getByTestId("points-to-use")).toHaveValue("0");
  await expectAccessible(page);
  await checkOut(page, words, sandbox, 0, TOTAL);
  // The shopper leaves KakaoPay's page and finds the order later.
  await page.goto("/orders");
  await expect(page.getByTestId("order-row").first().getByTestId("order-status")).toHaveAttribute(
    "data-status",
    "awaiting_payment",
  );
  await page.getByTestId("order-row").first().getByRole("link").first().click();
  await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "awaiting_payment");
  await expect(page.getByTestId("to-pay")).toContainText(words.won(TOTAL));
  await expect(page.getByTestId("cancel-form")).toHaveCount(1);
  await expectAccessible(page);
  await page.getByTestId("pay-now-button").click();
  await expect(page).toHaveURL(atSandbox(sandbox));
  await page.getByTestId("sandbox-pay").click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "placed");
  await expect(page.getByTestId("pay-now")).toHaveCount(0);
});

test("cancelling at KakaoPay cancels the order and gives the points back", async ({ page, lang, words, baseURL }) => {
  const sandbox = sandboxOf(baseURL!);
  await signUp(page, lang, false, "quit");
  await chargePoints(page, words, sandbox, 3_000);
  await socksInCart(page);
  await checkOut(page, words, sandbox, 3_000, TOTAL - 3_000);
  await page.getByTestId("sandbox-cancel").click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await expect(page.getByTestId("flash")).toHaveText(words.t("orders.returned_cancelled"));
  await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "cancelled");
  await page.goto("/points");
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(3_000));
});
