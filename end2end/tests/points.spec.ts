import { AccountForms } from "./fixtures/accounts";
import { expect, test, waitForHydration } from "./fixtures/shop";

test("charge points from the page: balance, header and history follow", async ({ page }) => {
  const forms = new AccountForms(page);
  await forms.signup(`pts_${Date.now() % 1_000_000_000}`, "correct horse battery");
  await page.goto("/points");
  await waitForHydration(page);
  await expect(page.getByTestId("points-balance")).toHaveText("0 P");

  await page.getByRole("button", { name: "+50,000" }).click();
  await expect(page.getByTestId("charge-ok")).toContainText("Charged 50,000 P");
  await expect(page.getByTestId("points-balance")).toHaveText("50,000 P");
  await expect(page.getByTestId("balance")).toHaveText("50,000 P");
  await expect(page.getByTestId("ledger-row")).toHaveCount(1);

  await page.getByLabel("Amount").fill("1234");
  await page.getByRole("button", { name: "Charge", exact: true }).click();
  await expect(page.getByTestId("balance")).toHaveText("51,234 P");
  await expect(page.getByTestId("ledger-row")).toHaveCount(2);
  await expect(page.getByTestId("ledger-row").first()).toContainText("+1,234");

  // Past the limit of one charge: an error next to the form, nothing changes.
  await page.getByLabel("Amount").fill("1000001");
  await page.getByLabel("Amount").evaluate((el) => el.removeAttribute("max"));
  await page.getByRole("button", { name: "Charge", exact: true }).click();
  await expect(page.getByTestId("charge-error")).toHaveText(/1 to 1,000,000/);
  await expect(page.getByTestId("balance")).toHaveText("51,234 P");
  await expect(page.getByTestId("ledger-row")).toHaveCount(2);
});
