import AxeBuilder from "@axe-core/playwright";
import { expect, test, variantOf, waitForHydration } from "./fixtures/shop";
import type { Lang } from "./fixtures/lang";
import type { APIRequestContext, Page } from "@playwright/test";
import { grant } from "./fixtures/staff";
import { addAddress } from "./fixtures/addresses";

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

let staffCount = 0;

/**
 * `request` (a context of its own, not the page's) logged in as a new
 * catalog manager, who may make coupon campaigns.
 */
async function couponStaff(request: APIRequestContext, baseURL: string) {
  const login = `axe_ops_${Date.now() % 1_000_000_000}_${++staffCount}`;
  expect((await request.post("/api/signup", { data: { login_id: login, password: "correct horse battery" } })).status()).toBe(201);
  grant(baseURL, login, "catalog_manager");
}

/** An open coupon campaign made through the API; its id. */
async function openCampaign(request: APIRequestContext, fields: Record<string, string>): Promise<number> {
  const res = await request.post("/api/admin/coupons", { form: { kind: "fixed", value: "1000", open: "true", ...fields } });
  expect(res.status()).toBe(201);
  return (await res.json()).id;
}

// axe takes two to three seconds a page, and a test walks up to a dozen.
test.describe.configure({ timeout: 90_000 });

const guestPages = ["/", "/?q=sneakers", "/products/1", "/cart", "/login", "/signup", "/best-sellers", "/no-such-page"];

test("every page a guest sees passes axe and can be found", async ({ page, request, lang, baseURL }) => {
  // Campaigns to show on /coupons, each with its way to log in.
  await couponStaff(request, baseURL!);
  await openCampaign(request, { name: `손님 쿠폰 ${Date.now()}`, min_order: "30000", quantity: "5" });
  await openCampaign(request, { name: `정률 쿠폰 ${Date.now()}`, kind: "percent", value: "15", max_discount: "9000" });
  for (const path of [...guestPages, "/coupons"]) {
    await expectNoViolations(page, path, lang);
    await expectFindable(page, path);
  }
});

