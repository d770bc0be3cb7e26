// Tests for the KakaoPay sandbox: each starts it as a child process the way the
// shop's tests do (`node sandbox.mjs --port 0 ...`) and reads its first line.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const SANDBOX = fileURLToPath(new URL('./sandbox.mjs', import.meta.url));
const KEY = 'DEV0123456789abcdef-test-key';
const CID = 'TC0ONETIME';

async function start(extra = []) {
  const proc = spawn(process.execPath, [SANDBOX, '--port', '0', '--secret-key', KEY, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: proc.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`sandbox exited ${code}: ${stderr}`)));
  });
  const extraLines = [];
  lines.on('line', (l) => extraLines.push(l));
  const { base } = JSON.parse(first);
  return {
    base,
    first,
    extraLines,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function api(base, op, body, { key = KEY, scheme = 'SECRET_KEY', contentType = 'application/json', raw } = {}) {
  const headers = {};
  if (key !== null) headers.authorization = `${scheme} ${key}`;
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(`${base}/online/v1/payment/${op}`, {
    method: 'POST',
    headers,
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

let seq = 0;
function readyBody(over = {}) {
  seq += 1;
  return {
    cid: CID,
    partner_order_id: `order-${seq}`,
    partner_user_id: `user-${seq}`,
    item_name: '포인트 충전 10,000',
    quantity: 1,
    total_amount: 11000,
    tax_free_amount: 0,
    approval_url: 'http://shop.test/pay/kakao/approve?charge=42',
    cancel_url: 'http://shop.test/pay/kakao/cancel',
    fail_url: 'http://shop.test/pay/kakao/fail',
    ...over,
  };
}

async function ready(base, over = {}) {
  const body = readyBody(over);
  const r = await api(base, 'ready', body);
  assert.equal(r.status, 200, r.text);
  return { body, ...r.json };
}

function formAction(html, testid) {
  const re = new RegExp(`<form[^>]*action="([^"]+)"[^>]*>(?:(?!</form>)[\\s\\S])*data-testid="${testid}"`);
  const m = re.exec(html);
  assert.ok(m, `no form with ${testid}`);
  return m[1];
}

async function press(base, r, testid, form = '') {
  const page = await fetch(r.next_redirect_pc_url);
  assert.equal(page.status, 200);
  const html = await page.text();
  const action = formAction(html, testid);
  const res = await fetch(new URL(action, base), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return res;
}

async function pay(base, r, method) {
  const res = await press(base, r, 'sandbox-pay', method ? `payment_method_type=${method}` : '');
  assert.equal(res.status, 303);
  const loc = res.headers.get('location');
  const pgToken = new URL(loc).searchParams.get('pg_token');
  assert.ok(pgToken, loc);
  return { loc, pgToken };
}

const approveBody = (r, pgToken, over = {}) => ({
  cid: CID,
  tid: r.tid,
  partner_order_id: r.body.partner_order_id,
  partner_user_id: r.body.partner_user_id,
  pg_token: pgToken,
  ...over,
});

const order = (base, tid) => api(base, 'order', { cid: CID, tid });

async function payments(base) {
  const res = await fetch(`${base}/_sandbox/payments`);
  assert.equal(res.status, 200);
  return res.json();
}

async function setFaults(base, f) {
  const res = await fetch(`${base}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(f),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

const KST_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

describe('kakaopay sandbox', () => {
  let sb;
  before(async () => {
    sb = await start();
  });
  after(async () => {
    await sb.stop();
  });
  beforeEach(async () => {
    const res = await fetch(`${sb.base}/_sandbox/reset`, { method: 'POST' });
    assert.equal(res.status, 200);
  });

  test('prints exactly one JSON line with a loopback base', async () => {
    assert.match(sb.base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(Object.keys(JSON.parse(sb.first)), ['base']);
    await ready(sb.base);
    await sleep(50);
    assert.deepEqual(sb.extraLines, []);
  });

  test('refuses missing or wrong Authorization with 401 / -401', async () => {
    const before = (await payments(sb.base)).length;
    for (const opts of [{ key: null }, { key: 'wrong' }, { scheme: 'KakaoAK' }, { scheme: 'Bearer' }]) {
      const r = await api(sb.base, 'ready', readyBody(), opts);
      assert.equal(r.status, 401, JSON.stringify(opts));
      assert.equal(r.json.error_code, -401);
      assert.equal(typeof r.json.error_message, 'string');
    }
    const r = await api(sb.base, 'order', { cid: CID, tid: 'T0000000000000000000' }, { key: 'wrong' });
    assert.equal(r.status, 401);
    assert.equal((await payments(sb.base)).length, before);
  });

  test('validates ready requests with 400 and documented error codes', async () => {
    const before = (await payments(sb.base)).length;
    const cases = [
      [{ item_name: undefined }, -2],
      [{ partner_order_id: '' }, -2],
      [{ partner_order_id: 'x'.repeat(101) }, -2],
      [{ partner_user_id: 'u'.repeat(101) }, -2],
      [{ item_name: '가'.repeat(101) }, -2],
      [{ item_code: 'c'.repeat(101) }, -2],
      [{ partner_order_id: 12345 }, -2],
      [{ quantity: 0 }, -2],
      [{ quantity: 'one' }, -2],
      [{ total_amount: 0 }, -2],
      [{ total_amount: -100 }, -2],
      [{ total_amount: 1100.5 }, -2],
      [{ total_amount: true }, -2],
      [{ tax_free_amount: undefined }, -2],
      [{ tax_free_amount: 20000 }, -722],
      [{ vat_amount: 20000 }, -722],
      [{ approval_url: 'ftp://shop.test/ok' }, -2],
      [{ cancel_url: 'not a url' }, -2],
      [{ fail_url: 'http://shop.test/' + 'f'.repeat(250) }, -2],
      [{ approval_url: undefined }, -2],
      [{ payment_method_type: 'BITCOIN' }, -2],
      [{ install_month: 13 }, -2],
      [{ cid: 'TCOTHER000' }, -731],
      [{ cid: undefined }, -2],
    ];
    for (const [over, code] of cases) {
      const body = readyBody(over);
      for (const [k, v] of Object.entries(over)) if (v === undefined) delete body[k];
      const r = await api(sb.base, 'ready', body);
      assert.equal(r.status, 400, `${JSON.stringify(over)} -> ${r.text}`);
      assert.equal(r.json.error_code, code, JSON.stringify(over));
      assert.equal(typeof r.json.error_message, 'string');
    }
    assert.equal((await payments(sb.base)).length, before, 'no payment created by a bad request');
  });

  test('accepts the integers as strings, as KakaoPay\'s own sample request does', async () => {
    const r = await ready(sb.base, { quantity: '1', total_amount: '2200', vat_amount: '200', tax_free_amount: '0' });
    const o = await order(sb.base, r.tid);
    assert.deepEqual(o.json.amount, { total: 2200, tax_free: 0, vat: 200, point: 0, discount: 0, green_deposit: 0 });
    assert.equal(o.json.quantity, 1);
  });

  test('rejects a wrong content type, malformed JSON and non-objects; unknown paths are 404 JSON', async () => {
    let r = await api(sb.base, 'ready', null, { contentType: 'application/x-www-form-urlencoded', raw: 'cid=TC0ONETIME' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error_code, -2);
    r = await api(sb.base, 'ready', null, { raw: '{"cid": "TC0ONETIME",' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error_code, -2);
    r = await api(sb.base, 'approve', null, { raw: '[1,2]' });
    assert.equal(r.status, 400);
    r = await api(sb.base, 'cancel', null, { raw: 'null' });
    assert.equal(r.status, 400);
    r = await api(sb.base, 'ready', readyBody(), { contentType: 'application/json; charset=utf-8' });
    assert.equal(r.status, 200, 'charset parameter is fine');
    let res = await fetch(`${sb.base}/v1/payment/ready`, { method: 'POST' });
    assert.equal(res.status, 404);
    assert.equal(typeof (await res.json()).error_code, 'number');
    res = await fetch(`${sb.base}/online/v1/payment/ready`);
    assert.equal(res.status, 405);
    assert.equal(typeof (await res.json()).error_code, 'number');
    // still alive
    await ready(sb.base);
  });

  test('ready -> page -> pay -> approve -> order SUCCESS_PAYMENT -> cancel -> CANCEL_PAYMENT', async () => {
    const r = await ready(sb.base, { item_code: 'POINT-10000', tax_free_amount: 1000 });
    assert.match(r.tid, /^T[0-9a-f]{19}$/);
    assert.match(r.created_at, KST_TIME);
    for (const k of ['next_redirect_app_url', 'next_redirect_mobile_url', 'next_redirect_pc_url'])
      assert.ok(r[k].startsWith(sb.base + '/'), k);
    assert.match(r.android_app_scheme, /^kakaotalk:\/\//);
    assert.match(r.ios_app_scheme, /^kakaotalk:\/\//);

    let o = await order(sb.base, r.tid);
    assert.equal(o.status, 200);
    assert.equal(o.json.status, 'READY');
    assert.equal(o.json.approved_at, undefined);
    assert.deepEqual(o.json.payment_action_details, []);

    const html = await (await fetch(r.next_redirect_pc_url)).text();
    assert.match(html, /포인트 충전 10,000/);
    assert.match(html, /11,000원/);
    assert.match(html, /data-testid="sandbox-pay"[^>]*>결제하기 \/ Pay</);
    assert.match(html, /data-testid="sandbox-cancel"[^>]*>취소 \/ Cancel</);
    assert.match(html, /data-testid="sandbox-fail"[^>]*>결제 실패 \/ Fail</);
    assert.equal((await fetch(r.next_redirect_mobile_url)).status, 200);
    assert.equal((await fetch(r.next_redirect_app_url)).status, 200);
    assert.equal((await order(sb.base, r.tid)).json.status, 'READY', 'opening the page is not acting');

    const { loc, pgToken } = await pay(sb.base, r, 'CARD');
    assert.ok(loc.startsWith('http://shop.test/pay/kakao/approve?charge=42&pg_token='), loc);
    assert.equal((await order(sb.base, r.tid)).json.status, 'AUTH_PASSWORD');

    let a = await api(sb.base, 'approve', approveBody(r, 'not-the-token'));
    assert.equal(a.status, 400);
    assert.equal(a.json.error_code, -708);
    a = await api(sb.base, 'approve', approveBody(r, pgToken, { partner_order_id: 'someone-else' }));
    assert.equal(a.json.error_code, -706);
    a = await api(sb.base, 'approve', approveBody(r, pgToken, { partner_user_id: 'someone-else' }));
    assert.equal(a.json.error_code, -707);
    a = await api(sb.base, 'approve', approveBody(r, pgToken, { cid: 'TCOTHER000' }));
    assert.equal(a.json.error_code, -731);
    a = await api(sb.base, 'approve', approveBody(r, pgToken, { total_amount: 10999 }));
    assert.equal(a.json.error_code, -704);
    assert.equal((await payments(sb.base)).find((p) => p.tid === r.tid).approvals, 0);

    a = await api(sb.base, 'approve', approveBody(r, pgToken, { total_amount: 11000, payload: 'charge-42' }));
    assert.equal(a.status, 200, a.text);
    assert.match(a.json.aid, /^A[0-9a-f]{19}$/);
    assert.equal(a.json.tid, r.tid);
    assert.equal(a.json.cid, CID);
    assert.equal(a.json.partner_order_id, r.body.partner_order_id);
    assert.equal(a.json.partner_user_id, r.body.partner_user_id);
    assert.equal(a.json.payment_method_type, 'CARD');
    assert.deepEqual(a.json.amount, { total: 11000, tax_free: 1000, vat: 909, point: 0, discount: 0, green_deposit: 0 });
    assert.equal(a.json.card_info.bin.length, 6);
    assert.equal(a.json.item_name, '포인트 충전 10,000');
    assert.equal(a.json.item_code, 'POINT-10000');
    assert.equal(a.json.quantity, 1);
    assert.equal(a.json.created_at, r.created_at);
    assert.match(a.json.approved_at, KST_TIME);
    assert.equal(a.json.payload, 'charge-42');

    o = await order(sb.base, r.tid);
    assert.equal(o.json.status, 'SUCCESS_PAYMENT');
    assert.equal(o.json.payment_method_type, 'CARD');
    assert.equal(o.json.approved_at, a.json.approved_at);
    assert.equal(o.json.cancel_available_amount.total, 11000);
    assert.equal(o.json.canceled_amount.total, 0);
    assert.equal(o.json.selected_card_info.card_bin, a.json.card_info.bin);
    assert.equal(o.json.payment_action_details.length, 1);
    assert.equal(o.json.payment_action_details[0].payment_action_type, 'PAYMENT');
    assert.equal(o.json.payment_action_details[0].aid, a.json.aid);
    assert.equal(o.json.payment_action_details[0].amount, 11000);

    // partial cancel, then too much, then the rest
    let c = await api(sb.base, 'cancel', { cid: CID, tid: r.tid, cancel_amount: 4000, cancel_tax_free_amount: 0, cancel_available_amount: 11000, payload: 'p1' });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.status, 'PART_CANCEL_PAYMENT');
    assert.equal(c.json.approved_cancel_amount.total, 4000);
    assert.equal(c.json.canceled_amount.total, 4000);
    assert.equal(c.json.cancel_available_amount.total, 7000);
    assert.match(c.json.canceled_at, KST_TIME);
    assert.equal((await order(sb.base, r.tid)).json.status, 'PART_CANCEL_PAYMENT');

    c = await api(sb.base, 'cancel', { cid: CID, tid: r.tid, cancel_amount: 7001, cancel_tax_free_amount: 0 });
    assert.equal(c.status, 400);
    assert.equal(c.json.error_code, -710);
    c = await api(sb.base, 'cancel', { cid: CID, tid: r.tid, cancel_amount: 7000, cancel_tax_free_amount: 0, cancel_available_amount: 11000 });
    assert.equal(c.json.error_code, -722, 'stale cancel_available_amount');
    c = await api(sb.base, 'cancel', { cid: CID, tid: r.tid, cancel_amount: 7000, cancel_tax_free_amount: 1000 });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.status, 'CANCEL_PAYMENT');
    assert.equal(c.json.approved_cancel_amount.total, 7000);
    assert.deepEqual(c.json.canceled_amount, { ...c.json.amount });
    assert.equal(c.json.cancel_available_amount.total, 0);

    o = await order(sb.base, r.tid);
    assert.equal(o.json.status, 'CANCEL_PAYMENT');
    assert.equal(o.json.payment_action_details.length, 3);
    c = await api(sb.base, 'cancel', { cid: CID, tid: r.tid, cancel_amount: 1, cancel_tax_free_amount: 0 });
    assert.equal(c.json.error_code, -710);
    a = await api(sb.base, 'approve', approveBody(r, pgToken));
    assert.equal(a.json.error_code, -702);

    const p = (await payments(sb.base)).find((x) => x.tid === r.tid);
    assert.equal(p.approvals, 1);
    assert.equal(p.canceled_amount, 11000);
    assert.equal(p.status, 'CANCEL_PAYMENT');
    assert.equal(p.total_amount, 11000);
  });

  test('MONEY payments have no card_info', async () => {
    const r = await ready(sb.base, { payment_method_type: 'MONEY' });
    const { pgToken } = await pay(sb.base, r, 'CARD'); // ready restricted it to MONEY
    const a = await api(sb.base, 'approve', approveBody(r, pgToken));
    assert.equal(a.json.payment_method_type, 'MONEY');
    assert.equal(a.json.card_info, undefined);
  });

  test('approving twice takes the money once (-702)', async () => {
    const r = await ready(sb.base);
    const { pgToken } = await pay(sb.base, r);
    const first = await api(sb.base, 'approve', approveBody(r, pgToken));
    assert.equal(first.status, 200);
    const second = await api(sb.base, 'approve', approveBody(r, pgToken));
    assert.equal(second.status, 400);
    assert.equal(second.json.error_code, -702);
    assert.equal((await payments(sb.base)).find((p) => p.tid === r.tid).approvals, 1);
  });

  test('20 concurrent approves take the money exactly once', async () => {
    const r = await ready(sb.base);
    const { pgToken } = await pay(sb.base, r);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api(sb.base, 'approve', approveBody(r, pgToken))),
    );
    assert.equal(results.filter((x) => x.status === 200).length, 1);
    assert.ok(results.filter((x) => x.status !== 200).every((x) => x.status === 400 && x.json.error_code === -702));
    assert.equal((await payments(sb.base)).find((p) => p.tid === r.tid).approvals, 1);
  });

  test('approve before the shopper acted is -701; unknown tids are -721', async () => {
    const r = await ready(sb.base);
    const a = await api(sb.base, 'approve', approveBody(r, 'whatever'));
    assert.equal(a.status, 400);
    assert.equal(a.json.error_code, -701);
    const unknown = 'T0123456789abcdef012';
    for (const [op, body] of [
      ['order', { cid: CID, tid: unknown }],
      ['approve', { ...approveBody(r, 'x'), tid: unknown }],
      ['cancel', { cid: CID, tid: unknown, cancel_amount: 1, cancel_tax_free_amount: 0 }],
    ]) {
      const res = await api(sb.base, op, body);
      assert.equal(res.status, 400, op);
      assert.equal(res.json.error_code, -721, op);
    }
    const res = await api(sb.base, 'order', { cid: CID });
    assert.equal(res.json.error_code, -2);
  });

  test('cancel of an unpaid payment is -781 with extras', async () => {
    const r = await ready(sb.base);
    const c = await api(sb.base, 'cancel', { cid: CID, tid: r.tid, cancel_amount: 11000, cancel_tax_free_amount: 0 });
    assert.equal(c.status, 400);
    assert.equal(c.json.error_code, -781);
    assert.equal(typeof c.json.extras.method_result_code, 'string');
    const c2 = await api(sb.base, 'cancel', { cid: CID, tid: r.tid, cancel_amount: 0, cancel_tax_free_amount: 0 });
    assert.equal(c2.json.error_code, -2);
  });

  test('decline: approve answers -780 with extras, status FAIL_PAYMENT, no money', async () => {
    await setFaults(sb.base, { approve: 'decline' });
    const r = await ready(sb.base);
    const { pgToken } = await pay(sb.base, r);
    const a = await api(sb.base, 'approve', approveBody(r, pgToken));
    assert.equal(a.status, 400);
    assert.equal(a.json.error_code, -780);
    assert.equal(a.json.error_message, 'approval failure!');
    assert.equal(typeof a.json.extras.method_result_code, 'string');
    assert.equal(typeof a.json.extras.method_result_message, 'string');
    assert.equal((await order(sb.base, r.tid)).json.status, 'FAIL_PAYMENT');
    const p = (await payments(sb.base)).find((x) => x.tid === r.tid);
    assert.equal(p.approvals, 0);
    await setFaults(sb.base, { approve: 'ok' });
    const again = await api(sb.base, 'approve', approveBody(r, pgToken));
    assert.equal(again.json.error_code, -783);
    // a bad request under decline is still the ordinary error
    await setFaults(sb.base, { approve: 'decline' });
    const r2 = await ready(sb.base);
    const { pgToken: t2 } = await pay(sb.base, r2);
    assert.equal((await api(sb.base, 'approve', approveBody(r2, 'wrong'))).json.error_code, -708);
    assert.equal((await api(sb.base, 'approve', approveBody(r2, t2))).json.error_code, -780);
  });

  test('delay: the approve is applied at once, the answer comes later', async () => {
    await setFaults(sb.base, { approve: 'delay', delay_ms: 1500 });
    const r = await ready(sb.base);
    const { pgToken } = await pay(sb.base, r);
    const t0 = Date.now();
    let answered = false;
    const pending = api(sb.base, 'approve', approveBody(r, pgToken)).then((x) => ((answered = true), x));
    await sleep(300);
    assert.equal(answered, false);
    assert.equal((await order(sb.base, r.tid)).json.status, 'SUCCESS_PAYMENT');
    assert.equal((await payments(sb.base)).find((x) => x.tid === r.tid).approvals, 1);
    const a = await pending;
    assert.ok(Date.now() - t0 >= 1400);
    assert.equal(a.status, 200);
    assert.equal(a.json.tid, r.tid);
  });

  test('delay on ready creates the payment before answering', async () => {
    await setFaults(sb.base, { ready: 'delay', delay_ms: 800 });
    const before = (await payments(sb.base)).length;
    const pending = api(sb.base, 'ready', readyBody());
    await sleep(300);
    assert.equal((await payments(sb.base)).length, before + 1);
    assert.equal((await pending).status, 200);
  });

  test('drop: the approve is applied and the connection is cut', async () => {
    await setFaults(sb.base, { approve: 'drop' });
    const r = await ready(sb.base);
    const { pgToken } = await pay(sb.base, r);
    await assert.rejects(api(sb.base, 'approve', approveBody(r, pgToken)));
    await setFaults(sb.base, { approve: 'ok' });
    assert.equal((await order(sb.base, r.tid)).json.status, 'SUCCESS_PAYMENT');
    const retry = await api(sb.base, 'approve', approveBody(r, pgToken));
    assert.equal(retry.json.error_code, -702);
    assert.equal((await payments(sb.base)).find((x) => x.tid === r.tid).approvals, 1);
  });

  test('error5xx: not applied, HTTP 500 with error JSON', async () => {
    await setFaults(sb.base, { approve: 'error5xx', order: 'error5xx', cancel: 'error5xx' });
    const r = await ready(sb.base);
    const { pgToken } = await pay(sb.base, r);
    const a = await api(sb.base, 'approve', approveBody(r, pgToken));
    assert.equal(a.status, 500);
    assert.equal(a.json.error_code, -1);
    assert.equal(typeof a.json.error_message, 'string');
    assert.equal((await order(sb.base, r.tid)).status, 500);
    await setFaults(sb.base, { order: 'ok' });
    assert.equal((await order(sb.base, r.tid)).json.status, 'AUTH_PASSWORD');
    await setFaults(sb.base, { approve: 'ok' });
    assert.equal((await api(sb.base, 'approve', approveBody(r, pgToken))).status, 200);
    const c = await api(sb.base, 'cancel', { cid: CID, tid: r.tid, cancel_amount: 11000, cancel_tax_free_amount: 0 });
    assert.equal(c.status, 500);
    assert.equal((await order(sb.base, r.tid)).json.status, 'SUCCESS_PAYMENT');
  });

  test('ready refuse / drop / error5xx leave nothing behind', async () => {
    const before = (await payments(sb.base)).length;
    await setFaults(sb.base, { ready: 'refuse' });
    const refused = await api(sb.base, 'ready', readyBody());
    assert.equal(refused.status, 503);
    assert.equal(typeof refused.json.error_code, 'number');
    await setFaults(sb.base, { ready: 'drop' });
    await assert.rejects(api(sb.base, 'ready', readyBody()));
    await setFaults(sb.base, { ready: 'error5xx' });
    assert.equal((await api(sb.base, 'ready', readyBody())).status, 500);
    assert.equal((await payments(sb.base)).length, before);
  });

  test('shopper cancel -> cancel_url, QUIT_PAYMENT; approve refused', async () => {
    const r = await ready(sb.base);
    const res = await press(sb.base, r, 'sandbox-cancel');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), r.body.cancel_url);
    assert.equal((await order(sb.base, r.tid)).json.status, 'QUIT_PAYMENT');
    assert.equal((await api(sb.base, 'approve', approveBody(r, 'x'))).json.error_code, -783);
    const html = await (await fetch(r.next_redirect_pc_url)).text();
    assert.doesNotMatch(html, /data-testid="sandbox-pay"/);
    const again = await fetch(r.next_redirect_pc_url.replace(/info$/, 'pay'), { method: 'POST', redirect: 'manual' });
    assert.equal(again.status, 409);
  });

  test('shopper fail -> fail_url, FAIL_PAYMENT', async () => {
    const r = await ready(sb.base);
    const res = await press(sb.base, r, 'sandbox-fail');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), r.body.fail_url);
    assert.equal((await order(sb.base, r.tid)).json.status, 'FAIL_PAYMENT');
    assert.equal((await api(sb.base, 'approve', approveBody(r, 'x'))).json.error_code, -783);
  });

  test('pressing Pay twice sends the shopper on with the same token', async () => {
    const r = await ready(sb.base, { approval_url: 'http://shop.test/ok' });
    const { loc, pgToken } = await pay(sb.base, r);
    assert.equal(loc, `http://shop.test/ok?pg_token=${pgToken}`);
    const again = await fetch(r.next_redirect_pc_url.replace(/info$/, 'pay'), { method: 'POST', redirect: 'manual' });
    assert.equal(again.status, 303);
    assert.equal(again.headers.get('location'), loc);
  });

  test('unknown tid pages are 404', async () => {
    const res = await fetch(`${sb.base}/mockup/v1/T0000000000000000000/info`);
    assert.equal(res.status, 404);
  });

  test('fault controls: read, reject nonsense, reset', async () => {
    let f = await setFaults(sb.base, { approve: 'decline', delay_ms: 10 });
    assert.deepEqual(f, { ready: 'ok', approve: 'decline', order: 'ok', cancel: 'ok', delay_ms: 10 });
    f = await setFaults(sb.base, { order: 'delay' });
    assert.equal(f.approve, 'decline', 'missing keys keep their value');
    for (const bad of [{ ready: 'decline' }, { approve: 'explode' }, { delay_ms: -1 }, { nope: 'ok' }]) {
      const res = await fetch(`${sb.base}/_sandbox/faults`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad),
      });
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    assert.deepEqual(await (await fetch(`${sb.base}/_sandbox/faults`)).json(), f);
    const res = await fetch(`${sb.base}/_sandbox/reset`, { method: 'POST' });
    assert.deepEqual(await res.json(), { ready: 'ok', approve: 'ok', order: 'ok', cancel: 'ok', delay_ms: 15000 });
  });
});

describe('kakaopay sandbox expiry (--ready-ttl-secs 1)', () => {
  let sb;
  before(async () => {
    sb = await start(['--ready-ttl-secs', '1', '--cid', 'TCSHOP0001']);
  });
  after(async () => {
    await sb.stop();
  });

  test('an expired ready payment is QUIT_PAYMENT, its page says so, approve is -723', async () => {
    const cid = 'TCSHOP0001';
    const body = { ...readyBody(), cid };
    const untouched = (await api(sb.base, 'ready', body)).json;
    const body2 = { ...readyBody(), cid };
    const paid = (await api(sb.base, 'ready', body2)).json;
    assert.ok(untouched.tid && paid.tid);
    assert.equal((await api(sb.base, 'ready', readyBody())).json.error_code, -731, 'only --cid is accepted');
    const { pgToken } = await pay(sb.base, { ...paid, body: body2 });
    await sleep(1200);

    const o = await api(sb.base, 'order', { cid, tid: untouched.tid });
    assert.equal(o.json.status, 'QUIT_PAYMENT');
    const page = await fetch(untouched.next_redirect_pc_url);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /expired/i);
    assert.doesNotMatch(html, /data-testid="sandbox-pay"/);
    const post = await fetch(untouched.next_redirect_pc_url.replace(/info$/, 'pay'), { method: 'POST', redirect: 'manual' });
    assert.equal(post.status, 410);

    const a = await api(sb.base, 'approve', {
      cid, tid: paid.tid, partner_order_id: body2.partner_order_id, partner_user_id: body2.partner_user_id, pg_token: pgToken,
    });
    assert.equal(a.status, 400);
    assert.equal(a.json.error_code, -723);
    assert.equal((await api(sb.base, 'order', { cid, tid: paid.tid })).json.status, 'QUIT_PAYMENT');
    const list = await payments(sb.base);
    assert.ok(list.every((p) => p.approvals === 0 && p.status === 'QUIT_PAYMENT'));
  });
});

test('refuses to start without --secret-key', async () => {
  const proc = spawn(process.execPath, [SANDBOX, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => proc.once('exit', r));
  assert.notEqual(code, 0);
  assert.equal(out, '');
});
