import { AccountForms } from "./fixtures/accounts";
import { escapeRegExp } from "./fixtures/lang";
import { expect, findProduct, test, waitForHydration } from "./fixtures/shop";

test("a guest fills a cart, changes it, logs in and finds it merged", async ({ page, browser, lang, words }) => {
  const loginId = `cart_${Date.now() % 1_000_000_000}`;
  const password = "correct horse battery";
  // The account already holds one line, saved from another device.
  const other = await browser.newContext();
  const signup = await other.request.post("/api/signup", { data: { login_id: loginId, password } });
  expect(signup.status()).toBe(201);
  const kettle = await findProduct(other.request, "Gooseneck");
  expect((await other.request.post("/api/cart/add", { data: { product_id: kettle.id, quantity: 1 } })).status()).toBe(
    200,
  );
  const mugName = (await findProduct(other.request, "Stoneware")).name;
  await other.close();

  // As a guest: two products, one with a quantity from the product page.
  await page.goto("/?q=Stoneware");
  await waitForHydration(page);
  await page.getByTestId("product-card").first().getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");

  await page.goto("/?q=Gooseneck");
  await waitForHydration(page);
  await page.getByTestId("product-card").first().getByRole("link", { name: kettle.name }).click();
  await page.getByLabel(words.t("common.quantity")).fill("2");
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText("3");

  await page.getByRole("link", { name: new RegExp(escapeRegExp(words.t("common.cart"))) }).click();
  await expect(page.getByTestId("cart-line")).toHaveCount(2);
  const mug = page.getByTestId("cart-line").filter({ hasText: mugName });
  await mug.getByRole("button", { name: words.t("cart.one_more") }).click();
  await expect(mug.getByTestId("quantity")).toHaveText("2");
  await expect(page.getByTestId("cart-count")).toHaveText("4");
  await mug.getByRole("button", { name: words.t("cart.remove") }).click();
  await expect(page.getByTestId("cart-line")).toHaveCount(1);
  await expect(page.getByTestId("cart-count")).toHaveText("2");

  // Log in: the guest's two kettles join the saved one.
  const forms = new AccountForms(page, lang);
  await forms.gotoLogin();
  await forms.fillLogin(loginId, password);
  await expect(page.getByTestId("current-user")).toHaveText(loginId);
  await page.goto("/cart");
  await expect(page.getByTestId("cart-line")).toHaveCount(1);
  await expect(page.getByTestId("cart-line").getByTestId("quantity")).toHaveText("3");
  await expect(page.getByTestId("cart-count")).toHaveText("3");
});
