import { type Page } from "@playwright/test";
import { AccountForms } from "./fixtures/accounts";
import { addAddress, shippingFee } from "./fixtures/addresses";
import { expect, test, waitForHydration, type ApiProduct } from "./fixtures/shop";

// Signing in with an OpenID Connect provider: scripts/e2e-server.sh runs a
// real one (oidc-provider, "Test ID") beside each shop, with its own
// development login and consent pages.

const password = "correct horse battery";
const uniqueId = (prefix: string) => `${prefix}_${Date.now() % 1_000_000_000}`;
const provider = "Test ID";

/** At the provider: its login page (any login and password), then consent. */
async function signInAtProvider(page: Page, login: string) {
  await expect(page).toHaveURL(/\/interaction\//);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  await expect(page.locator('input[name="prompt"][value="consent"]')).toHaveCount(1);
  await page.locator('button[type="submit"]').click();
}

/** A product on sale, in stock, that 100,000 points buy, delivery and all. */
async function affordable(page: Page): Promise<ApiProduct> {
  const res = await page.request.get("/api/products?per_page=100&sort=price_asc");
  expect(res.status()).toBe(200);
  const items: ApiProduct[] = (await res.json()).items;
  const found = items.find((p) => p.stock >= 5 && p.price + shippingFee(p.price) <= 100_000);
  expect(found, "a product to buy").toBeTruthy();
  return found!;
}

test("sign in with the provider from the login page, land on the page that asked, buy something", async ({
  page,
  words,
}) => {
  const login = uniqueId("op_buyer");
  // A page that needs a login sends the guest to log in, and back.
  await page.goto("/points");
  await expect(page).toHaveURL(/\/login\?next=%2Fpoints$/);
  await page.getByRole("link", { name: words.t("account.sign_in_with", { provider }) }).click();
  await signInAtProvider(page, login);
  await expect(page).toHaveURL(/\/points$/);
  await expect(page.getByTestId("current-user")).toHaveText(/\S+/);
  await waitForHydration(page);

  // Points, a product in the cart, an order.
  await page.getByRole("button", { name: words.charge(100_000), exact: true }).click();
  await expect(page.getByTestId("balance")).toHaveText(words.points(100_000));
  const product = await affordable(page);
  await page.goto(`/products/${product.id}`);
  await waitForHydration(page);
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await addAddress(page.request);
  await page.goto("/checkout");
  await waitForHydration(page);
  await page.getByTestId("place-order").click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  // The price, and the shipping fee below the free-shipping threshold.
  await expect(page.getByTestId("balance")).toHaveText(
    words.points(100_000 - product.price - shippingFee(product.price)),
  );
});

test("link the provider to a password account, log out, sign in with it: the same account", async ({
  page,
  lang,
  words,
}) => {
  const forms = new AccountForms(page, lang);
  const loginId = uniqueId("linker");
  await forms.signup(loginId, password);
  await page.goto("/account");
  await waitForHydration(page);
  await expect(page.getByTestId("password-state")).toHaveText(words.t("account.password_set"));
  await page.getByRole("button", { name: words.t("account.link", { provider }) }).click();
  await signInAtProvider(page, uniqueId("op_linker"));
  await expect(page).toHaveURL(/\/account\?linked=testid$/);
  await expect(page.getByTestId("sign-in-linked")).toHaveText(words.t("account.sign_in_linked", { provider }));
  await expect(page.getByTestId("linked-identities")).toContainText(provider);

  await page.getByRole("button", { name: words.t("common.log_out") }).click();
  await expect(page.getByRole("link", { name: words.t("common.log_in") })).toBeVisible();
  await forms.gotoLogin();
  await page.getByRole("link", { name: words.t("account.sign_in_with", { provider }) }).click();
  // The provider remembers the browser (no login page) and, the shop being
  // a loopback client, asks to confirm the consent each time.
  await expect(page.locator('input[name="prompt"][value="consent"]')).toHaveCount(1);
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("current-user")).toHaveText(loginId);
  await page.goto("/account");
  await expect(page.getByTestId("account-login-id")).toHaveText(loginId);

  // With a password kept, the provider can be unlinked.
  await waitForHydration(page);
  await page.getByRole("button", { name: `${words.t("account.unlink")} ${provider}` }).click();
  await expect(page.getByTestId("linked-identities")).not.toContainText(provider);
  await expect(page.getByRole("button", { name: words.t("account.link", { provider }) })).toBeVisible();
});

test("cancelling at the provider comes back to the login page, said in words", async ({ page, words }) => {
  await page.goto("/login?next=%2Flikes");
  await page.getByRole("link", { name: words.t("account.sign_in_with", { provider }) }).click();
  await expect(page).toHaveURL(/\/interaction\//);
  await page.getByRole("link", { name: /cancel/i }).click();
  await expect(page).toHaveURL(/\/login\?sign_in=denied&next=%2Flikes$/);
  await expect(page.getByTestId("sign-in-problem")).toHaveText(words.t("account.sign_in_denied"));
  await expect(page.getByRole("link", { name: words.t("common.log_in"), exact: true })).toBeVisible();
});
