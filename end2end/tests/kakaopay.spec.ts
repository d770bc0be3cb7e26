import * as fs from "fs";
import * as path from "path";
import type { APIRequestContext, Page } from "@playwright/test";
import { AccountForms } from "./fixtures/accounts";
import { expect, test } from "./fixtures/shop";
import { staffPage } from "./fixtures/staff";
import type { Words } from "./fixtures/lang";

/**
 * Charging points with KakaoPay, on the servers that charge through the
 * KakaoPay sandbox (scripts/e2e-server.sh PORT BACKEND kakaopay): the
 * shopper leaves the points page for KakaoPay's page, pays, cancels or is
 * declined there, and comes back to the points page, which says how it
 * went. Plain forms and redirects: the same with JavaScript off.
 */

/** The sandbox of the server at `baseURL` (target/e2e/<port>.json). */
function sandboxOf(baseURL: string): string {
  const port = new URL(baseURL).port;
  const target = process.env.CARGO_TARGET_DIR ?? path.resolve(__dirname, "../../target");
  const info = JSON.parse(fs.readFileSync(path.join(target, "e2e", `${port}.json`), "utf8"));
  expect(info.kakaopay, "this server charges through the sandbox").toMatch(/^http/);
  return info.kakaopay;
}

async function faults(request: APIRequestContext, sandbox: string, faults: Record<string, string>) {
  const res = await request.post(`${sandbox}/_sandbox/faults`, { data: faults });
  expect(res.ok()).toBeTruthy();
}

/**
 * Signs a new shopper up (the signup form with JavaScript, the API in the
 * page's own cookie jar without) and sends them from the points page to
 * KakaoPay to pay `amount`.
 */
async function toKakaoPay(page: Page, lang: "ko" | "en", words: Words, sandbox: string, amount: number, js = true) {
  const login = `kp_${Date.now() % 1_000_000_000}`;
  if (js) {
    await new AccountForms(page, lang).signup(login, "correct horse battery");
  } else {
    const res = await page.request.post("/api/signup", { data: { login_id: login, password: "correct horse battery" } });
    expect(res.status()).toBe(201);
  }
  await page.goto("/points");
  await expect(page.getByTestId("paid-points")).toHaveText(words.t("points.paid_notice"));
  await expect(page.getByTestId("demo-points")).toHaveCount(0);
  await page.getByLabel(words.t("points.amount")).fill(String(amount));
  await page.getByRole("button", { name: words.t("points.pay_button"), exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`^${sandbox.replace(/[.]/g, "\\.")}/`));
  await expect(page.getByTestId("sandbox-amount")).toHaveText(`${amount.toLocaleString("en-US")}원`);
  await expect(page.getByTestId("sandbox-item-name")).toHaveText(words.t("points.item_name"));
}

for (const js of [true, false]) {
  test.describe(js ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled: js });

    test("pay with KakaoPay: back on the points page, the balance up", async ({ page, lang, words, baseURL }) => {
      const sandbox = sandboxOf(baseURL!);
      await toKakaoPay(page, lang, words, sandbox, 20_000, js);
      await page.getByTestId("sandbox-pay").click();
      await expect(page).toHaveURL(/\/points\?charge=\d+$/);
      await expect(page.getByTestId("flash")).toHaveText(
        words.t("points.returned_paid", { charged: words.points(20_000), points: words.points(20_000) }),
      );
      await expect(page.getByTestId("points-balance")).toHaveText(words.points(20_000));
      await expect(page.getByTestId("charge-row").first()).toHaveAttribute("data-status", "paid");
      await expect(page.getByTestId("charge-row").first()).toContainText(words.t("points.status_paid"));
      await expect(page.getByTestId("ledger-row")).toHaveCount(1);
      // Back again (the browser's history): nothing more is charged.
      await page.goBack();
      await page.goto("/points");
      await expect(page.getByTestId("points-balance")).toHaveText(words.points(20_000));
    });
  });
}

test("cancel at KakaoPay: nothing charged, the page says so", async ({ page, lang, words, baseURL }) => {
  const sandbox = sandboxOf(baseURL!);
  await toKakaoPay(page, lang, words, sandbox, 5_000);
  await page.getByTestId("sandbox-cancel").click();
  await expect(page).toHaveURL(/\/points\?charge=\d+$/);
  await expect(page.getByTestId("flash")).toHaveText(words.t("points.returned_cancelled"));
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(0));
  await expect(page.getByTestId("charge-row").first()).toHaveAttribute("data-status", "cancelled");
});

test("a declined card: nothing charged, and why", async ({ page, lang, words, baseURL, request }) => {
  const sandbox = sandboxOf(baseURL!);
  await toKakaoPay(page, lang, words, sandbox, 7_000);
  await faults(request, sandbox, { approve: "decline" });
  try {
    await page.getByTestId("sandbox-pay").click();
    await expect(page).toHaveURL(/\/points\?charge=\d+$/);
  } finally {
    await faults(request, sandbox, { approve: "ok" });
  }
  // The shop's words, then KakaoPay's reason.
  const said = words.t("points.returned_failed_why", { why: "" });
  await expect(page.getByTestId("flash")).toContainText(said.trim());
  await expect(page.getByTestId("flash")).toHaveAttribute("data-tone", "refused");
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(0));
  await expect(page.getByTestId("charge-row").first()).toHaveAttribute("data-status", "failed");
});

test("staff refund a paid charge from the customer page; the platform page counts payments", async ({
  page,
  lang,
  words,
  baseURL,
  browser,
}) => {
  const sandbox = sandboxOf(baseURL!);
  await toKakaoPay(page, lang, words, sandbox, 12_000);
  await page.getByTestId("sandbox-pay").click();
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(12_000));
  const me = await (await page.request.get("/api/me")).json();

  // Support staff, without JavaScript: the refund is a plain form.
  const staff = await staffPage(browser, baseURL!, lang, "support", false);
  await staff.goto(`/admin/customers/${me.user_id}`);
  const row = staff.getByTestId("customer-charge-row").first();
  await expect(row).toHaveAttribute("data-status", "paid");
  await row.getByLabel(words.t("admin.reason")).fill("asked by phone");
  await row.getByRole("button", { name: words.t("admin.refund_button"), exact: true }).click();
  await expect(staff.getByTestId("flash")).toHaveText(words.t("flash.points_adjusted", { points: words.points(0) }));
  await expect(staff.getByTestId("customer-charge-row").first()).toHaveAttribute("data-status", "refunded");
  await expect(staff.getByTestId("refund-charge-form")).toHaveCount(0);

  await page.goto("/points");
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(0));
  await expect(page.getByTestId("charge-row").first()).toHaveAttribute("data-status", "refunded");

  await staff.goto("/admin/platform");
  await expect(staff.getByTestId("payments-pending")).toHaveText(/^\d+$/);
  await expect(staff.getByTestId("payments-failing")).toHaveText("0");
  await expect(staff.getByTestId("payments-refunding")).toHaveText("0");
  await staff.context().close();
});
