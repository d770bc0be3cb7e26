import { AccountForms } from "./fixtures/accounts";
import { expect, test, waitForHydration } from "./fixtures/shop";

test("charge points from the page: balance, header and history follow", async ({ page, lang, words }) => {
  const forms = new AccountForms(page, lang);
  await forms.signup(`pts_${Date.now() % 1_000_000_000}`, "correct horse battery");
  await page.goto("/points");
  await waitForHydration(page);
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(0));
  // No money changes hands, and the page says so.
  await expect(page.getByTestId("demo-points")).toHaveText(words.t("points.demo_notice"));

  await page.getByRole("button", { name: words.charge(50_000), exact: true }).click();
  await expect(page.getByTestId("charge-ok")).toContainText(
    words.t("islands.charged", { charged: words.points(50_000), points: words.points(50_000) }),
  );
  await expect(page.getByTestId("points-balance")).toHaveText(words.points(50_000));
  await expect(page.getByTestId("balance")).toHaveText(words.points(50_000));
  await expect(page.getByTestId("ledger-row")).toHaveCount(1);

  await page.getByLabel(words.t("points.amount")).fill("1234");
  await page.getByRole("button", { name: words.t("points.charge_button"), exact: true }).click();
  await expect(page.getByTestId("balance")).toHaveText(words.points(51_234));
  await expect(page.getByTestId("ledger-row")).toHaveCount(2);
  await expect(page.getByTestId("ledger-row").first()).toContainText("+1,234");

  // Past the limit of one charge: an error next to the form, nothing changes.
  await page.getByLabel(words.t("points.amount")).fill("1000001");
  await page.getByLabel(words.t("points.amount")).evaluate((el) => el.removeAttribute("max"));
  await page.getByRole("button", { name: words.t("points.charge_button"), exact: true }).click();
  await expect(page.getByTestId("charge-error")).toHaveText(words.t("errors.charge_range", { min: "1", max: "1,000,000" }));
  await expect(page.getByTestId("balance")).toHaveText(words.points(51_234));
  await expect(page.getByTestId("ledger-row")).toHaveCount(2);
});