test("every page a shopper sees passes axe and can be found", async ({ page, context, request, lang, baseURL }) => {
  const login = `axe_${Date.now() % 1_000_000_000}`;
  const api = context.request;
  expect((await api.post("/api/signup", { data: { login_id: login, password: "correct horse battery" } })).status()).toBe(201);
  expect((await api.post("/api/points/charge", { form: { amount: "500000" } })).status()).toBe(200);
  expect((await api.post("/api/likes/add", { form: { product_id: "2" } })).status()).toBe(200);
  // Two addresses: the address book lists both, checkout offers both.
  const address_id = String(await addAddress(api, { label: "집", memo: "문 앞에 놓아 주세요" }));
  await addAddress(api, { label: "회사", recipient: "김철수", phone: "02-123-4567", address2: "" });
  // Products 1 and 7 (a tee, 200 in stock) come in sizes: lines name one.
  const tee = (await variantOf(api, 7)).variant_id;
  const runners = (await variantOf(api, 1)).variant_id;
  const placed = await api.post("/api/orders/place", {
    data: { idempotency_key: `axe-${login}`, address_id, items: [{ product_id: 7, variant_id: tee, quantity: 1 }] },
  });
  expect(placed.status()).toBe(201);
  const { order_id } = await placed.json();
  const another = await api.post("/api/orders/place", {
    data: { idempotency_key: `axe-2-${login}`, address_id, items: [{ product_id: 7, variant_id: tee, quantity: 1 }] },
  });
  expect(another.status()).toBe(201);
  const cancelled = (await another.json()).order_id;
  const cancel = await api.post("/api/orders/cancel", {
    data: { order_id: cancelled, idempotency_key: `axe-cancel-${login}`, reason: "changed my mind" },
  });
  expect(cancel.status()).toBe(200);
  expect(
    (await api.post("/api/cart/add", { form: { product_id: "1", variant_id: String(runners), quantity: "2" } })).status(),
  ).toBe(200);
  // Two coupons: one spent on an order, one to choose at checkout; a
  // campaign left to claim.
  await couponStaff(request, baseURL!);
  const spent = await openCampaign(request, { name: `사용한 쿠폰 ${login}` });
  const kept = await openCampaign(request, { name: `남은 쿠폰 ${login}`, kind: "percent", value: "10", max_discount: "5000" });
  await openCampaign(request, { name: `받을 쿠폰 ${login}`, min_order: "50000", quantity: "100" });
  for (const campaign_id of [spent, kept]) {
    expect((await api.post("/api/coupons/issue", { form: { campaign_id: String(campaign_id) } })).status()).toBe(201);
  }
  const coupons: { coupon_id: number; campaign_id: number }[] = (await (await api.get("/api/coupons")).json()).items;
  const couponOf = (campaign: number) => coupons.find((c) => c.campaign_id === campaign)!.coupon_id;
  const discounted = await api.post("/api/orders/place", {
    data: {
      idempotency_key: `axe-coupon-${login}`,
      address_id,
      items: [{ product_id: 7, variant_id: tee, quantity: 1 }],
      coupon_id: String(couponOf(spent)),
    },
  });
  expect(discounted.status()).toBe(201);
  const couponOrder = (await discounted.json()).order_id;

  for (const path of [
    "/",
    "/products/1",
    "/cart",
    "/checkout",
    `/checkout?coupon_id=${couponOf(kept)}`,
    "/coupons",
    `/orders/${couponOrder}`,
    "/account",
    "/account/addresses",
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
  const tee = (await variantOf(api, 7)).variant_id;
  const address_id = String(await addAddress(api));
  const placed = await api.post("/api/orders/place", {
    data: { idempotency_key: `axe-${login}`, address_id, items: [{ product_id: 7, variant_id: tee, quantity: 1 }] },
  });
  expect(placed.status()).toBe(201);
  const { order_id } = await placed.json();
  const campaign = await openCampaign(api, {
    name: `관리 쿠폰 ${login}`,
    name_en: `Admin coupon ${login}`,
    kind: "percent",
    value: "5",
    max_discount: "2000",
    quantity: "20",
    valid_from: "2026-01-01T00:00",
    valid_until: "2099-12-31T23:59",
  });
  for (const path of [
    "/admin",
    "/admin/products",
    "/admin/products/new",
    "/admin/products/1",
    "/admin/orders",
    // Placed orders, each with its courier and tracking number to fill in.
    "/admin/orders?status=placed",
    `/admin/orders/${order_id}`,
    "/admin/customers",
    `/admin/customers/${user_id}`,
    "/admin/platform",
    "/admin/staff",
    "/admin/audit",
    "/admin/coupons",
    `/admin/coupons/${campaign}`,
    "/coupons",
  ]) {
    await expectNoViolations(page, path, lang);
    await expectFindable(page, path);
  }
});

test("the sign-in pages with a provider pass axe: its button, its refusals, an account it made", async ({
  page,
  lang,
  words,
}) => {
  for (const path of ["/login?sign_in=denied&next=%2Fcart", "/signup"]) {
    await expectNoViolations(page, path, lang);
    await expect(page.getByRole("link", { name: words.t("account.sign_in_with", { provider: "Test ID" }) })).toBeVisible();
  }
  // Signed in through the provider: no password, a login id to change once.
  await page.goto("/login");
  await page.getByRole("link", { name: words.t("account.sign_in_with", { provider: "Test ID" }) }).click();
  await page.locator('input[name="login"]').fill(`axe_op_${Date.now() % 1_000_000_000}`);
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click();
  await expect(page.getByTestId("current-user")).toBeVisible();
  for (const path of ["/account", "/account?sign_in=taken"]) {
    await expectNoViolations(page, path, lang);
    await expectFindable(page, path);
  }
  await expect(page.getByTestId("set-password-form")).toBeVisible();
  await expect(page.getByTestId("change-login-id-form")).toBeVisible();
});
