import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { addAddress, FREE_SHIPPING_FROM, oneLine, shippingFee, type AddressFields } from "./fixtures/addresses";
import type { Lang, Words } from "./fixtures/lang";
import { expect, findProduct, test, variantOf, waitForHydration, type ApiProduct } from "./fixtures/shop";
import { staffPage } from "./fixtures/staff";

// Goods go out: a shopper keeps addresses on /account/addresses (a refused
// field said by the field), checks out to one of them (a shipping fee
// below the free-shipping threshold, none above it), and the order keeps
// the address; staff ship it with a carrier and a tracking number, one at
// a time from the order's page or many at once from the placed orders'
// list (with the courier's CSV), then mark it delivered; the shopper's
// order page follows the parcel: the carrier, the number, the carrier's
// tracking page, and each step with its time. Plain forms all the way: the
// same with JavaScript off.

const password = "correct horse battery";
const uniqueId = (prefix: string) => `${prefix}_${Date.now() % 1_000_000_000}`;

/** A new shopper logged in on `request` (the page's own cookie jar); their user id. */
async function signup(request: APIRequestContext, loginId: string): Promise<number> {
  const res = await request.post("/api/signup", { data: { login_id: loginId, password } });
  expect(res.status()).toBe(201);
  return (await res.json()).user_id;
}

async function charge(request: APIRequestContext, amount: number) {
  expect((await request.post("/api/points/charge", { data: { amount } })).status()).toBe(200);
}

/** The product `query` finds, one of it (its roomiest size) in my cart. */
async function toCart(request: APIRequestContext, query: string): Promise<ApiProduct> {
  const product = await findProduct(request, query);
  const { variant_id } = await variantOf(request, product.id);
  const res = await request.post("/api/cart/add", { data: { product_id: product.id, variant_id, quantity: 1 } });
  expect(res.status()).toBe(200);
  return product;
}

let orders = 0;

