import type { APIRequestContext, Browser, Locator, Page } from "@playwright/test";
import { expect, findProduct, isSameDocument, markDocument, test, waitForHydration } from "./fixtures/shop";
import { addAddress, shippingFee } from "./fixtures/addresses";
import type { Lang, Words } from "./fixtures/lang";
import { staffPage } from "./fixtures/staff";

// Coupons end to end: staff make a campaign on /admin/coupons, a shopper
// claims it on /coupons, picks it at checkout, pays the discounted total
// in points, and gets it back by cancelling; a campaign that runs out says
// so; and all of it with plain forms when JavaScript is off.

const password = "correct horse battery";
const uniqueId = (prefix: string) => `${prefix}_${Date.now() % 1_000_000_000}`;

async function signup(request: APIRequestContext, loginId: string) {
  const res = await request.post("/api/signup", { data: { login_id: loginId, password } });
  expect(res.status()).toBe(201);
}

async function charge(request: APIRequestContext, amount: number) {
  expect((await request.post("/api/points/charge", { data: { amount } })).status()).toBe(200);
}

async function balance(request: APIRequestContext): Promise<number> {
  const res = await request.get("/api/points");
  expect(res.status()).toBe(200);
  return (await res.json()).points;
}

async function addToCart(request: APIRequestContext, productId: number) {
  expect((await request.post("/api/cart/add", { data: { product_id: productId, quantity: 1 } })).status()).toBe(200);
}

/** The demo catalog's cable: 15,900 won, with stock to spare. */
async function cable(request: APIRequestContext) {
  const product = await findProduct(request, "Braided");
  expect(product.price).toBe(15_900);
  return product;
}

/** A catalog manager, in a browser of their own, in the project's language. */
const catalogManager = (browser: Browser, baseURL: string, lang: Lang, js = true): Promise<Page> =>
  staffPage(browser, baseURL, lang, "catalog_manager", js);

/** A campaign made through the JSON API; its id. */
async function createCampaign(request: APIRequestContext, fields: Record<string, string>): Promise<number> {
  const res = await request.post("/api/admin/coupons", { form: fields });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).id;
}

/** Submits the form `testId` and waits for the page it comes back to. */
async function submit(page: Page, testId: string, js = true) {
  const form = page.getByTestId(testId);
  await Promise.all([page.waitForEvent("load"), form.locator("button[type=submit]").click()]);
  if (js) await waitForHydration(page);
}

const offer = (page: Page, campaignId: number): Locator =>
  page.locator(`[data-testid="offer"][data-campaign-id="${campaignId}"]`);
const myCoupon = (page: Page, campaignId: number): Locator =>
  page.locator(`[data-testid="my-coupon"][data-campaign-id="${campaignId}"]`);

/** A `datetime-local` value in Seoul as the shop writes it. */
function shown(lang: Lang, year: number, month: string, day: string, time: "23:59" | "12:00"): string {
  if (lang === "ko") return `${year}.${month}.${day} ${time}`;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const clock = time === "23:59" ? "11:59 PM" : "12:00 PM";
  return `${months[Number(month) - 1]} ${Number(day)}, ${year}, ${clock} KST`;
}

/** Fills the campaign form `form` (a `new-campaign` or `edit-campaign`). */
async function fillCampaign(
  form: Locator,
  words: Words,
  fields: {
    name: string;
    nameEn: string;
    kind: "fixed" | "percent";
    value: string;
    maxDiscount?: string;
    minOrder: string;
    quantity: string;
    validUntil: string;
  },
) {
  const field = (key: string) => form.getByLabel(words.t(key), { exact: true });
  // A select's name holds its chosen option too.
  await form.getByLabel(words.t("admin.coupon_kind")).selectOption(fields.kind);
  await field("admin.campaign_name_ko").fill(fields.name);
  await field("admin.campaign_name_en").fill(fields.nameEn);
  await field("admin.coupon_value").fill(fields.value);
  await field("admin.max_discount").fill(fields.maxDiscount ?? "");
  await field("admin.min_order").fill(fields.minOrder);
  await field("admin.coupon_quantity").fill(fields.quantity);
  await field("admin.valid_until").fill(fields.validUntil);
  await field("admin.open_to_claim").check();
}

