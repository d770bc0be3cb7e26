// The browser's view of the shop, for `make bench`: what the first load of
// each page downloads (raw, as sent, and as gzip and brotli), TTFB, FCP
// and LCP in headless Chromium (median of several cold loads), and the
// Lighthouse scores. Prints one JSON document.
//
//   node browser.mjs BASE_URL PATH...
import { chromium } from "playwright-core";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import http from "node:http";

const [base, ...paths] = process.argv.slice(2);
const chromePath = process.env.CHROME_PATH || "/usr/bin/chromium";
const LOADS = 5;
// The machine has no network beyond loopback: Chromium must not try.
const flags = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

// Bytes of a URL's body as sent with this Accept-Encoding (not decoded).
function sentBytes(url, encoding) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { "accept-encoding": encoding } }, (res) => {
        let n = 0;
        res.on("data", (chunk) => (n += chunk.length));
        res.on("end", () => resolve({ bytes: n, encoding: res.headers["content-encoding"] || "identity" }));
      })
      .on("error", reject);
  });
}

async function oneLoad(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30000 });
  const figures = await page.evaluate(async () => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const lcp = await new Promise((resolve) => {
      new PerformanceObserver((list) => {
        const entries = list.getEntries();
        resolve(entries[entries.length - 1].startTime);
      }).observe({ type: "largest-contentful-paint", buffered: true });
    });
    const assets = performance
      .getEntriesByType("resource")
      .filter((r) => /\.(wasm|js|css)(\?|$)/.test(r.name))
      .map((r) => ({ url: r.name, sent: r.encodedBodySize, raw: r.decodedBodySize }));
    return { ttfb: nav.responseStart, fcp: fcp ? fcp.startTime : null, lcp, assets };
  });
  await context.close();
  return figures;
}

async function timings(url) {
  const browser = await chromium.launch({ executablePath: chromePath, args: flags.slice(1) });
  try {
    const loads = [];
    for (let i = 0; i < LOADS; i++) loads.push(await oneLoad(browser, url));
    const assets = [];
    for (const a of loads[0].assets) {
      const kind = a.url.match(/\.(wasm|js|css)(\?|$)/)[1];
      const gzip = await sentBytes(a.url, "gzip");
      const br = await sentBytes(a.url, "br");
      assets.push({ kind, url: a.url.replace(base, ""), raw: a.raw, sent: a.sent, gzip: gzip.bytes, br: br.bytes });
    }
    return {
      loads: LOADS,
      ttfb_ms: median(loads.map((l) => l.ttfb)),
      fcp_ms: median(loads.map((l) => l.fcp)),
      lcp_ms: median(loads.map((l) => l.lcp)),
      assets,
    };
  } finally {
    await browser.close();
  }
}

async function scores(url) {
  const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: flags });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
    });
    const lhr = result.lhr;
    const score = (id) => lhr.categories[id].score;
    const failing = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
      .map((a) => a.id);
    // Lighthouse's check of the Content Security Policy against XSS: each
    // finding with its severity (High, Medium, Syntax).
    const csp = lhr.audits["csp-xss"];
    const text = (v) => (typeof v === "string" ? v : v?.formattedDefault ?? JSON.stringify(v));
    const cspFindings = (csp?.details?.items ?? []).map(
      (item) => `${item.severity ?? "?"}: ${item.directive ? item.directive + ": " : ""}${text(item.description)}`,
    );
    return {
      csp_findings: cspFindings,
      performance: score("performance"),
      accessibility: score("accessibility"),
      best_practices: score("best-practices"),
      seo: score("seo"),
      lcp_ms: lhr.audits["largest-contentful-paint"].numericValue,
      fcp_ms: lhr.audits["first-contentful-paint"].numericValue,
      transferred_bytes: lhr.audits["total-byte-weight"].numericValue,
      failing_audits: failing,
    };
  } finally {
    await chrome.kill();
  }
}

const out = {};
for (const path of paths) {
  out[path] = { browser: await timings(base + path), lighthouse: await scores(base + path) };
}
console.log(JSON.stringify(out));
