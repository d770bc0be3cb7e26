import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { expect, test, waitForHydration } from "./fixtures/shop";
import { t, type Lang } from "./fixtures/lang";
import { staffPage } from "./fixtures/staff";
import { addAddress } from "./fixtures/addresses";

// Sizes: staff give a shoe sizes 250, 260 and 270 (260 sold out); a
// shopper picks 270, with JavaScript and without, sees 260 disabled,
// adds it, checks out and finds "270" on the order; staff add size 280
// and stock it on the product's admin page.

const password = "correct horse battery";

/** A shoe in sizes 250 (3 left), 260 (sold out) and 270 (2 left). */
async function shoe(request: APIRequestContext, stamp: number) {
  const created = await request.post("/api/admin/products", {
    data: { sku: `SIZE-${stamp}`, name: `사이즈 러너 ${stamp}`, name_en: `Sized Runner ${stamp}`, brand: "Hanbit", price: "50000", stock: "3" },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const values = ["250", "260", "270"].map((v) => ({ value: v, value_en: v }));
  const set = await request.post("/api/admin/products/options", {
    data: { product_id: id, options: [{ name: "사이즈", name_en: "Size", values }] },
  });
  expect(set.status()).toBe(200);
  const variants: { variant_id: number; label_en: string }[] = (await set.json()).variants;
  const size270 = variants.find((v) => v.label_en === "Size 270")!;
  const stocked = await request.post("/api/admin/stock/adjust", {
    data: { product_id: id, variant_id: size270.variant_id, delta: 2, reason: "received" },
  });
  expect(stocked.status()).toBe(200);
  return id as number;
}

async function shopperPage(browser: Browser, baseURL: string, lang: Lang, js: boolean): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    locale: lang === "ko" ? "ko-KR" : "en-US",
    extraHTTPHeaders: { "Accept-Language": lang },
    javaScriptEnabled: js,
  });
  const page = await context.newPage();
  const login = `size_${js ? "js" : "nojs"}_${Date.now() % 1_000_000_000}`;
  expect((await page.request.post("/api/signup", { data: { login_id: login, password } })).status()).toBe(201);
  expect((await page.request.post("/api/points/charge", { data: { amount: 100000 } })).status()).toBe(200);
  await addAddress(page.request);
  return page;
}

for (const js of [true, false]) {
  test(`pick size 270 and buy it (JavaScript ${js ? "on" : "off"})`, async ({ browser, baseURL, lang, words }) => {
    const staff = await staffPage(browser, baseURL!, lang, "catalog_manager");
    const id = await shoe(staff.request, Date.now() % 1_000_000_000);
    const page = await shopperPage(browser, baseURL!, lang, js);

    await page.goto(`/products/${id}`);
    if (js) await waitForHydration(page);
    const sizes = page.getByRole("group", { name: lang === "ko" ? "사이즈" : "Size" });
    await expect(sizes).toBeVisible();
    // Sold out: shown, and not to be picked.
    await expect(sizes.getByRole("radio", { name: "260" })).toBeDisabled();
    await expect(sizes.getByRole("radio", { name: "270" })).toBeEnabled();
    // Nothing chosen yet: the price is "from", the button says to choose.
    await expect(page.getByTestId("add-to-cart")).toBeDisabled();
    await expect(page.getByTestId("add-to-cart")).toHaveText(t(lang, "catalog.choose_options"));

    await sizes.getByRole("radio", { name: "270" }).check();
    if (!js) {
      // Without JavaScript the choice is shown by the server.
      await page.getByRole("button", { name: t(lang, "catalog.apply_options") }).click();
      await expect(page).toHaveURL(/o0=270/);
      await expect(page.getByRole("radio", { name: "270" })).toBeChecked();
    }
    await expect(page.getByTestId("price")).toHaveText(words.won(50_000));
    await expect(page.getByTestId("stock")).toHaveText(t(lang, "catalog.left_in_stock", { count: 2 }));
    await expect(page.getByTestId("add-to-cart")).toBeEnabled();
    await page.getByTestId("add-to-cart").click();
    await expect(page.getByTestId("cart-count")).toHaveText("1");

    await page.goto("/cart");
    await expect(page.getByTestId("cart-line-label")).toHaveText(`${lang === "ko" ? "사이즈" : "Size"} 270`);
    await page.goto("/checkout");
    if (js) await waitForHydration(page);
    await expect(page.getByTestId("checkout-line-label")).toContainText("270");
    await page.getByTestId("place-order").click();
    await expect(page).toHaveURL(/\/orders\/\d+$/);
    await expect(page.getByTestId("order-line-label")).toHaveText(`${lang === "ko" ? "사이즈" : "Size"} 270`);
    // The line links back to the size bought.
    await page.getByTestId("order-line").getByRole("link").click();
    await expect(page.getByRole("radio", { name: "270" })).toBeChecked();
    await expect(page.getByTestId("stock")).toHaveText(t(lang, "catalog.left_in_stock", { count: 1 }));
    await page.context().close();
    await staff.context().close();
  });
}

test("staff add a size and stock it", async ({ browser, baseURL, lang }) => {
  const staff = await staffPage(browser, baseURL!, lang, "catalog_manager");
  const id = await shoe(staff.request, Date.now() % 1_000_000_000);
  await staff.goto(`/admin/products/${id}`);
  await waitForHydration(staff);
  await expect(staff.getByTestId("variant")).toHaveCount(3);

  // A new value in the first option's first blank row.
  const editor = staff.getByTestId("option-editor-0");
  await editor.locator('input[name="options[0][values][3][value]"]').fill("280");
  await Promise.all([
    staff.waitForEvent("load"),
    staff.getByTestId("options-form").locator("button[type=submit]").click(),
  ]);
  await waitForHydration(staff);
  await expect(staff.getByTestId("variant")).toHaveCount(4);

  // Stock it: the stock form names the variant.
  const form = staff.getByTestId("adjust-stock");
  const label = lang === "ko" ? "사이즈 280" : "Size 280";
  const option = form.locator("select[name=variant_id] option", { hasText: label });
  await form.locator("select[name=variant_id]").selectOption(await option.getAttribute("value"));
  await form.locator("input[name=delta]").fill("5");
  await Promise.all([staff.waitForEvent("load"), form.locator("button[type=submit]").click()]);
  await waitForHydration(staff);
  const row = staff.getByTestId("variant").filter({ hasText: label });
  await expect(row.getByTestId("variant-stock")).toHaveText("5");

  // Shoppers see it at once.
  const product = await (await staff.request.get(`/api/products/get?id=${id}`)).json();
  const size280 = product.variants.find((v: { label: string }) => v.label.endsWith("280"));
  expect(size280.stock).toBe(5);
  await staff.context().close();
});

test("the pages of a product with sizes are axe clean", async ({ browser, baseURL, lang }) => {
  test.setTimeout(60_000);
  const staff = await staffPage(browser, baseURL!, lang, "catalog_manager");
  const id = await shoe(staff.request, Date.now() % 1_000_000_000);
  for (const path of [`/products/${id}`, `/admin/products/${id}`]) {
    await staff.goto(path);
    await waitForHydration(staff);
    const results = await new AxeBuilder({ page: staff }).analyze();
    const found = results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
    expect(found, `axe on ${path}`).toEqual([]);
  }
  await staff.context().close();
});
