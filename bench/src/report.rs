//! The Markdown report: the machine, then one section per measurement,
//! every figure beside its yardstick and the ratio.

use crate::{
    browser::Pages, cache, cancel, checkout::Outcome, claims, growth, payments, ssr::PageFigures,
};
use app::money::Won;
use std::{fmt::Write, process::Command, time::Duration};

pub struct Report {
    sections: Vec<String>,
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// The commit measured.
pub fn commit() -> String {
    command_line("git", &["rev-parse", "--short", "HEAD"])
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

impl Report {
    pub fn new() -> Self {
        Self {
            sections: Vec::new(),
        }
    }

    pub fn ssr(&mut self, pages: &[PageFigures]) {
        let mut s = format!(
            "## 1. Server-side rendering against a static handler\n\n\
             Each page against `GET /_bench/static/{{bytes}}` in the same server: the same \
             number of bytes through the same layers (sessions, compression, time limit), \
             with no rendering and no database. wrk, 2 threads, 32 connections, \
             4,000 page requests and 20,000 static ones per run, three runs interleaved, \
             the median run shown; no compression asked for. The guests' page cache is off \
             here (`PAGE_CACHE_MS=0`): these are renders (section 8 has the cache).\n\n\
             The home, product and cart pages as a guest, then logged in (one product in \
             the cart, nothing ordered yet, nothing sold in the shop); then the shopper's \
             own pages, logged in only (a guest is sent to log in), once the shopper has \
             points, an address, three lines in the cart (under the free-shipping \
             threshold) and {} orders placed through the API: `/orders` (the first page \
             of them) and `/checkout`.\n\n\
             Each page also against its twin written by hand with maud \
             (`GET /_bench/twin/…`, `server/src/yardstick.rs`): the same queries in the same \
             server behind the same layers, its visible text (title and body, without tags \
             and scripts) checked equal to the Leptos page's before it is measured, \
             4,000 requests per run, interleaved with the others.\n\n\
             | page | bytes | SSR req/s | p50 ms | p99 ms | static req/s | p50 ms | p99 ms | **ssr / static** | hand-written req/s (bytes) | **leptos / hand-written** | timeouts | errors |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            crate::ssr::ORDERS
        );
        for p in pages {
            let errors = p.ssr.failed() + p.fixed.failed();
            let (twin, twin_ratio) = match (&p.twin, p.twin_ratio()) {
                (Some(t), Some(r)) => (
                    format!(
                        "{:.0} ({}{})",
                        t.figures.per_second(),
                        t.bytes,
                        if t.same_text { ", same text" } else { "" }
                    ),
                    format!("**{r:.3}**"),
                ),
                _ => ("—".to_string(), "—".to_string()),
            };
            let twin_errors = p.twin.as_ref().map_or(0, |t| t.figures.failed());
            let _ = writeln!(
                s,
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | **{:.3}** | {} | {} | {} | {} |",
                p.label,
                p.bytes,
                p.ssr.per_second(),
                p.ssr.p50_ms(),
                p.ssr.p99_ms(),
                p.fixed.per_second(),
                p.fixed.p50_ms(),
                p.fixed.p99_ms(),
                p.ratio(),
                twin,
                twin_ratio,
                p.ssr.timeouts + p.fixed.timeouts,
                errors + twin_errors,
            );
        }
        self.sections.push(s);
    }

    pub fn checkout(&mut self, outcomes: &[Outcome]) {
        let mut s = String::from(
            "## 2. Checkout under contention\n\n\
             `POST /api/orders/place` by wrk (buyers named by `X-USER-ID`, a key per request), \
             against the raw rate of the same conditional stock update, balance update and \
             ledger insert in one write transaction, run directly on the database by as many \
             tasks as wrk has connections, the same number of times, in the same run. \
             Flash sale: one product with 1,000 in stock, 1,500 attempts, one each. \
             Spread: 34 products, 3,000 orders of 1 to 3 items. \
             Orders/s counts placed orders over the whole run.\n\n\
             | backend | scenario | buyers / connections | placed | sold out (409) | 5xx | orders/s | p50 ms | p99 ms | raw ops/s (refused) | raw p50 ms | raw p99 ms | **checkout / raw** | oversold | stock ≠ sold | balances wrong |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for o in outcomes {
            let _ = writeln!(
                s,
                "| {} | {} | {} / {} | {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.0} ({}) | {} | {} | **{:.3}** | {} | {} | {} |",
                o.backend,
                o.scenario,
                o.buyers,
                o.connections,
                o.orders,
                o.sold_out,
                o.http.server_errors() + o.http.timeouts + o.http.socket_errors,
                o.orders_per_second(),
                o.http.p50_ms(),
                o.http.p99_ms(),
                o.raw.per_second(),
                o.raw.refused,
                ms(o.raw.p50),
                ms(o.raw.p99),
                o.ratio(),
                o.oversold,
                o.stock_mismatch,
                o.points_wrong,
            );
        }
        self.sections.push(s);
    }

    pub fn cancel(&mut self, outcomes: &[cancel::Outcome]) {
        let mut s = format!(
            "## 6. Cancelling orders\n\n\
             `POST /api/orders/cancel` by wrk, each of {orders} orders once by its owner (named by \
             `X-USER-ID`, a key per request), against the raw rate of the same updates (the \
             order from `placed` to `cancelled`, each line's stock back with its movement, the \
             refund with its ledger row) in one write transaction, run directly on the database \
             by as many tasks as wrk has connections, on as many orders again, in the same run. \
             The orders are placed beforehand through the shop's checkout: {buyers} buyers \
             taking turns, 1 to 3 lines of 1 to 3 items over {products} products. Cancels/s \
             counts cancelled orders over the whole run. The sums are checked on both sets \
             (HTTP / raw): a product's stock is its initial stock less its orders not \
             cancelled; a buyer's balance is their ledger's sum and their initial points less \
             their orders not cancelled; a cancelled order has exactly one refund row, any \
             other none.\n\n\
             | backend | orders | connections | cancelled (200) | non-200 | cancels/s | p50 ms | p99 ms | raw cancels/s (refused) | raw p50 ms | raw p99 ms | **cancel / raw** | stock wrong | balances wrong | refunds wrong |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            orders = cancel::ORDERS,
            buyers = cancel::BUYERS,
            products = cancel::PRODUCTS,
        );
        for o in outcomes {
            let (h, r) = (&o.http_checks, &o.raw_checks);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} ({}) | {} | {:.0} | {:.1} | {:.1} | {:.0} ({}) | {} | {} | **{:.3}** | {} / {} | {} / {} | {} / {} |",
                o.backend,
                o.orders,
                o.connections,
                o.cancelled,
                o.http.status(200),
                o.not_ok(),
                o.cancels_per_second(),
                o.http.p50_ms(),
                o.http.p99_ms(),
                o.raw.per_second(),
                o.raw.refused,
                ms(o.raw.p50),
                ms(o.raw.p99),
                o.ratio(),
                h.stock_wrong,
                r.stock_wrong,
                h.balances_wrong,
                r.balances_wrong,
                h.refunds_wrong,
                r.refunds_wrong,
            );
        }
        self.sections.push(s);
    }