test("staff make a campaign; a shopper claims it, pays less, and gets it back by cancelling", async ({
  page,
  browser,
  lang,
  words,
  baseURL,
}) => {
  const stamp = Date.now() % 1_000_000_000;
  const year = new Date().getFullYear() + 1;
  const names = { ko: `가을 할인 ${stamp}`, en: `Autumn sale ${stamp}` };
  const name = names[lang];

  // Staff: the new campaign's form, then its own page with every field.
  const staff = await catalogManager(browser, baseURL!, lang);
  await staff.goto("/admin/coupons");
  await waitForHydration(staff);
  await expect(staff.locator("h1")).toHaveText(words.t("admin.coupons"));
  const form = staff.getByTestId("new-campaign");
  await fillCampaign(form, words, {
    name: names.ko,
    nameEn: names.en,
    kind: "fixed",
    value: "3000",
    minOrder: "10000",
    quantity: "10",
    validUntil: `${year}-12-31T23:59`,
  });
  await form.getByRole("button", { name: words.t("admin.create_campaign") }).click();
  await expect(staff).toHaveURL(/\/admin\/coupons\/\d+$/);
  await waitForHydration(staff);
  const campaignId = Number(staff.url().split("/").pop());
  await expect(staff.getByTestId("admin-campaign-name")).toHaveText(name);
  await expect(staff.getByTestId("campaign-terms")).toHaveText(words.t("coupons.fixed_off", { amount: words.won(3_000) }));
  await expect(staff.getByTestId("campaign-open")).toHaveAttribute("data-open", "true");
  await expect(staff.getByTestId("campaign-issued")).toHaveText("0");
  await expect(staff.getByTestId("campaign-quantity")).toHaveText("10");
  const edit = staff.getByTestId("edit-campaign");
  await expect(edit.getByLabel(words.t("admin.campaign_name_ko"), { exact: true })).toHaveValue(names.ko);
  await expect(edit.getByLabel(words.t("admin.campaign_name_en"), { exact: true })).toHaveValue(names.en);
  await expect(edit.getByLabel(words.t("admin.coupon_kind"))).toHaveValue("fixed");
  await expect(edit.getByLabel(words.t("admin.coupon_value"), { exact: true })).toHaveValue("3000");
  await expect(edit.getByLabel(words.t("admin.min_order"), { exact: true })).toHaveValue("10000");
  await expect(edit.getByLabel(words.t("admin.coupon_quantity"), { exact: true })).toHaveValue("10");
  await expect(edit.getByLabel(words.t("admin.valid_from"), { exact: true })).toHaveValue("");
  await expect(edit.getByLabel(words.t("admin.valid_until"), { exact: true })).toHaveValue(`${year}-12-31T23:59`);
  await expect(edit.getByLabel(words.t("admin.open_to_claim"), { exact: true })).toBeChecked();

  // The shopper claims it on /coupons, in place.
  await signup(page.request, uniqueId("saver"));
  await charge(page.request, 50_000);
  await addAddress(page.request);
  const product = await cable(page.request);
  await addToCart(page.request, product.id);
  await page.goto("/");
  await page.getByRole("link", { name: words.t("coupons.coupons"), exact: true }).click();
  await expect(page).toHaveURL(/\/coupons$/);
  await waitForHydration(page);
  const card = offer(page, campaignId);
  await expect(card.getByRole("heading")).toHaveText(name);
  await expect(card.getByTestId("offer-terms")).toHaveText(words.t("coupons.fixed_off", { amount: words.won(3_000) }));
  await expect(card).toContainText(words.t("coupons.min_order", { amount: words.won(10_000) }));
  await expect(card.getByTestId("offer-left")).toHaveText(words.t("coupons.left", { count: 10 }));
  await expect(card).toContainText(
    words.t("coupons.valid_is", {
      period: words.t("coupons.period_until", { until: shown(lang, year, "12", "31", "23:59") }),
    }),
  );
  await expect(page.getByTestId("my-coupons-empty")).toHaveText(words.t("coupons.none_yet"));
  await markDocument(page);
  await card.getByRole("button", { name: words.t("coupons.claim") }).click();
  await expect(card.getByTestId("offer-claimed")).toHaveText(words.t("coupons.claimed"));
  await expect(card.getByTestId("offer-left")).toHaveText(words.t("coupons.left", { count: 9 }));
  const mine = myCoupon(page, campaignId);
  await expect(mine.getByTestId("coupon-status")).toHaveAttribute("data-status", "usable");
  await expect(mine.getByTestId("coupon-status")).toHaveText(words.t("coupons.status_usable"));
  expect(await isSameDocument(page)).toBe(true);
  const couponId = await mine.getAttribute("data-coupon-id");

  // Checkout: chosen, it takes 3,000 off; the order pays the rest, and
  // delivery (the cable is below the free-shipping threshold).
  const before = await balance(page.request);
  expect(before).toBe(50_000);
  const fee = shippingFee(product.price - 3_000);
  expect(fee).toBeGreaterThan(0);
  const paid = product.price - 3_000 + fee;
  await page.goto("/checkout");
  await waitForHydration(page);
  await expect(page.getByTestId("checkout-shipping-fee")).toHaveText(words.won(shippingFee(product.price)));
  await expect(page.getByTestId("checkout-total")).toHaveText(words.won(product.price + shippingFee(product.price)));
  await expect(page.getByTestId("checkout-discount")).toHaveCount(0);
  await page
    .getByLabel(words.t("checkout.coupon"))
    .selectOption({ label: words.t("checkout.coupon_option", { name, off: words.won(3_000) }) });
  await Promise.all([page.waitForEvent("load"), page.getByTestId("apply-coupon").click()]);
  await waitForHydration(page);
  await expect(page).toHaveURL(new RegExp(`/checkout\\?coupon_id=${couponId}$`));
  await expect(page.getByTestId("coupon-select")).toHaveValue(couponId!);
  await expect(page.getByTestId("checkout-subtotal")).toHaveText(words.won(product.price));
  await expect(page.getByTestId("checkout-discount")).toHaveText(words.won(-3_000));
  await expect(page.getByTestId("checkout-shipping-fee")).toHaveText(words.won(fee));
  await expect(page.getByTestId("checkout-total")).toHaveText(words.won(paid));
  await page.getByTestId("place-order").click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await waitForHydration(page);
  const orderId = Number(page.url().split("/").pop());
  await expect(page.getByTestId("order-subtotal")).toHaveText(words.won(product.price));
  await expect(page.getByTestId("order-discount")).toHaveText(words.won(-3_000));
  await expect(page.getByTestId("order-shipping-fee")).toHaveText(words.won(fee));
  await expect(page.getByTestId("order-total")).toHaveText(words.won(paid));
  await expect(page.getByTestId("order-points")).toHaveText(words.t("orders.paid_with", { points: words.points(paid) }));
  await expect(page.getByTestId("balance")).toHaveText(words.points(before - paid));
  expect(await balance(page.request)).toBe(before - paid);

  // Spent: my coupons say on which order; staff see it issued and used.
  await page.goto("/coupons");
  await expect(mine.getByTestId("coupon-status")).toHaveAttribute("data-status", "used");
  await expect(mine.getByTestId("coupon-status")).toHaveText(words.t("coupons.status_used"));
  await expect(mine.getByTestId("coupon-order")).toHaveAttribute("href", `/orders/${orderId}`);
  await staff.reload();
  await expect(staff.getByTestId("campaign-issued")).toHaveText("1");
  await expect(staff.getByTestId("campaign-used")).toHaveText("1");
  await staff.goto("/admin/coupons");
  const row = staff.locator(`[data-testid="admin-campaign-row"][data-campaign-id="${campaignId}"]`);
  await expect(row.getByTestId("campaign-issued")).toHaveText("1 / 10");
  await expect(row.getByTestId("campaign-used")).toHaveText("1");

  // Cancelled, the order gives the points and the coupon back.
  await page.goto(`/orders/${orderId}`);
  await waitForHydration(page);
  await page.getByTestId("cancel-confirm").check();
  await submit(page, "cancel-form");
  await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", "cancelled");
  await expect(page.getByTestId("coupon-returned")).toContainText(words.t("orders.coupon_returned"));
  expect(await balance(page.request)).toBe(before);
  await page.goto("/coupons");
  await expect(mine.getByTestId("coupon-status")).toHaveAttribute("data-status", "usable");
  await staff.context().close();
});

