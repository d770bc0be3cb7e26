import type { APIRequestContext, Page } from "@playwright/test";
import { expect, findProduct, test, waitForHydration } from "./fixtures/shop";
import type { Words } from "./fixtures/lang";
import { staffPage } from "./fixtures/staff";

// Every form says what happened, with JavaScript and without: adding to
// the cart, a sold-out coupon, a price out of range on the operator's
// side. With JavaScript the islands say it on the page; without, the next
// page says it once (a flash message), a refused form comes back as typed
// with the message by its field. Either way the shopper hears it once.

const password = "correct horse battery";
const uniqueId = (prefix: string) => `${prefix}_${Date.now() % 1_000_000_000}`;

async function signup(request: APIRequestContext, loginId: string) {
  const res = await request.post("/api/signup", { data: { login_id: loginId, password } });
  expect(res.status()).toBe(201);
}

/** Waits for the page a plain form post comes back to (JS off), or for the islands. */
async function ready(page: Page, js: boolean) {
  if (js) await waitForHydration(page);
}

/** Clicks `button`; without JS, waits for the page the post comes back to. */
async function send(page: Page, js: boolean, click: () => Promise<void>) {
  if (js) {
    await click();
  } else {
    await Promise.all([page.waitForEvent("load"), click()]);
  }
}

/** Every element saying `text` with `role`, on the page as it is. */
function said(page: Page, role: "status" | "alert", text: string) {
  return page.getByRole(role).filter({ hasText: text });
}

for (const js of [false, true]) {
  test.describe(js ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled: js });

    test("adding to the cart says it was added, once", async ({ page, request, words }) => {
      const product = await findProduct(request, "Braided");
      await page.goto(`/products/${product.id}`);
      await ready(page, js);
      await send(page, js, () => page.getByTestId("add-to-cart").click());
      await expect(said(page, "status", words.t("islands.added"))).toHaveCount(1);
      await expect(page.getByTestId("cart-count")).toHaveText("1");
      // A reload says nothing more.
      await page.reload();
      await ready(page, js);
      await expect(page.getByTestId("cart-count")).toHaveText("1");
      await expect(said(page, "status", words.t("islands.added"))).toHaveCount(0);
      await expect(page.getByTestId("flash")).toHaveCount(0);
    });

    test("a coupon someone else took last says it is sold out, once", async ({
      page,
      browser,
      baseURL,
      lang,
      words,
    }) => {
      const staff = await staffPage(browser, baseURL!, lang, "catalog_manager");
      const made = await staff.request.post("/api/admin/coupons", {
        form: { name: `마지막 ${uniqueId("c")}`, kind: "fixed", value: "500", quantity: "1", open: "true" },
      });
      expect(made.status()).toBe(201);
      const campaignId = (await made.json()).id;
      await staff.context().close();

      await signup(page.request, uniqueId(js ? "late_js" : "late"));
      await page.goto("/coupons");
      await ready(page, js);
      const offer = page.locator(`[data-testid="offer"][data-campaign-id="${campaignId}"]`);
      await expect(offer.getByTestId("claim")).toBeVisible();
      const rival = await browser.newContext({ baseURL });
      await signup(rival.request, uniqueId("early"));
      expect((await rival.request.post("/api/coupons/issue", { form: { campaign_id: String(campaignId) } })).status()).toBe(
        201,
      );
      await rival.close();

      await send(page, js, () => offer.getByTestId("claim").click());
      await expect(said(page, "alert", words.t("coupons.sold_out"))).toHaveCount(1);
      await expect(page).toHaveURL(/\/coupons$/);
      await page.reload();
      await ready(page, js);
      await expect(offer.getByTestId("offer-sold-out")).toHaveText(words.t("coupons.sold_out_badge"));
      await expect(said(page, "alert", words.t("coupons.sold_out"))).toHaveCount(0);
    });

    test("a price out of range is refused by its field, as typed", async ({ page, browser, baseURL, lang, words }) => {
      const product = await findProduct(page.request, "Braided");
      const staff = await staffPage(browser, baseURL!, lang, "catalog_manager", js);
      await staff.goto(`/admin/products/${product.id}`);
      await ready(staff, js);
      const form = staff.getByTestId("change-price");
      const price = form.getByLabel(words.t("admin.price_won"));
      await price.fill("100000001");
      // Past what the browser itself would let through.
      await price.evaluate((el) => el.removeAttribute("max"));
      await send(staff, js, () => form.getByRole("button").click());

      const message = priceMessage(words);
      const byField = staff.locator(".field-error").filter({ hasText: message });
      await expect(byField).toHaveCount(1);
      await expect(price).toHaveValue("100000001");
      if (js) {
        // In place: the island put it by the field.
        await expect(staff.getByTestId("flash")).toHaveCount(0);
      } else {
        // The page came back: the field names its message, and the alert
        // at the top of the page leads to it.
        const id = await byField.getAttribute("id");
        await expect(price).toHaveAttribute("aria-describedby", id!);
        await expect(price).toHaveAttribute("aria-invalid", "true");
        await expect(said(staff, "alert", message)).toHaveCount(1);
        await expect(staff.getByTestId("flash").getByRole("link")).toHaveAttribute("href", `#${id}`);
        // Once: a reload shows the price as it is.
        await staff.reload();
        await expect(price).toHaveValue(String(product.price));
        await expect(staff.locator(".field-error")).toHaveCount(0);
      }
      // Nothing changed.
      const after = await staff.request.get(`/api/products/get?id=${product.id}`);
      expect((await after.json()).price).toBe(product.price);
      await staff.context().close();
    });
  });
}

/** The server's words for a price out of range. */
function priceMessage(words: Words): string {
  return words.t("admin.error_price", { max: 100_000_000 });
}

test("the picture's file input stays in its column at 1280 px", async ({ browser, baseURL, lang }) => {
  const staff = await staffPage(browser, baseURL!, lang, "catalog_manager");
  await staff.setViewportSize({ width: 1280, height: 900 });
  const product = await findProduct(staff.request, "Braided");
  await staff.goto(`/admin/products/${product.id}`);
  const file = await staff.getByTestId("picture-form").locator('input[type="file"]').boundingBox();
  const stock = await staff.getByTestId("adjust-stock").boundingBox();
  expect(file && stock).toBeTruthy();
  expect(file!.x + file!.width).toBeLessThanOrEqual(stock!.x);
  await staff.context().close();
});
