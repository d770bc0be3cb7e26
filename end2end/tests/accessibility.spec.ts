import AxeBuilder from "@axe-core/playwright";
import { expect, test, waitForHydration } from "./fixtures/shop";
import type { Lang } from "./fixtures/lang";
import type { Page } from "@playwright/test";
import { grant } from "./fixtures/staff";

// axe-core on every page, as a guest and logged in, once the page has
// hydrated: any violation fails the test, listed with the elements at fault.
// Each project runs it in its language, which the page must say it is in.
async function expectNoViolations(page: Page, path: string, lang: Lang) {
  await page.goto(path);
  await waitForHydration(page);
  await expect(page.locator("html"), `<html lang> of ${path}`).toHaveAttribute("lang", lang);
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(found, `axe on ${path}`).toEqual([]);
}

// Every page has one h1, a title and a meta description.
async function expectFindable(page: Page, path: string) {
  await expect(page.locator("h1"), `one h1 on ${path}`).toHaveCount(1);
  expect((await page.title()).length, `title of ${path}`).toBeGreaterThan(0);
  const description = page.locator('meta[name="description"]');
  await expect(description, `one meta description on ${path}`).toHaveCount(1);
  expect(((await description.getAttribute("content")) ?? "").length).toBeGreaterThan(20);
}

// axe takes two to three seconds a page, and a test walks up to a dozen.
test.describe.configure({ timeout: 90_000 });

const guestPages = ["/", "/?q=sneakers", "/products/1", "/cart", "/login", "/signup", "/best-sellers", "/no-such-page"];

test("every page a guest sees passes axe and can be found", async ({ page, lang }) => {
  for (const path of guestPages) {
    await expectNoViolations(page, path, lang);
    await expectFindable(page, path);
  }
});

test("every page a shopper sees passes axe and can be found", async ({ page, context, lang }) => {
  const login = `axe_${Date.now() % 1_000_000_000}`;
  const api = context.request;
  expect((await api.post("/api/signup", { data: { login_id: login, password: "correct horse battery" } })).status()).toBe(201);
  expect((await api.post("/api/points/charge", { form: { amount: "500000" } })).status()).toBe(200);
  expect((await api.post("/api/likes/add", { form: { product_id: "2" } })).status()).toBe(200);
  const placed = await api.post("/api/orders/place", {
    data: { idempotency_key: `axe-${login}`, items: [{ product_id: 3, quantity: 1 }] },
  });
  expect(placed.status()).toBe(201);
  const { order_id } = await placed.json();
  const another = await api.post("/api/orders/place", {
    data: { idempotency_key: `axe-2-${login}`, items: [{ product_id: 3, quantity: 1 }] },
  });
  expect(another.status()).toBe(201);
  const cancelled = (await another.json()).order_id;
  const cancel = await api.post("/api/orders/cancel", {
    data: { order_id: cancelled, idempotency_key: `axe-cancel-${login}`, reason: "changed my mind" },
  });
  expect(cancel.status()).toBe(200);
  expect((await api.post("/api/cart/add", { form: { product_id: "1", quantity: "2" } })).status()).toBe(200);

  for (const path of [
    "/",
    "/products/1",
    "/cart",
    "/checkout",
    "/account",
    "/points",
    "/likes",
    "/orders",
    `/orders/${order_id}`,
    `/orders/${cancelled}`,
    "/best-sellers",
  ]) {
    await expectNoViolations(page, path, lang);
    await expectFindable(page, path);
  }
});

test("every page an admin sees passes axe and can be found", async ({ page, context, lang, baseURL }) => {
  const login = `axe_admin_${Date.now() % 1_000_000_000}`;
  const api = context.request;
  const signedUp = await api.post("/api/signup", { data: { login_id: login, password: "correct horse battery" } });
  expect(signedUp.status()).toBe(201);
  const { user_id } = await signedUp.json();
  grant(baseURL!, login, "admin");
  // An order of their own, placed, so its page has the forms staff use.
  expect((await api.post("/api/points/charge", { form: { amount: "500000" } })).status()).toBe(200);
  const placed = await api.post("/api/orders/place", {
    data: { idempotency_key: `axe-${login}`, items: [{ product_id: 3, quantity: 1 }] },
  });
  expect(placed.status()).toBe(201);
  const { order_id } = await placed.json();
  for (const path of [
    "/admin",
    "/admin/products",
    "/admin/products/new",
    "/admin/products/1",
    "/admin/orders",
    `/admin/orders/${order_id}`,
    "/admin/customers",
    `/admin/customers/${user_id}`,
    "/admin/platform",
    "/admin/staff",
    "/admin/audit",
  ]) {
    await expectNoViolations(page, path, lang);
    await expectFindable(page, path);
  }
});