/** An order of one `product` placed through the API, to `addressId`; its id. */
async function buy(request: APIRequestContext, addressId: number, product: ApiProduct): Promise<number> {
  const { variant_id } = await variantOf(request, product.id);
  const res = await request.post("/api/orders/place", {
    data: {
      idempotency_key: uniqueId(`ship-${++orders}`),
      address_id: String(addressId),
      items: [{ product_id: product.id, variant_id, quantity: 1 }],
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).order_id;
}

/** With JavaScript, the islands have hydrated; without, the page is ready as loaded. */
async function ready(page: Page, js: boolean) {
  if (js) await waitForHydration(page);
}

/**
 * Clicks `button` of a form (a plain one, or one an island sends, which
 * then loads the page it leads to) and waits for that page.
 */
async function send(page: Page, js: boolean, button: Locator) {
  await Promise.all([page.waitForEvent("load"), button.click()]);
  await ready(page, js);
}

/**
 * Without JavaScript, the page a staff form came back to says what was
 * done (a flash message). With JavaScript the island sends the form and
 * goes on to that page, and the page's own state is the answer.
 */
async function expectDone(page: Page, js: boolean, text: string) {
  if (!js) await expect(page.getByTestId("flash")).toHaveText(text);
}

/** Types `fields` into an address form (`add-address-form`, `edit-address-form`). */
async function fillAddress(form: Locator, fields: Partial<AddressFields>) {
  for (const name of ["label", "recipient", "phone", "postal_code", "address1", "address2", "memo"] as const) {
    const value = fields[name];
    if (value !== undefined) await form.getByTestId(`address-${name}`).fill(value);
  }
}

/** The order page's or the staff's order page's address section shows `to`. */
async function expectShipTo(page: Page, to: AddressFields) {
  const shipTo = page.getByTestId("ship-to");
  await expect(shipTo.getByTestId("ship-to-recipient")).toHaveText(to.recipient);
  await expect(shipTo.getByTestId("ship-to-phone")).toHaveText(to.phone);
  await expect(shipTo.getByTestId("ship-to-address")).toHaveText(oneLine(to));
  if (to.memo) {
    await expect(shipTo.getByTestId("ship-to-memo")).toHaveText(to.memo);
  } else {
    await expect(shipTo.getByTestId("ship-to-memo")).toHaveCount(0);
  }
}

type Status = "placed" | "shipped" | "delivered";

/** The shopper's order page says the order is `status`, in words and in `data-status`. */
async function expectStatus(page: Page, status: Status, words: Words) {
  const label = page.getByTestId("order-status");
  await expect(label).toHaveAttribute("data-status", status);
  await expect(label).toHaveText(words.t(`orders.status_${status}`));
}

/** The order's steps, in order, each with its time. */
async function expectSteps(page: Page, steps: string[]) {
  const items = page.getByTestId("order-steps").locator("li[data-step]");
  await expect(items).toHaveCount(steps.length);
  expect(await items.evaluateAll((els) => els.map((el) => el.getAttribute("data-step")))).toEqual(steps);
  for (const step of steps) {
    await expect(page.getByTestId("order-steps").locator(`li[data-step="${step}"] time`)).toHaveText(/\d/);
  }
}

/** The carriers' own pages following a parcel. */
const trackingUrl = {
  cj: (n: string) => `https://trace.cjlogistics.com/next/tracking.html?wblNo=${n}`,
  lotte: (n: string) => `https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo=${n}`,
  epost: (n: string) => `https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1=${n}`,
};

/** The shopper's order page shows the parcel: carrier, number, and the link to the carrier's page. */
async function expectParcel(page: Page, words: Words, carrier: keyof typeof trackingUrl, number: string) {
  const shipment = page.getByTestId("shipment");
  await expect(shipment.getByTestId("shipment-carrier")).toHaveText(words.t(`shipping.carrier_${carrier}`));
  await expect(shipment.getByTestId("tracking-number")).toHaveText(number);
  const link = shipment.getByTestId("tracking-link");
  await expect(link).toHaveText(words.t("orders.track_parcel"));
  await expect(link).toHaveAttribute("href", trackingUrl[carrier](number));
  await expect(link).toHaveAttribute("target", "_blank");
}

/** A CSV's rows (quoted cells with commas, quotes and line breaks), without the BOM. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const body = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else {
      cell += c;
    }
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** An address with every field, as a shopper types it. */
function homeOf(lang: Lang): AddressFields {
  return {
    label: lang === "ko" ? "집" : "Home",
    recipient: "김하늘",
    phone: "010-2345-6789",
    postal_code: "06236",
    address1: "서울 강남구 테헤란로 152",
    address2: "12층",
    memo: lang === "ko" ? "문 앞에 놓아 주세요" : "Leave it at the door",
  };
}

for (const js of [true, false]) {
  test.describe(js ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled: js });

    test("a shopper adds an address and checks out to it; staff ship it and mark it delivered; the shopper follows the parcel", async ({
      page,
      browser,
      baseURL,
      lang,
      words,
    }) => {
      const home = homeOf(lang);
      await signup(page.request, uniqueId(js ? "ship_js" : "ship_nojs"));
      await charge(page.request, 100_000);

      // The address book, empty: the form for a first address.
      await page.goto("/account/addresses");
      await ready(page, js);
      await expect(page.locator("h1")).toHaveText(words.t("addresses.title"));
      await expect(page.getByTestId("no-addresses")).toHaveText(words.t("addresses.none_yet"));
      const form = page.getByTestId("add-address-form");
      // A mobile number with a digit missing: refused by its field, the
      // form as it was typed.
      await fillAddress(form, { ...home, phone: "010-234-6789" });
      await send(page, js, form.getByTestId("add-address"));
      await expect(page).toHaveURL(/\/account\/addresses$/);
      const phone = form.getByTestId("address-phone");
      const refusal = form.locator(".field-error");
      await expect(refusal).toHaveCount(1);
      await expect(refusal).toHaveText(words.t("addresses.error_phone"));
      await expect(refusal).toHaveAttribute("role", "alert");
      await expect(phone).toHaveAttribute("aria-invalid", "true");
      await expect(phone).toHaveAttribute("aria-describedby", (await refusal.getAttribute("id"))!);
      await expect(phone).toHaveValue("010-234-6789");
      await expect(form.getByTestId("address-recipient")).toHaveValue(home.recipient);
      await expect(form.getByTestId("address-address1")).toHaveValue(home.address1);
      await expect(form.getByTestId("address-memo")).toHaveValue(home.memo!);
      await expect(page.getByTestId("address")).toHaveCount(0);

      // Put right, it is added: the first address is the default.
      await phone.fill(home.phone);
      await send(page, js, form.getByTestId("add-address"));
      await expect(page).toHaveURL(/\/account\/addresses$/);
      await expect(page.getByTestId("flash")).toHaveText(words.t("flash.address_added"));
      await expect(page.locator(".field-error")).toHaveCount(0);
      const card = page.getByTestId("address");
      await expect(card).toHaveCount(1);
      await expect(card).toHaveAttribute("data-default", "true");
      await expect(card.getByTestId("address-name")).toHaveText(home.label!);
      await expect(card.getByTestId("default-badge")).toHaveText(words.t("addresses.default_badge"));
      await expect(card.getByTestId("address-recipient")).toHaveText(`${home.recipient} · ${home.phone}`);
      await expect(card.getByTestId("address-line")).toHaveText(oneLine(home));
      await expect(card.getByTestId("address-memo")).toHaveText(home.memo!);
      await expect(card.getByTestId("make-default")).toHaveCount(0);

      // Checkout: socks, below the free-shipping threshold, pay for delivery.
      const socks = await toCart(page.request, "Crew Socks");
      const fee = shippingFee(socks.price);
      expect(fee).toBeGreaterThan(0);
      await page.goto("/checkout");
      await ready(page, js);
      const choice = page.getByTestId("ship-to-choice");
      await expect(choice.getByTestId("ship-to-option")).toHaveCount(1);
      await expect(choice.getByTestId("ship-to-option")).toBeChecked();
      await expect(choice).toContainText(oneLine(home));
      await expect(choice.getByTestId("manage-addresses")).toHaveAttribute("href", "/account/addresses?next=/checkout");
      await expect(page.getByTestId("add-address-form")).toHaveCount(0);
      await expect(page.getByTestId("checkout-subtotal")).toHaveText(words.won(socks.price));
      await expect(page.getByTestId("checkout-shipping-fee")).toHaveText(words.won(fee));
      await expect(page.getByTestId("free-shipping-hint")).toHaveText(
        words.t("checkout.free_shipping_from", {
          threshold: words.won(FREE_SHIPPING_FROM),
          more: words.won(FREE_SHIPPING_FROM - socks.price),
        }),
      );
      await expect(page.getByTestId("checkout-total")).toHaveText(words.won(socks.price + fee));
      await send(page, js, page.getByTestId("place-order"));

      // The order keeps the address and what delivery cost.
      await expect(page).toHaveURL(/\/orders\/\d+$/);
      const orderId = Number(page.url().split("/").pop());
      await expectStatus(page, "placed", words);
      await expectShipTo(page, home);
      await expect(page.getByTestId("order-subtotal")).toHaveText(words.won(socks.price));
      await expect(page.getByTestId("order-shipping-fee")).toHaveText(words.won(fee));
      await expect(page.getByTestId("order-total")).toHaveText(words.won(socks.price + fee));
      await expect(page.getByTestId("order-points")).toHaveText(
        words.t("orders.paid_with", { points: words.points(socks.price + fee) }),
      );
      await expectSteps(page, ["ordered"]);
      await expect(page.getByTestId("shipment")).toHaveCount(0);

      // Staff ship it from its page, with CJ and a number written with hyphens.
      const staff = await staffPage(browser, baseURL!, lang, "order_manager", js);
      await staff.goto(`/admin/orders/${orderId}`);
      await ready(staff, js);
      await expect(staff.getByTestId("order-status")).toHaveAttribute("data-status", "placed");
      await expectShipTo(staff, home);
      await expect(staff.getByTestId("order-shipping-fee")).toHaveText(words.won(fee));
      await expect(staff.getByTestId("deliver-form")).toHaveCount(0);
      const ship = staff.getByTestId("ship-form");
      await ship.getByTestId("carrier").selectOption({ label: words.t("shipping.carrier_cj") });
      await ship.getByTestId("tracking-number-input").fill("6012-3456-7890");
      await send(staff, js, ship.getByTestId("ship-button"));
      const number = "601234567890";
      await expect(staff).toHaveURL(new RegExp(`/admin/orders/${orderId}$`));
      await expectDone(staff, js, words.t("flash.order_shipped"));
      await expect(staff.getByTestId("order-status")).toHaveAttribute("data-status", "shipped");
      await expect(staff.getByTestId("shipment-carrier")).toHaveText(words.t("shipping.carrier_cj"));
      await expect(staff.getByTestId("tracking-number")).toHaveText(number);
      await expect(staff.getByTestId("ship-form")).toHaveCount(0);
      await expect(staff.getByTestId("staff-cancel-form")).toHaveCount(0);
      await expect(staff.getByTestId("deliver-form")).toBeVisible();

      // The shopper sees it on its way, and where to follow it.
      await page.goto(`/orders/${orderId}`);
      await ready(page, js);
      await expectStatus(page, "shipped", words);
      await expectParcel(page, words, "cj", number);
      await expectSteps(page, ["ordered", "shipped"]);
      await expect(page.getByTestId("cancel-form")).toHaveCount(0);
      await expectShipTo(page, home);

      // Delivered.
      await send(staff, js, staff.getByTestId("deliver-button"));
      await expect(staff).toHaveURL(new RegExp(`/admin/orders/${orderId}$`));
      await expectDone(staff, js, words.t("flash.order_delivered"));
      await expect(staff.getByTestId("order-status")).toHaveAttribute("data-status", "delivered");
      await expect(staff.getByTestId("deliver-form")).toHaveCount(0);
      await staff.context().close();

      await page.reload();
      await ready(page, js);
      await expectStatus(page, "delivered", words);
      await expectSteps(page, ["ordered", "shipped", "delivered"]);
      await expectParcel(page, words, "cj", number);
      await page.goto("/orders");
      await expect(page.getByTestId("order-row").getByTestId("order-status")).toHaveAttribute("data-status", "delivered");
    });

    test("staff ship two orders at once from the placed orders' list, each with its carrier", async ({
      page,
      browser,
      baseURL,
      lang,
      words,
    }) => {
      const userId = await signup(page.request, uniqueId(js ? "bulk_js" : "bulk_nojs"));
      await charge(page.request, 300_000);
      const office: AddressFields = {
        label: lang === "ko" ? "회사" : "Office",
        recipient: "이택배",
        phone: "02-123-4567",
        postal_code: "04524",
        address1: "서울 중구 세종대로 110",
        address2: "",
        memo: "",
      };
      const addressId = await addAddress(page.request, office);

      // The first order at checkout: shoes, above the threshold, go free.
      const runner = await toCart(page.request, "Cloud Runner");
      expect(shippingFee(runner.price)).toBe(0);
      await page.goto("/checkout");
      await ready(page, js);
      await expect(page.getByTestId("checkout-shipping-fee")).toHaveText(words.t("orders.free_shipping"));
      await expect(page.getByTestId("free-shipping-hint")).toHaveCount(0);
      await expect(page.getByTestId("checkout-total")).toHaveText(words.won(runner.price));
      await send(page, js, page.getByTestId("place-order"));
      await expect(page).toHaveURL(/\/orders\/\d+$/);
      const first = Number(page.url().split("/").pop());
      await expect(page.getByTestId("order-shipping-fee")).toHaveText(words.t("orders.free_shipping"));
      await expect(page.getByTestId("order-total")).toHaveText(words.won(runner.price));
      await expectShipTo(page, office);
      // Two more through the API: the second to ship, the third to wait.
      const socks = await findProduct(page.request, "Crew Socks");
      const second = await buy(page.request, addressId, socks);
      const third = await buy(page.request, addressId, socks);
      const byNumber = (a: number, b: number) => a - b;

      // The courier's CSV of this shopper's placed orders: where each goes.
      const staff = await staffPage(browser, baseURL!, lang, "order_manager", js);
      await staff.goto(`/admin/orders?status=placed&user_id=${userId}`);
      await ready(staff, js);
      const csvLink = staff.getByTestId("orders-csv");
      await expect(csvLink).toHaveText(words.t("admin.download_csv"));
      const csv = await staff.request.get((await csvLink.getAttribute("href"))!);
      expect(csv.status()).toBe(200);
      expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
      const rows = parseCsv(await csv.text());
      expect(rows[0]).toEqual(
        ["order", "ordered_at", "status", "recipient", "phone", "postal_code", "address", "memo", "items"].map((k) =>
          words.t(`shipping.csv_${k}`),
        ),
      );
      expect(rows.slice(1).map((r) => Number(r[0])).sort(byNumber)).toEqual([first, second, third].sort(byNumber));
      for (const row of rows.slice(1)) {
        expect(row.slice(2, 8)).toEqual([
          words.t("orders.status_placed"),
          office.recipient,
          office.phone,
          office.postal_code,
          office.address1,
          "",
        ]);
      }

      // The list of every placed order: a carrier and a number for two of
      // mine; the rows left blank (the third, anyone else's) are not shipped.
      await staff.goto("/admin/orders?status=placed");
      await ready(staff, js);
      const bulk = staff.getByTestId("bulk-ship-form");
      const rowOf = (id: number) => staff.locator(`[data-testid="admin-order-row"][data-order-id="${id}"]`);
      for (const id of [first, second, third]) {
        await expect(bulk.locator(`[data-testid="admin-order-row"][data-order-id="${id}"]`)).toHaveCount(1);
      }
      await rowOf(first).locator("select").selectOption({ label: words.t("shipping.carrier_lotte") });
      await rowOf(first).getByTestId("bulk-tracking-number").fill("1111222233");
      // CJ, as each row starts.
      await expect(rowOf(second).locator("select")).toHaveValue("cj");
      await rowOf(second).getByTestId("bulk-tracking-number").fill("2222-3333-4444");
      await send(staff, js, bulk.getByTestId("bulk-ship-button"));
      await expect(staff).toHaveURL(/\/admin\/orders\?status=placed$/);
      await expectDone(staff, js, words.t("flash.orders_shipped", { count: 2 }));
      await expect(rowOf(first)).toHaveCount(0);
      await expect(rowOf(second)).toHaveCount(0);
      await expect(rowOf(third)).toHaveAttribute("data-status", "placed");
      await expect(rowOf(third).getByTestId("bulk-tracking-number")).toHaveValue("");

      await staff.goto(`/admin/orders?status=shipped&user_id=${userId}`);
      await ready(staff, js);
      const shipped = staff.getByTestId("admin-order-row");
      await expect(shipped).toHaveCount(2);
      const ids = await shipped.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-order-id"))));
      expect(ids.sort(byNumber)).toEqual([first, second].sort(byNumber));
      await expect(staff.getByTestId("bulk-ship-form")).toHaveCount(0);
      await staff.context().close();

      // The shopper follows each with its own carrier.
      await page.goto(`/orders/${first}`);
      await ready(page, js);
      await expectStatus(page, "shipped", words);
      await expectParcel(page, words, "lotte", "1111222233");
      await page.goto(`/orders/${second}`);
      await ready(page, js);
      await expectStatus(page, "shipped", words);
      await expectParcel(page, words, "cj", "222233334444");
      await expect(page.getByTestId("order-shipping-fee")).toHaveText(words.won(shippingFee(socks.price)));
    });
  });
}

