import { AccountForms } from "./fixtures/accounts";
import {
  CatalogPage,
  expect,
  findProduct,
  holdRequests,
  isSameDocument,
  markDocument,
  test,
  waitForHydration,
} from "./fixtures/shop";

// The islands change the page in place: the forms they send, the header's
// badge and balance, the parts of the page fetched again, all without a
// page load. Requests are held where a test looks at the page while they
// are on their way.

const password = "correct horse battery";
const uniqueId = (prefix: string) => `${prefix}_${Date.now() % 1_000_000_000}`;

test("add to cart: pending, then added, and the header's badge follows", async ({ page, lang, words }) => {
  const catalog = new CatalogPage(page, lang);
  await catalog.goto("?q=Stoneware");
  await markDocument(page);
  const card = catalog.cards.first();
  const release = await holdRequests(page, "**/api/cart/add");
  await card.getByTestId("add-to-cart").click();
  await expect(card.getByRole("status")).toHaveText(words.t("islands.adding"));
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  release();
  await expect(card.getByRole("status")).toHaveText(words.t("islands.added"));
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  expect(await isSameDocument(page)).toBe(true);
});

test("a like shows at once, and is rolled back with the server's message when refused", async ({ page, lang }) => {
  const forms = new AccountForms(page, lang);
  await forms.signup(uniqueId("refused"), password);
  const catalog = new CatalogPage(page, lang);
  await catalog.goto("?q=Arc+Desk+Lamp");
  await markDocument(page);
  const card = catalog.cards.first();
  const button = card.getByTestId("like-button");
  const before = await button.innerText();
  const release = await holdRequests(page, "**/api/likes/add", {
    status: 429,
    body: { code: "TOO_MANY_ATTEMPTS", message: "Slow down a little." },
  });
  await button.click();
  await expect(button).toHaveAttribute("aria-pressed", "true");
  await expect(button).not.toHaveText(before);
  release();
  await expect(button).toHaveAttribute("aria-pressed", "false");
  await expect(button).toHaveText(before);
  await expect(card.getByRole("alert")).toHaveText("Slow down a little.");
  expect(await isSameDocument(page)).toBe(true);
});

test("the points and cart pages change in place", async ({ page, lang, words }) => {
  const forms = new AccountForms(page, lang);
  await forms.signup(uniqueId("inplace"), password);
  const kettle = await findProduct(page.request, "Gooseneck");
  expect((await page.request.post("/api/cart/add", { data: { product_id: kettle.id, quantity: 1 } })).status()).toBe(200);

  await page.goto("/points");
  await waitForHydration(page);
  await markDocument(page);
  await page.getByRole("button", { name: words.charge(10_000), exact: true }).click();
  await expect(page.getByTestId("balance")).toHaveText(words.points(10_000));
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(10_000));
  await expect(page.getByTestId("ledger-row")).toHaveCount(1);
  expect(await isSameDocument(page)).toBe(true);

  await page.goto("/cart");
  await waitForHydration(page);
  await markDocument(page);
  const line = page.getByTestId("cart-line");
  const release = await holdRequests(page, "**/api/cart/set");
  await line.getByRole("button", { name: words.t("cart.one_more") }).click();
  await expect(page.getByRole("status")).toHaveText(words.t("islands.updating"));
  release();
  await expect(line.getByTestId("quantity")).toHaveText("2");
  await expect(page.getByTestId("cart-count")).toHaveText("2");
  await expect(page.getByTestId("cart-total")).toHaveText(words.won(kettle.price * 2));
  expect(await isSameDocument(page)).toBe(true);
});

test("a first visit's page comes from the guests' cache, and its islands run under a policy with no nonce", async ({ page, lang, words }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  const response = await page.goto("/?q=Stoneware");
  expect(["hit", "miss"]).toContain(response?.headers()["x-page-cache"]);
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("'sha256-");
  expect(policy).not.toContain("nonce");
  await waitForHydration(page);
  // An island of the cached page works: add to cart, in place.
  const catalog = new CatalogPage(page, lang);
  await markDocument(page);
  await catalog.cards.first().getByTestId("add-to-cart").click();
  await expect(catalog.cards.first().getByRole("status")).toHaveText(words.t("islands.added"));
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  expect(await isSameDocument(page)).toBe(true);
  expect(violations).toEqual([]);
});