test("guests are asked to log in; a campaign that runs out says so; a minimum not met is refused", async ({
  page,
  browser,
  lang,
  words,
  baseURL,
}) => {
  const stamp = Date.now() % 1_000_000_000;
  const staff = await catalogManager(browser, baseURL!, lang);
  const lastOne = await createCampaign(staff.request, {
    name: `마지막 한 장 ${stamp}`,
    name_en: `The last one ${stamp}`,
    kind: "fixed",
    value: "1000",
    quantity: "1",
    open: "true",
  });
  const bigSpender = await createCampaign(staff.request, {
    name: `큰 손 ${stamp}`,
    kind: "percent",
    value: "20",
    max_discount: "50000",
    min_order: "1000000",
    open: "true",
  });
  const closed = await createCampaign(staff.request, { name: `비공개 ${stamp}`, kind: "fixed", value: "500" });
  await staff.context().close();

  // A guest sees the campaigns, each with a way to log in, and no coupons of their own.
  await page.goto("/coupons");
  await waitForHydration(page);
  await expect(offer(page, lastOne).getByRole("link", { name: words.t("coupons.log_in_to_claim") })).toHaveAttribute(
    "href",
    "/login?next=%2Fcoupons",
  );
  await expect(offer(page, lastOne).getByTestId("offer-left")).toHaveText(words.t("coupons.left", { count: 1 }));
  await expect(offer(page, bigSpender).getByTestId("offer-terms")).toHaveText(
    words.t("coupons.percent_off_capped", { percent: 20, cap: words.won(50_000) }),
  );
  await expect(offer(page, bigSpender).getByTestId("offer-left")).toHaveText(words.t("coupons.unlimited"));
  await expect(offer(page, closed)).toHaveCount(0);
  await expect(page.getByTestId("claim")).toHaveCount(0);
  await expect(page.locator("#mine-heading")).toHaveCount(0);

  // Logged in, the page offers the last one; someone else takes it first.
  await signup(page.request, uniqueId("late"));
  await page.reload();
  await waitForHydration(page);
  const last = offer(page, lastOne);
  await expect(last.getByTestId("claim")).toBeVisible();
  const rival = await browser.newContext({ baseURL });
  await signup(rival.request, uniqueId("early"));
  expect((await rival.request.post("/api/coupons/issue", { form: { campaign_id: String(lastOne) } })).status()).toBe(201);
  await rival.close();
  await last.getByTestId("claim").click();
  await expect(page.getByTestId("claim-error")).toHaveText(words.t("coupons.sold_out"));
  await expect(myCoupon(page, lastOne)).toHaveCount(0);
  await page.reload();
  await expect(last.getByTestId("offer-sold-out")).toHaveText(words.t("coupons.sold_out_badge"));
  await expect(last.getByTestId("claim")).toHaveCount(0);

  // A coupon whose minimum the cart does not reach is offered greyed out,
  // and asked for anyway, it is not applied.
  await waitForHydration(page);
  await offer(page, bigSpender).getByTestId("claim").click();
  await expect(offer(page, bigSpender).getByTestId("offer-claimed")).toBeVisible();
  const couponId = await myCoupon(page, bigSpender).getAttribute("data-coupon-id");
  await charge(page.request, 100_000);
  const product = await cable(page.request);
  await addToCart(page.request, product.id);
  await page.goto("/checkout");
  const option = page.getByTestId("coupon-select").locator(`option[value="${couponId}"]`);
  await expect(option).toBeDisabled();
  await expect(option).toHaveText(
    words.t("checkout.coupon_minimum", { name: `큰 손 ${stamp}`, min_order: words.won(1_000_000) }),
  );
  await page.goto(`/checkout?coupon_id=${couponId}`);
  await expect(page.getByTestId("coupon-refused")).toHaveText(words.t("checkout.coupon_refused"));
  await expect(page.getByTestId("checkout-discount")).toHaveCount(0);
  await expect(page.getByTestId("checkout-total")).toHaveText(words.won(product.price + shippingFee(product.price)));
  await expect(page.getByTestId("coupon-select")).toHaveValue("");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("staff make and change a campaign; a shopper claims it and uses it at checkout", async ({
    page,
    browser,
    lang,
    words,
    baseURL,
  }) => {
    const stamp = Date.now() % 1_000_000_000;
    const year = new Date().getFullYear() + 1;
    const names = { ko: `봄맞이 ${stamp}`, en: `Spring ${stamp}` };

    const staff = await catalogManager(browser, baseURL!, lang, false);
    await staff.goto("/admin/coupons");
    await fillCampaign(staff.getByTestId("new-campaign"), words, {
      name: names.ko,
      nameEn: names.en,
      kind: "percent",
      value: "10",
      maxDiscount: "1000",
      minOrder: "0",
      quantity: "",
      validUntil: `${year}-06-30T12:00`,
    });
    await submit(staff, "new-campaign", false);
    await expect(staff).toHaveURL(/\/admin\/coupons\/\d+$/);
    const campaignId = Number(staff.url().split("/").pop());
    await expect(staff.getByTestId("campaign-quantity")).toHaveText(words.t("admin.unlimited"));
    // Changed: a quantity now, the rest as it was.
    await staff.getByTestId("edit-campaign").getByLabel(words.t("admin.coupon_quantity"), { exact: true }).fill("50");
    await submit(staff, "edit-campaign", false);
    await expect(staff).toHaveURL(new RegExp(`/admin/coupons/${campaignId}$`));
    await expect(staff.getByTestId("campaign-quantity")).toHaveText("50");
    await expect(staff.getByTestId("campaign-terms")).toHaveText(
      words.t("coupons.percent_off_capped", { percent: 10, cap: words.won(1_000) }),
    );
    await expect(
      staff.getByTestId("edit-campaign").getByLabel(words.t("admin.valid_until"), { exact: true }),
    ).toHaveValue(`${year}-06-30T12:00`);
    await staff.context().close();

    await signup(page.request, uniqueId("nojs_saver"));
    await charge(page.request, 100_000);
    await addAddress(page.request);
    const product = await cable(page.request);
    await addToCart(page.request, product.id);

    await page.goto("/coupons");
    const card = offer(page, campaignId);
    await expect(card.getByTestId("offer-left")).toHaveText(words.t("coupons.left", { count: 50 }));
    await expect(card).toContainText(
      words.t("coupons.valid_is", {
        period: words.t("coupons.period_until", { until: shown(lang, year, "06", "30", "12:00") }),
      }),
    );
    await Promise.all([page.waitForEvent("load"), card.getByTestId("claim").click()]);
    await expect(page).toHaveURL(/\/coupons$/);
    await expect(card.getByTestId("offer-claimed")).toBeVisible();
    await expect(myCoupon(page, campaignId).getByTestId("coupon-status")).toHaveAttribute("data-status", "usable");

    // 10% of 15,900 is 1,590: the cap keeps it to 1,000. Delivery is not
    // free below the threshold.
    const fee = shippingFee(product.price - 1_000);
    expect(fee).toBeGreaterThan(0);
    await page.goto("/checkout");
    await page
      .getByLabel(words.t("checkout.coupon"))
      .selectOption({ label: words.t("checkout.coupon_option", { name: names[lang], off: words.won(1_000) }) });
    await Promise.all([page.waitForEvent("load"), page.getByTestId("apply-coupon").click()]);
    await expect(page).toHaveURL(/\/checkout\?coupon_id=\d+$/);
    await expect(page.getByTestId("checkout-subtotal")).toHaveText(words.won(product.price));
    await expect(page.getByTestId("checkout-discount")).toHaveText(words.won(-1_000));
    await expect(page.getByTestId("checkout-shipping-fee")).toHaveText(words.won(fee));
    await expect(page.getByTestId("checkout-total")).toHaveText(words.won(product.price - 1_000 + fee));
    await Promise.all([page.waitForEvent("load"), page.getByTestId("place-order").click()]);
    await expect(page).toHaveURL(/\/orders\/\d+$/);
    await expect(page.getByTestId("order-discount")).toHaveText(words.won(-1_000));
    await expect(page.getByTestId("order-shipping-fee")).toHaveText(words.won(fee));
    await expect(page.getByTestId("order-total")).toHaveText(words.won(product.price - 1_000 + fee));
    expect(await balance(page.request)).toBe(100_000 - (product.price - 1_000 + fee));
  });
});