/** axe finds nothing wrong with `path`, hydrated, in the project's language. */
async function expectAccessible(page: Page, path: string, lang: Lang) {
  if (path !== "") await page.goto(path);
  await waitForHydration(page);
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(found, `axe on ${page.url()}`).toEqual([]);
}

test("the address book, checkout without an address and a shipped order's pages pass axe", async ({
  page,
  browser,
  baseURL,
  lang,
  words,
}) => {
  // axe takes two to three seconds a page, and this one walks six.
  test.setTimeout(60_000);
  await signup(page.request, uniqueId("ship_axe"));
  await charge(page.request, 100_000);
  const socks = await toCart(page.request, "Crew Socks");

  // No address yet: checkout asks for one first.
  await page.goto("/checkout");
  await expect(page.getByTestId("address-first")).toBeVisible();
  await expectAccessible(page, "", lang);

  const home = homeOf(lang);
  const homeId = await addAddress(page.request, home);
  await addAddress(page.request, { label: "", recipient: "이택배", phone: "031-123-4567", address2: "", memo: "" });
  for (const path of ["/account/addresses", `/account/addresses?edit=${homeId}`, "/account/addresses?next=/checkout"]) {
    await expectAccessible(page, path, lang);
  }
  await expect(page.getByTestId("address")).toHaveCount(2);

  // A refused form, its message by its field.
  await page.goto("/account/addresses");
  await waitForHydration(page);
  const form = page.getByTestId("add-address-form");
  await fillAddress(form, { ...home, postal_code: "4524" });
  await send(page, true, form.getByTestId("add-address"));
  await expect(form.locator(".field-error")).toHaveText(words.t("addresses.error_postal_code"));
  await expectAccessible(page, "", lang);

  // A shipped order, on the shopper's page and the staff's.
  const orderId = await buy(page.request, homeId, socks);
  const staff = await staffPage(browser, baseURL!, lang, "order_manager");
  const shipped = await staff.request.post("/api/admin/orders/ship", {
    data: { order_id: orderId, carrier: "epost", tracking_number: "1234567890123" },
  });
  expect(shipped.status(), await shipped.text()).toBe(200);
  await page.goto(`/orders/${orderId}`);
  await expectParcel(page, words, "epost", "1234567890123");
  await expectAccessible(page, "", lang);
  await staff.goto(`/admin/orders/${orderId}`);
  await expect(staff.getByTestId("deliver-form")).toBeVisible();
  await expectAccessible(staff, "", lang);
  await staff.context().close();
});
