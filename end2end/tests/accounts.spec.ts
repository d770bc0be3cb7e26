import { AccountForms } from "./fixtures/accounts";
import { expect, test, waitForHydration } from "./fixtures/shop";

const password = "correct horse battery";

test("sign up, log out, fail a login, log in: the header follows", async ({ page, lang, words }) => {
  const forms = new AccountForms(page, lang);
  const loginId = `e2e_${Date.now() % 1_000_000_000}`;

  await forms.signup(loginId, password);
  await expect(page.getByTestId("current-user")).toHaveText(loginId);
  await expect(page.getByTestId("balance")).toHaveText(words.points(0));

  await page.getByRole("button", { name: words.t("common.log_out") }).click();
  await expect(page.getByRole("link", { name: words.t("common.log_in") })).toBeVisible();
  await expect(page.getByTestId("current-user")).toHaveCount(0);

  await forms.gotoLogin();
  await forms.fillLogin(loginId, "wrong password!");
  await expect(page.getByRole("alert")).toHaveText(words.t("errors.invalid_credentials"));
  await expect(page).toHaveURL(/\/login/);

  await forms.fillLogin(loginId, password);
  await expect(page.getByTestId("current-user")).toHaveText(loginId);
});

test("signup shows field errors inline", async ({ page, lang, words }) => {
  const forms = new AccountForms(page, lang);
  const loginId = `taken_${Date.now() % 1_000_000_000}`;
  await forms.signup(loginId, password);
  await page.getByRole("button", { name: words.t("common.log_out") }).click();
  await expect(page.getByRole("link", { name: words.t("common.log_in") })).toBeVisible();

  await forms.gotoSignup();
  await forms.fillSignup(loginId.toUpperCase(), password);
  await expect(page.locator('[data-field="login_id"]')).toHaveText(words.t("errors.login_id_taken"));
});

test("a protected page sends a guest to log in and back", async ({ page, lang, words }) => {
  const forms = new AccountForms(page, lang);
  const loginId = `back_${Date.now() % 1_000_000_000}`;
  await forms.signup(loginId, password);
  await page.getByRole("button", { name: words.t("common.log_out") }).click();
  await expect(page.getByRole("link", { name: words.t("common.log_in") })).toBeVisible();

  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  await waitForHydration(page);
  await forms.fillLogin(loginId, password);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-login-id")).toHaveText(loginId);
});
