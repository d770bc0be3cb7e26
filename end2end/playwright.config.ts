import { defineConfig, devices } from "@playwright/test";
import type { LangOptions } from "./tests/fixtures/lang";

// The tests run against the release build started by scripts/e2e-server.sh
// (a fresh database each run), once in Korean and once in English: each
// project has its own server, on its own port with its own database (the
// checkout tests use up demo stock), and a browser asking for its
// language. The Korean one runs on SQLite; the English one on PostgreSQL
// when a throwaway one is running (TEST_POSTGRES_URL, as `make test` has),
// so every page and form is tried on both backends. Chromium comes from
// the system: set CHROMIUM_PATH if it is not /usr/bin/chromium.
const firstPort = Number(process.env.E2E_PORT ?? 3100);
const second = process.env.TEST_POSTGRES_URL ? "postgres" : "sqlite";
// Two more servers charge points through the KakaoPay sandbox (the
// payment tests, kakaopay.spec.ts, run only there; the rest only on the
// demo-points servers), on E2E_PAY_PORT and the port after it.
const payPort = Number(process.env.E2E_PAY_PORT ?? firstPort + 2);
const payments = /kakaopay\.spec\.ts/;
const languages = [
  { name: "ko", lang: "ko", locale: "ko-KR", acceptLanguage: "ko-KR,ko;q=0.9", port: firstPort, backend: "sqlite", pay: "demo" },
  { name: "en", lang: "en", locale: "en-US", acceptLanguage: "en-US,en;q=0.9", port: firstPort + 1, backend: second, pay: "demo" },
  { name: "ko-kakaopay", lang: "ko", locale: "ko-KR", acceptLanguage: "ko-KR,ko;q=0.9", port: payPort, backend: "sqlite", pay: "kakaopay" },
  { name: "en-kakaopay", lang: "en", locale: "en-US", acceptLanguage: "en-US,en;q=0.9", port: payPort + 1, backend: second, pay: "kakaopay" },
] as const;
const baseURL = (port: number) => `http://127.0.0.1:${port}`;

export default defineConfig<LangOptions>({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    trace: "retain-on-failure",
  },
  projects: languages.map(({ name, lang, locale, acceptLanguage, port, pay }) => ({
    name,
    ...(pay === "kakaopay" ? { testMatch: payments } : { testIgnore: payments }),
    use: {
      ...devices["Desktop Chrome"],
      lang,
      baseURL: baseURL(port),
      locale,
      // Page loads and `page.request` / `context.request` alike.
      extraHTTPHeaders: { "Accept-Language": acceptLanguage },
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-quic",
        ],
      },
    },
  })),
  webServer: languages.map(({ port, backend, pay }) => ({
    command: `../scripts/e2e-server.sh ${port} ${backend} ${pay}`,
    url: `${baseURL(port)}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
  })),
});