    pub fn claims(&mut self, outcomes: &[claims::Outcome]) {
        let mut s = format!(
            "## 7. The coupon claim rush\n\n\
             {shoppers} shoppers each claim a campaign of {quantity} coupons once, through \
             `POST /api/coupons/issue` by wrk (named by `X-USER-ID`), against the raw rate of \
             the shop's own claim (`coupons::store::issue`: the shopper's row, unique per \
             campaign, and one conditional update of the count, `issued < quantity`, in one \
             write transaction) run directly on the database by as many tasks as wrk has \
             connections, for a second campaign with as many shoppers, in the same run. Both \
             rates count every answered claim (issued or sold out). Checked on both \
             (HTTP / raw): the campaign's count, its coupon rows, and shoppers holding two.\n\n\
             | backend | shoppers | connections | issued (201) | sold out (409) | other | claims/s | p50 ms | p99 ms | raw claims/s (sold out) | raw p50 ms | raw p99 ms | **claim / raw** | issued count | rows | twice |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            shoppers = claims::SHOPPERS,
            quantity = claims::QUANTITY,
        );
        for o in outcomes {
            let (h, r) = (&o.http_checks, &o.raw_checks);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.0} ({}) | {} | {} | **{:.3}** | {} / {} | {} / {} | {} / {} |",
                o.backend,
                claims::SHOPPERS,
                claims::CONNECTIONS,
                o.http.status(201),
                o.http.status(409),
                o.other(),
                o.claims_per_second(),
                o.http.p50_ms(),
                o.http.p99_ms(),
                claims::SHOPPERS as f64 / o.raw.elapsed.as_secs_f64().max(1e-9),
                o.raw.refused,
                ms(o.raw.p50),
                ms(o.raw.p99),
                o.ratio(),
                h.issued,
                r.issued,
                h.rows,
                r.rows,
                h.twice,
                r.twice,
            );
        }
        self.sections.push(s);
    }

    pub fn bytes(&mut self, pages: &Pages) {
        let mut s = String::from(
            "## 3. Bytes of the first load\n\n\
             What the browser downloaded (Resource Timing), and each file fetched again \
             asking for gzip only and for brotli only.\n\n\
             | page | file | raw | as sent | gzip | brotli |\n|---|---|---:|---:|---:|---:|\n",
        );
        for (path, page) in pages {
            let (mut raw, mut sent, mut gzip, mut br) = (0, 0, 0, 0);
            let (mut code_gzip, mut code_br) = (0, 0);
            for a in &page.browser.assets {
                let _ = writeln!(
                    s,
                    "| `{path}` | {} `{}` | {} | {} | {} | {} |",
                    a.kind, a.url, a.raw, a.sent, a.gzip, a.br
                );
                raw += a.raw;
                sent += a.sent;
                gzip += a.gzip;
                br += a.br;
                if a.kind != "css" {
                    code_gzip += a.gzip;
                    code_br += a.br;
                }
            }
            let _ = writeln!(
                s,
                "| `{path}` | **all** | {raw} ({}) | {sent} ({}) | {gzip} ({}) | {br} ({}) |",
                kib(raw),
                kib(sent),
                kib(gzip),
                kib(br)
            );
            let _ = writeln!(
                s,
                "| `{path}` | **wasm + js** | | | {code_gzip} ({}) | {code_br} ({}) |",
                kib(code_gzip),
                kib(code_br)
            );
        }
        self.sections.push(s);
    }

    pub fn browser(&mut self, pages: &Pages) {
        let mut s = String::from(
            "## 4. In the browser\n\n\
             Headless Chromium (the system's), a new context per load, median of the loads; \
             then Lighthouse 12 (mobile, simulated throttling) once per page. Its yardstick is \
             its own scale (0 to 1). The server runs as shipped: a first visit (no cookie) \
             gets its page from the guests' page cache, whose policy names the inline \
             scripts by hash.\n\n\
             | page | loads | TTFB ms | FCP ms | LCP ms | Lighthouse performance | accessibility | best practices | SEO | Lighthouse FCP ms | LCP ms | transferred |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for (path, page) in pages {
            let (b, l) = (&page.browser, &page.lighthouse);
            let _ = writeln!(
                s,
                "| `{path}` | {} | {:.1} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} | {} |",
                b.loads,
                b.ttfb_ms,
                b.fcp_ms,
                b.lcp_ms,
                l.performance,
                l.accessibility,
                l.best_practices,
                l.seo,
                l.fcp_ms,
                l.lcp_ms,
                kib(l.transferred_bytes as u64),
            );
        }
        for (path, page) in pages {
            if !page.lighthouse.failing_audits.is_empty() {
                let _ = writeln!(
                    s,
                    "\nLighthouse audits failed on `{path}`: {}.",
                    page.lighthouse.failing_audits.join(", ")
                );
            }
            let findings = &page.lighthouse.csp_findings;
            let high = findings.iter().filter(|f| f.starts_with("High")).count();
            let _ = writeln!(
                s,
                "\nLighthouse's CSP check on `{path}`: {high} high-severity findings{}",
                if findings.is_empty() {
                    ".".to_string()
                } else {
                    format!("; all: {}", findings.join("; "))
                }
            );
        }
        self.sections.push(s);
    }

    pub fn growth(
        &mut self,
        levels: &[(&str, Vec<growth::Level>)],
        plans: &[(&str, Vec<(String, String)>)],
    ) {
        let mut s = String::from(
            "## 5. Growth\n\n\
             p50 latency (ms) of each page or query as the catalog grows (the demo catalog \
             plus generated products, each in five sizes) and the orders table with it (at \
             least 1,000 orders, 30 of them the shopper's), rendered with the guests' page \
             cache off (`PAGE_CACHE_MS=0`), as a guest and as a logged-in shopper. The search \
             words and the brand are the demo catalog's, so they match as many products at \
             every size; the common word (`black`) is in one generated name of ten, so its \
             matches grow with the catalog and its count stops at 1,000 and its page is read along the index of dates. wrk, 4 \
             connections, 400 requests each. The yardstick is the same probe on the \
             34-product catalog; the goal is at most 1.5 times it (the common word aside).\n",
        );
        let probes = growth::probes();
        for (backend, levels) in levels {
            let _ = write!(s, "\n### {backend}\n\n| probe |");
            for level in levels {
                let _ = write!(s, " {} products, {} orders |", level.products, level.orders);
            }
            s.push_str(" **largest / smallest** | errors |\n|---|");
            for _ in levels {
                s.push_str("---:|");
            }
            s.push_str("---:|---:|\n");
            for (i, probe) in probes.iter().enumerate() {
                let _ = write!(s, "| {} |", probe.label);
                let mut errors = 0;
                for level in levels {
                    let f = &level.figures[i];
                    errors += f.timeouts + f.failed();
                    let _ = write!(s, " {:.2} |", f.p50_ms());
                }
                let first = levels.first().map_or(1.0, |l| l.figures[i].p50_ms());
                let last = levels.last().map_or(1.0, |l| l.figures[i].p50_ms());
                let ratio = last / first.max(1e-6);
                let mark = if growth::held_to_goal(probe) && ratio > 1.5 {
                    " (over 1.5)"
                } else {
                    ""
                };
                let _ = writeln!(s, " **{ratio:.2}**{mark} | {errors} |");
            }
        }
        for (backend, plans) in plans {
            let _ = writeln!(s, "\n### Query plans, {backend}, largest catalog\n");
            for (label, plan) in plans {
                let _ = writeln!(s, "{label}:\n\n```\n{plan}\n```\n");
            }
        }
        self.sections.push(s);
    }

    pub fn page_cache(&mut self, pages: &[cache::CachedPage], sales: &[cache::Freshness]) {
        let mut s = String::from(
            "## 8. The guests' page cache\n\n\
             A visitor without a session gets pages from the server's cache of finished, \
             compressed pages (`server/src/page_cache.rs`), each rendered at most once per \
             page and language every `PAGE_CACHE_MS` (500 ms), counted from before its \
             render read anything. Each page against `GET /_bench/static/{bytes}` as in \
             section 1, the cache on: wrk, 2 threads, 32 connections, 20,000 requests of each \
             per run, three runs interleaved, the median run shown, no compression asked \
             for. The hit rate counts every guest request of the three runs (the server's \
             own counts, `GET /_bench/page-cache`).\n\n\
             | page | bytes | cached req/s | p50 ms | p99 ms | static req/s | p50 ms | p99 ms | **cached / static** | hits | misses | passes | **hit rate** | errors |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for p in pages {
            let errors = p.cached.failed() + p.fixed.failed();
            let _ = writeln!(
                s,
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | **{:.3}** | {} | {} | {} | **{:.4}** | {} |",
                p.label,
                p.bytes,
                p.cached.per_second(),
                p.cached.p50_ms(),
                p.cached.p99_ms(),
                p.fixed.per_second(),
                p.fixed.p50_ms(),
                p.fixed.p99_ms(),
                p.ratio(),
                p.counts.hits,
                p.counts.misses,
                p.counts.passes,
                p.counts.hit_rate(),
                errors,
            );
        }
        s.push_str(
            "\n### During the flash sale\n\n\
             Section 2's flash sale again (400 buyers, 1,500 attempts at 1,000 in stock, \
             wrk, 400 connections) while 4 guests read the hot product's page in a loop \
             from the cache, and the driver samples the product's stock in the database \
             every few milliseconds. A page's age is how long the database had held a lower \
             stock than the page showed when the page arrived (bounded above: from the last \
             sample that still read the shown stock or more). The bound is one second.\n\n\
             | backend | orders placed | orders/s | guest reads | hit rate | oldest page ms | p99 age ms | **pages over the bound** |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for f in sales {
            let _ = writeln!(
                s,
                "| {} | {} | {:.0} | {} | {:.4} | {} | {} | **{}** |",
                f.backend,
                f.orders,
                f.orders as f64 / (f.sale.duration_us.max(1) as f64 / 1e6),
                f.reads,
                f.counts.hit_rate(),
                ms(f.oldest),
                ms(f.p99),
                f.over_bound,
            );
        }
        self.sections.push(s);
    }

    pub fn payments(&mut self, outcomes: &[payments::Outcome]) {
        let mut s = format!(
            "## 9. Charging through KakaoPay\n\n\
             {charges} charges of 1,000 won, {at_once} shoppers at a time (each its own \
             session), walked as a browser walks them: `POST /api/points/charge` (the shop's \
             ready call to the KakaoPay sandbox), the sandbox's page and its Pay button, the \
             shop's approve URL (its approve call, then the credit: the conditional move and \
             the ledger row in one transaction). Against the sandbox's own rate for the same \
             walk with the shop's side removed: KakaoPay's client straight to the sandbox \
             (ready, page, Pay, approve; no HTTP to the shop, no database), as many tasks. \
             Checked after: charges paid, ledger rows naming a charge, the balances' sum, and \
             on KakaoPay's side payments taken once / more than once.\n\n\
             | backend | charges | at once | charges/s | p50 ms | p99 ms | sandbox alone charges/s | p50 ms | p99 ms | **shop / sandbox** | paid | ledger rows | balances | taken once | taken twice |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            charges = payments::CHARGES,
            at_once = payments::AT_ONCE,
        );
        for o in outcomes {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.0} | {} | {} | {:.0} | {} | {} | **{:.3}** | {} | {} | {} | {} | {} |",
                o.backend,
                payments::CHARGES,
                payments::AT_ONCE,
                o.shop.per_second(),
                ms(o.shop.p50),
                ms(o.shop.p99),
                o.sandbox.per_second(),
                ms(o.sandbox.p50),
                ms(o.sandbox.p99),
                o.ratio(),
                o.paid,
                o.ledger_rows,
                Won(o.balances).grouped(),
                o.taken_once,
                o.taken_twice,
            );
        }
        self.sections.push(s);
    }

    pub fn finish(self, took: Duration) -> String {
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
            .map_or("?".to_string(), |kb| {
                format!("{:.1} GiB", kb as f64 / 1048576.0)
            });
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':').map(|(_, v)| v.trim().to_string()))
            })
            .unwrap_or_default();
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let mut out = format!(
            "# Benchmark results\n\n\
             `make bench`, {date}, commit `{commit}`: {cores} cores ({cpu}), {memory}, \
             {kernel}. The whole run took {:.0} s. The machine is shared, so compare the \
             ratios; the absolute figures move from run to run. Load: {wrk}, a separate \
             process on loopback; server: the release build, one worker thread per core.\n",
            took.as_secs_f64(),
            date = command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            commit = commit(),
            kernel = command_line("uname", &["-sr"]),
            wrk = command_line("sh", &["-c", "wrk -v 2>&1 | head -1 | cut -d' ' -f1-2"]),
        );
        for section in self.sections {
            out.push('\n');
            out.push_str(&section);
        }
        out
    }
}
