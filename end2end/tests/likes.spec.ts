import { AccountForms } from "./fixtures/accounts";
import { CatalogPage, expect, findProduct, test, waitForHydration } from "./fixtures/shop";

test("like and unlike from the grid and the product page; the state is kept", async ({ page, lang }) => {
  const forms = new AccountForms(page, lang);
  await forms.signup(`like_${Date.now() % 1_000_000_000}`, "correct horse battery");
  const lamp = await findProduct(page.request, "Arc Desk Lamp");
  const catalog = new CatalogPage(page, lang);
  await catalog.goto("?q=Arc+Desk+Lamp");
  const button = catalog.cards.first().getByTestId("like-button");
  await expect(button).toHaveAttribute("aria-pressed", "false");
  const before = Number((await button.innerText()).replace(/\D/g, ""));

  await button.click();
  await expect(button).toHaveAttribute("aria-pressed", "true");
  await expect(button).toHaveText(`♥ ${before + 1}`);

  await page.reload();
  await waitForHydration(page);
  const kept = catalog.cards.first().getByTestId("like-button");
  await expect(kept).toHaveAttribute("aria-pressed", "true");
  await expect(kept).toHaveText(`♥ ${before + 1}`);

  // The product page shows the same, and unliking there sticks too.
  await catalog.cards.first().getByRole("link", { name: lamp.name }).click();
  const onPage = page.getByTestId("like-button");
  await expect(onPage).toHaveAttribute("aria-pressed", "true");
  await onPage.click();
  await expect(onPage).toHaveAttribute("aria-pressed", "false");
  await expect(onPage).toHaveText(`♡ ${before}`);
  await page.reload();
  await expect(page.getByTestId("like-button")).toHaveAttribute("aria-pressed", "false");

  // The likes page lists what I like.
  await page.getByTestId("like-button").click();
  await expect(page.getByTestId("like-button")).toHaveAttribute("aria-pressed", "true");
  await page.goto("/likes");
  await expect(page.getByTestId("product-card")).toHaveCount(1);
  await expect(page.getByTestId("product-card")).toContainText(lamp.name);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the like button is a form that works", async ({ page, context }) => {
    // Log in through the JSON API; the session cookie is shared with the page.
    const loginId = `nojs_${Date.now() % 1_000_000_000}`;
    const res = await context.request.post("/api/signup", {
      data: { login_id: loginId, password: "correct horse battery" },
    });
    expect(res.status()).toBe(201);
    await page.goto("/?q=Oak+Wall+Shelf");
    const button = page.getByTestId("product-card").first().getByTestId("like-button");
    await expect(button).toHaveAttribute("aria-pressed", "false");
    await button.click();
    await expect(page).toHaveURL(/q=Oak/);
    await expect(page.getByTestId("product-card").first().getByTestId("like-button")).toHaveAttribute(
      "aria-pressed",
      "true",
    );
  });
});

test("a guest pressing like goes to log in and comes back", async ({ page }) => {
  await page.goto("/?q=Pebble");
  await waitForHydration(page);
  await page.getByTestId("product-card").first().getByTestId("like-button").click();
  await expect(page).toHaveURL(/\/login\?next=%2F/);
});
