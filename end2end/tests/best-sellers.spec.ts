import { AccountForms } from "./fixtures/accounts";
import { addAddress } from "./fixtures/addresses";
import { expect, findProduct, test, waitForHydration } from "./fixtures/shop";

test("what I buy shows up among the best sellers", async ({ page, lang, words }) => {
  const forms = new AccountForms(page, lang);
  await forms.signup(`best_${Date.now() % 1_000_000_000}`, "correct horse battery");
  const socks = await findProduct(page.request, "Crew Socks");
  expect((await page.request.post("/api/points/charge", { data: { amount: 1000000 } })).status()).toBe(200);
  const address_id = String(await addAddress(page.request));
  const placed = await page.request.post("/api/orders/place", {
    data: { idempotency_key: `best-${Date.now()}`, address_id, items: [{ product_id: socks.id, quantity: 30 }] },
  });
  expect(placed.status()).toBe(201);

  // The order reaches the data platform after its commit, a moment later.
  await expect
    .poll(async () => (await (await page.request.get("/api/top-products")).json()).items.map((i: { name: string }) => i.name))
    .toContain(socks.name);

  await page.goto("/");
  await waitForHydration(page);
  const strip = page.getByTestId("best-sellers");
  await expect(strip.getByTestId("best-seller").first()).toContainText(socks.name);
  await expect(strip.getByTestId("best-seller").first()).toContainText(words.t("catalog.sold", { count: 30 }));

  await strip.getByRole("link", { name: words.t("catalog.see_chart") }).click();
  await expect(page.getByRole("heading", { name: words.t("catalog.best_sellers") })).toBeVisible();
  const row = page.getByTestId("best-seller-row").first();
  await expect(row).toContainText(socks.name);
  await expect(row.getByTestId("best-seller-quantity")).toHaveText("30");
});
