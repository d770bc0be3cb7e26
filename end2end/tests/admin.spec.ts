import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { expect, test, waitForHydration } from "./fixtures/shop";
import { t, type Lang } from "./fixtures/lang";
import { grant } from "./fixtures/staff";
import { addAddress } from "./fixtures/addresses";

// The operator's side end to end: an admin made on the command line stocks
// the shop, a shopper buys, the admin follows the stock, changes the price
// and takes the product off sale, and the audit log shows every step.

const password = "correct horse battery";
// An 8×8 PNG: small, and a real picture the server decodes.
const picture = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4UaGBFTEMLQkAUtVaAV8W4QQAAAAASUVORK5CYII=",
  "base64",
);

async function signup(request: APIRequestContext, loginId: string) {
  const res = await request.post("/api/signup", { data: { login_id: loginId, password } });
  expect(res.status()).toBe(201);
}

async function shopper(browser: Browser, baseURL: string, lang: Lang): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    locale: lang === "ko" ? "ko-KR" : "en-US",
    extraHTTPHeaders: { "Accept-Language": lang },
  });
  return context.newPage();
}

/** Submits the admin form `testId` and waits for its page to come back. */
async function submit(page: Page, testId: string) {
  const form = page.getByTestId(testId);
  await Promise.all([page.waitForEvent("load"), form.locator("button[type=submit]").click()]);
  await waitForHydration(page);
}

test("an admin stocks the shop, a shopper buys, and the audit log tells it", async ({
  page,
  context,
  browser,
  lang,
  baseURL,
}) => {
  const stamp = Date.now() % 1_000_000_000;
  const admin = `boss_${stamp}`;
  await signup(context.request, admin);
  grant(baseURL!, admin, "admin");

  // The header links staff to the admin's side.
  await page.goto("/");
  await page.getByTestId("admin-link").click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.locator("h1")).toHaveText(t(lang, "admin.dashboard"));

  // A new product, then its picture.
  await page.goto("/admin/products/new");
  await waitForHydration(page);
  const sku = `LAMP-${stamp}`;
  const name = { ko: `달빛 조명 ${stamp}`, en: `Moonlight Lamp ${stamp}` };
  await page.getByLabel(t(lang, "admin.sku")).fill(sku);
  await page.getByLabel(t(lang, "admin.name_ko")).fill(name.ko);
  await page.getByLabel(t(lang, "admin.name_en")).fill(name.en);
  await page.getByLabel(t(lang, "admin.brand"), { exact: true }).fill("Lumen");
  await page.getByLabel(t(lang, "admin.price_won")).fill("30000");
  await page.getByLabel(t(lang, "admin.starting_stock")).fill("10");
  await page.getByRole("button", { name: t(lang, "admin.create") }).click();
  await expect(page).toHaveURL(/\/admin\/products\/\d+$/);
  const id = Number(page.url().split("/").pop());
  await expect(page.getByTestId("admin-product-name")).toHaveText(name.ko);
  await page.getByLabel(t(lang, "admin.new_picture")).setInputFiles({
    name: "lamp.png",
    mimeType: "image/png",
    buffer: picture,
  });
  await submit(page, "picture-form");
  await expect(page.getByTestId("admin-picture")).toHaveAttribute("src", /^\/uploads\/[0-9a-f]{64}-card\.(png|jpg)$/);

  // A shopper finds it and buys it.
  const buyer = await shopper(browser, baseURL!, lang);
  await signup(buyer.request, `buyer_${stamp}`);
  await buyer.goto(`/?q=${encodeURIComponent(name[lang])}`);
  await expect(buyer.getByTestId("product-card")).toHaveCount(1);
  await expect(buyer.getByTestId("product-card")).toContainText(name[lang]);
  expect((await buyer.request.post("/api/points/charge", { data: { amount: 200000 } })).status()).toBe(200);
  const address_id = String(await addAddress(buyer.request));
  const bought = await buyer.request.post("/api/orders/place", {
    data: { idempotency_key: `lamp-${stamp}`, address_id, items: [{ product_id: id, quantity: 1 }] },
  });
  expect(bought.status()).toBe(201);

  // The admin sees the stock fall with a sale movement, and adjusts it.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId("admin-stock")).toHaveText("9");
  await expect(page.getByTestId("movement").first()).toHaveAttribute("data-reason", "sale");
  const adjust = page.getByTestId("adjust-stock");
  await adjust.getByLabel(t(lang, "admin.delta")).fill("5");
  await adjust.getByLabel(t(lang, "admin.reason")).selectOption("received");
  await adjust.getByLabel(t(lang, "admin.note")).fill("new delivery");
  await submit(page, "adjust-stock");
  await expect(page.getByTestId("admin-stock")).toHaveText("14");
  await expect(page.getByTestId("movement").first()).toHaveAttribute("data-reason", "adjustment");

  // The price changes: the shopper's cart shows the old one struck through.
  expect((await buyer.request.post("/api/cart/add", { data: { product_id: id, quantity: 1 } })).status()).toBe(200);
  await page.getByTestId("change-price").getByLabel(t(lang, "admin.price_won")).fill("25000");
  await submit(page, "change-price");
  await expect(page.getByTestId("price-history")).toContainText(admin);
  await buyer.goto("/cart");
  await expect(buyer.getByTestId("price-was")).toBeVisible();
  expect(await buyer.getByTestId("price-was").evaluate((el) => getComputedStyle(el).textDecorationLine)).toContain(
    "line-through",
  );

  // Off sale: the shopper's product page is 404.
  await submit(page, "sale-form");
  await expect(page.getByTestId("sale-state")).toHaveAttribute("data-on-sale", "false");
  const gone = await buyer.goto(`/products/${id}`);
  expect(gone?.status()).toBe(404);

  // The audit log tells each step, newest first.
  await page.goto(`/admin/audit?target=product:${id}`);
  await expect(page.getByTestId("audit-entry")).toHaveCount(5);
  const kinds = await page
    .getByTestId("audit-entry")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));
  expect(kinds).toEqual(["product.sale", "product.price", "stock.adjusted", "product.picture", "product.created"]);

  // A shopper opening any admin page gets 403.
  for (const adminPage of [
    "/admin",
    "/admin/products",
    `/admin/products/${id}`,
    "/admin/orders",
    "/admin/customers",
    "/admin/platform",
    "/admin/staff",
    "/admin/audit",
  ]) {
    const res = await buyer.goto(adminPage);
    expect(res?.status(), adminPage).toBe(403);
  }
  await buyer.context().close();
});
