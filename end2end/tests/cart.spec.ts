import { AccountForms } from "./fixtures/accounts";
import { expect, test, waitForHydration } from "./fixtures/shop";

test("a guest fills a cart, changes it, logs in and finds it merged", async ({ page, browser }) => {
  const loginId = `cart_${Date.now() % 1_000_000_000}`;
  const password = "correct horse battery";
  // The account already holds one line, saved from another device.
  const other = await browser.newContext();
  const signup = await other.request.post("/api/signup", { data: { login_id: loginId, password } });
  expect(signup.status()).toBe(201);
  const search = await other.request.get("/api/products?q=Gooseneck");
  const kettle = (await search.json()).items[0];
  expect((await other.request.post("/api/cart/add", { data: { product_id: kettle.id, quantity: 1 } })).status()).toBe(
    200,
  );
  await other.close();

  // As a guest: two products, one with a quantity from the product page.
  await page.goto("/?q=Stoneware");
  await waitForHydration(page);
  await page.getByTestId("product-card").first().getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");

  await page.goto("/?q=Gooseneck");
  await waitForHydration(page);
  await page.getByTestId("product-card").first().getByRole("link", { name: "Gooseneck Kettle" }).click();
  await page.getByLabel("Quantity").fill("2");
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText("3");

  await page.getByRole("link", { name: /Cart/ }).click();
  await expect(page.getByTestId("cart-line")).toHaveCount(2);
  const mug = page.getByTestId("cart-line").filter({ hasText: "Stoneware Mug" });
  await mug.getByRole("button", { name: "One more" }).click();
  await expect(mug.getByTestId("quantity")).toHaveText("2");
  await expect(page.getByTestId("cart-count")).toHaveText("4");
  await mug.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("cart-line")).toHaveCount(1);
  await expect(page.getByTestId("cart-count")).toHaveText("2");

  // Log in: the guest's two kettles join the saved one.
  const forms = new AccountForms(page);
  await forms.gotoLogin();
  await forms.fillLogin(loginId, password);
  await expect(page.getByTestId("current-user")).toHaveText(loginId);
  await page.goto("/cart");
  await expect(page.getByTestId("cart-line")).toHaveCount(1);
  await expect(page.getByTestId("cart-line").getByTestId("quantity")).toHaveText("3");
  await expect(page.getByTestId("cart-count")).toHaveText("3");
});
