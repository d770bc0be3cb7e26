#!/usr/bin/env node
// KakaoPay "online single payment" (온라인 단건 결제) sandbox, for the shop's tests.
//
// Built from KakaoPay's documentation, NOT from the shop's client, so that a
// misreading in the client shows up as a failing test.
//
// Documentation followed
//   [D1] https://developers.kakaopay.com/docs/payment/online/single-payment
//        new API: base https://open-api.kakaopay.com, `Authorization: SECRET_KEY ${SECRET_KEY}`,
//        `Content-Type: application/json`; ready / approve request+response tables and samples
//        (read as a verbatim copy of the page), order lookup and cancel.
//   [D2] https://developers.kakao.com/docs/latest/ko/kakaopay/single-payment
//        older kapi.kakao.com page, same semantics: order lookup (status table,
//        payment_action_details, selected_card_info), cancel request/response and the
//        "-781 cancel failure!" sample, ready's android_app_scheme / ios_app_scheme.
//   [D3] https://developers.kakao.com/docs/latest/ko/kakaopay/common  (TID/AID are 20 chars, CID 10)
//   [D4] Kakao's error-code table (developers.kakao.com REST API reference "응답 코드"),
//        -1 -2 -3 -7 -401 -701 -702 -704 -706 -707 -708 -710 -721 -722 -723 -731 -780 -781
//        -783 (read through a third-party transcription: the new developers.kakaopay.com
//        common error page itself was not reachable here).
//   [D5] https://app.unpkg.com/@kakaopay-develop/agent-toolkit@0.1.2/  (KakaoPay's own
//        client: base URL, SECRET_KEY header, the four endpoint paths).
//
// Behaviour                                                            documented / ASSUMED
//   POST /online/v1/payment/{ready,approve,order,cancel}, JSON bodies        documented [D1][D5]
//   Authorization: SECRET_KEY <key>; missing/wrong -> HTTP 401, error_code -401
//        (-401 documented [D4]; 401 status observed by users of open-api) documented-ish
//   Error body {error_code, error_message[, extras]}                         documented [D1]
//        extras only present when there is something to say                 ASSUMED
//   Content-Type other than application/json -> 400 / -2                     ASSUMED
//   Malformed JSON / missing required / wrong type / too long -> 400 / -2     -2 documented [D4], mapping ASSUMED
//   Integer fields accept JSON integers AND digit strings ("2200"):
//        KakaoPay's own sample request sends "quantity": "1"               documented [D1]
//   String fields must be JSON strings                                       ASSUMED (strict)
//   Lengths: partner_order_id/partner_user_id/item_name/item_code <= 100,
//        approval/cancel/fail_url <= 255, payload <= 200                    documented [D1]
//   URLs must be http(s) (real KakaoPay also wants the domain registered)   ASSUMED
//   total_amount > 0, quantity > 0 -> else -2                                ASSUMED code
//   tax_free_amount > total_amount, vat_amount > total-tax_free -> -722      ASSUMED code
//   vat_amount default round((total - tax_free)/11)                          documented [D1]
//   cid other than --cid -> 400 / -731                                       code documented [D4]
//   tid: 'T' + 19 hex chars (20 chars; real tids look like T53d1b2051b66fd43573) documented length
//   created_at etc. "YYYY-MM-DDTHH:mm:ss", Korean time, no offset            format documented, KST ASSUMED
//   Ready answers tid, next_redirect_{app,mobile,pc}_url, android_app_scheme,
//        ios_app_scheme, created_at                                          documented [D1][D2]
//   Browser page: Pay -> 303 approval_url + pg_token query param            documented [D1]
//        Cancel -> 303 cancel_url, Fail -> 303 fail_url (no params added)   ASSUMED
//   Statuses (READY, SEND_TMS, OPEN_PAYMENT, SELECT_METHOD, ARS_WAITING, AUTH_PASSWORD,
//        ISSUED_SID, SUCCESS_PAYMENT, PART_CANCEL_PAYMENT, CANCEL_PAYMENT,
//        FAIL_AUTH_PASSWORD, QUIT_PAYMENT, FAIL_PAYMENT)                     documented [D2]
//     used here: READY until the shopper acts (GET of the page changes nothing),
//        AUTH_PASSWORD once the shopper pressed Pay ("비밀번호 인증 완료"),
//        SUCCESS_PAYMENT after approve, QUIT_PAYMENT ("사용자가 결제 중단") after the
//        shopper's Cancel, FAIL_PAYMENT ("결제 승인 실패") after Fail or a declined approve,
//        PART_CANCEL_PAYMENT / CANCEL_PAYMENT after the merchant's cancel      documented meanings, mapping ASSUMED
//     an expired ready payment -> QUIT_PAYMENT (no EXPIRED status exists)    ASSUMED
//   Ready TTL default 900 s (15 min); the deadline applies until approve      ASSUMED (not found in the docs read)
//   Approve must match cid (-731), tid (-721), partner_order_id (-706),
//        partner_user_id (-707), pg_token (-708), total_amount if sent (-704)  codes [D4], -704 ASSUMED
//   Approve before the shopper authorized -> -701                            [D4]
//   Approve of an approved tid -> -702 (money taken once)                    [D4]
//   Approve after expiry -> -723                                             [D4]
//   Approve after shopper cancel/fail or a decline -> -783                   ASSUMED code
//   Declined card -> 400 / -780 "approval failure!" + extras                 documented [D1]
//        extras values for a declined card (CARD_DECLINED)                   ASSUMED
//   Cancel: only SUCCESS/PART_CANCEL; unpaid -> -781 "cancel failure!" with
//        extras {method_result_code "6666", "원거래없음"}                    sample documented [D2], use ASSUMED
//   Cancel more than is left (total or tax-free) -> -710                     [D4]
//   cancel_tax_free_amount > cancel_amount, or cancel_available_amount sent and
//        not equal to what is left -> -722                                   ASSUMED code
//   Cancel answer: approved_cancel_amount = this request, canceled_amount =
//        cumulative (누계), cancel_available_amount = what is left          documented [D2] (an older
//        revision of [D2] described canceled_amount as "this request" and had no approved_cancel_amount)
//   Null fields are omitted from answers (approved_at before approval, ...)  ASSUMED (matches samples)
//   Internal error -> HTTP 500 / -1; unavailable -> HTTP 503 / -7            codes [D4], HTTP statuses ASSUMED
//   Unknown path -> 404, wrong method -> 405, both error_code -3             ASSUMED
//   Body over 1 MiB -> 413 / -2                                              ASSUMED
//
// Not KakaoPay: /_sandbox/faults, /_sandbox/reset, /_sandbox/payments (test controls).

import http from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const JSON_CT = 'application/json;charset=UTF-8';
const MAX_BODY = 1 << 20;
const OPS = ['ready', 'approve', 'order', 'cancel'];
const MODES = {
  ready: ['ok', 'delay', 'drop', 'error5xx', 'refuse'],
  approve: ['ok', 'decline', 'delay', 'drop', 'error5xx', 'refuse'],
  order: ['ok', 'delay', 'drop', 'error5xx', 'refuse'],
  cancel: ['ok', 'delay', 'drop', 'error5xx', 'refuse'],
};
const DEFAULT_DELAY_MS = 15000;

class KpError extends Error {
  constructor(httpStatus, code, message, extras) {
    super(message);
    this.httpStatus = httpStatus;
    this.code = code;
    this.extras = extras;
  }
  body() {
    const b = { error_code: this.code, error_message: this.message };
    if (this.extras) b.extras = this.extras;
    return b;
  }
}

const bad = (msg) => new KpError(400, -2, `invalid parameter: ${msg}`);

// ---------- field validation ----------

function str(o, name, { required = false, max = Infinity } = {}) {
  const v = o[name];
  if (v === undefined || v === null) {
    if (required) throw bad(`${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw bad(`${name} must be a string`);
  if (required && v.length === 0) throw bad(`${name} must not be empty`);
  if ([...v].length > max) throw bad(`${name} must be at most ${max} characters`);
  return v;
}

function int(o, name, { required = false, min = -Infinity, max = Infinity } = {}) {
  let v = o[name];
  if (v === undefined || v === null) {
    if (required) throw bad(`${name} is required`);
    return undefined;
  }
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) v = Number(v);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(`${name} must be an integer`);
  if (v < min) throw bad(`${name} must be at least ${min}`);
  if (v > max) throw bad(`${name} must be at most ${max}`);
  return v;
}

function url(o, name) {
  const v = str(o, name, { required: true, max: 255 });
  let u;
  try {
    u = new URL(v);
  } catch {
    throw bad(`${name} is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`${name} must be an http(s) URL`);
  return v;
}

// ---------- ids and times ----------

const hex = (n) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
const newTid = () => 'T' + hex(19);
const newAid = () => 'A' + hex(19);
const newPgToken = () => hex(20);
// KakaoPay answers times as "2023-07-15T21:18:22": Korean time, no offset.
const kst = (ms) => new Date(ms + 9 * 3600 * 1000).toISOString().slice(0, 19);
const vatOf = (total, taxFree) => Math.round((total - taxFree) / 11);

const amountObj = (a) => ({
  total: a.total,
  tax_free: a.tax_free,
  vat: a.vat,
  point: a.point ?? 0,
  discount: a.discount ?? 0,
  green_deposit: a.green_deposit ?? 0,
});
const ZERO = { total: 0, tax_free: 0, vat: 0, point: 0, discount: 0, green_deposit: 0 };

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function withQuery(target, key, value) {
  const hashAt = target.indexOf('#');
  const base = hashAt === -1 ? target : target.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : target.slice(hashAt);
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${encodeURIComponent(key)}=${encodeURIComponent(value)}${hash}`;
}

// ---------- the sandbox ----------

export function createSandbox({ secretKey, cid = 'TC0ONETIME', readyTtlSecs = 900, log = () => {} }) {
  if (!secretKey) throw new Error('secretKey is required');
  const payments = new Map(); // tid -> payment
  let base = '';
  const faults = { ready: 'ok', approve: 'ok', order: 'ok', cancel: 'ok', delay_ms: DEFAULT_DELAY_MS };

  function refresh(p) {
    if ((p.status === 'READY' || p.status === 'AUTH_PASSWORD') && Date.now() >= p.expiresAt) {
      p.status = 'QUIT_PAYMENT';
      p.expired = true;
      p.pgToken = null;
    }
    return p;
  }

  function lookup(tid) {
    const p = payments.get(tid);
    if (!p) throw new KpError(400, -721, `TID does not exist: ${tid}`);
    return refresh(p);
  }

  function checkCid(body) {
    const c = str(body, 'cid', { required: true, max: 10 });
    str(body, 'cid_secret', { max: 24 });
    if (c !== cid) throw new KpError(400, -731, `invalid cid: ${c}`);
    return c;
  }

  const pageUrl = (tid, kind) => `${base}/mockup/v1/${tid}/${kind}`;

  // --- ready ---
  function ready(b) {
    checkCid(b);
    const partner_order_id = str(b, 'partner_order_id', { required: true, max: 100 });
    const partner_user_id = str(b, 'partner_user_id', { required: true, max: 100 });
    const item_name = str(b, 'item_name', { required: true, max: 100 });
    const item_code = str(b, 'item_code', { max: 100 });
    const quantity = int(b, 'quantity', { required: true, min: 1 });
    const total = int(b, 'total_amount', { required: true, min: 1 });
    const taxFree = int(b, 'tax_free_amount', { required: true, min: 0 });
    let vat = int(b, 'vat_amount', { min: 0 });
    const green = int(b, 'green_deposit', { min: 0 });
    const approval_url = url(b, 'approval_url');
    const cancel_url = url(b, 'cancel_url');
    const fail_url = url(b, 'fail_url');
    if (b.available_cards !== undefined && b.available_cards !== null) {
      if (!Array.isArray(b.available_cards) || !b.available_cards.every((c) => typeof c === 'string'))
        throw bad('available_cards must be an array of strings');
    }
    const method = str(b, 'payment_method_type');
    if (method !== undefined && method !== 'CARD' && method !== 'MONEY')
      throw bad('payment_method_type must be CARD or MONEY');
    const installMonth = int(b, 'install_month', { min: 0, max: 12 });
    const share = str(b, 'use_share_installment');
    if (share !== undefined && share !== 'Y' && share !== 'N') throw bad('use_share_installment must be Y or N');
    if (b.custom_json !== undefined && b.custom_json !== null && (typeof b.custom_json !== 'object' || Array.isArray(b.custom_json)))
      throw bad('custom_json must be an object');
    str(b, 'redirect_scheme_url', { max: 255 });
    if (taxFree > total) throw new KpError(400, -722, 'invalid amount: tax_free_amount is greater than total_amount');
    if (vat === undefined) vat = vatOf(total, taxFree);
    if (vat > total - taxFree) throw new KpError(400, -722, 'invalid amount: vat_amount is greater than total_amount - tax_free_amount');
    if (green !== undefined && green > total) throw new KpError(400, -722, 'invalid amount: green_deposit is greater than total_amount');

    let tid;
    do tid = newTid();
    while (payments.has(tid));
    const now = Date.now();
    const p = {
      tid, cid, partner_order_id, partner_user_id, item_name, item_code, quantity,
      amount: { total, tax_free: taxFree, vat, point: 0, discount: 0, green_deposit: green ?? 0 },
      canceled: { ...ZERO },
      approval_url, cancel_url, fail_url,
      allowedMethod: method, installMonth: installMonth ?? 0,
      status: 'READY', createdAt: now, expiresAt: now + readyTtlSecs * 1000, expired: false,
      pgToken: null, method: null, approvals: 0, approvedAt: null, canceledAt: null,
      aid: null, cardInfo: null, approvePayload: undefined, actions: [],
    };
    payments.set(tid, p);
    log(`ready ${tid} ${partner_order_id} ${total}`);
    const appScheme = `kakaotalk://kakaopay/pg?url=${pageUrl(tid, 'order')}`;
    return {
      tid,
      next_redirect_app_url: pageUrl(tid, 'aInfo'),
      next_redirect_mobile_url: pageUrl(tid, 'mInfo'),
      next_redirect_pc_url: pageUrl(tid, 'info'),
      android_app_scheme: appScheme,
      ios_app_scheme: appScheme,
      created_at: kst(now),
    };
  }

  // --- approve ---
  function approve(b, mode) {
    checkCid(b);
    const tid = str(b, 'tid', { required: true, max: 20 });
    const partner_order_id = str(b, 'partner_order_id', { required: true, max: 100 });
    const partner_user_id = str(b, 'partner_user_id', { required: true, max: 100 });
    const pg_token = str(b, 'pg_token', { required: true, max: 255 });
    const payload = str(b, 'payload', { max: 200 });
    const total = int(b, 'total_amount', { min: 1 });
    const p = lookup(tid);
    if (p.partner_order_id !== partner_order_id)
      throw new KpError(400, -706, 'partner_order_id does not match the ready request');
    if (p.partner_user_id !== partner_user_id)
      throw new KpError(400, -707, 'partner_user_id does not match the ready request');
    if (['SUCCESS_PAYMENT', 'PART_CANCEL_PAYMENT', 'CANCEL_PAYMENT'].includes(p.status))
      throw new KpError(400, -702, 'payment is already done');
    if (p.expired) throw new KpError(400, -723, 'payment expired');
    if (p.status === 'READY') throw new KpError(400, -701, 'payment authentication is not completed');
    if (p.status !== 'AUTH_PASSWORD') throw new KpError(400, -783, `payment cannot be approved in status ${p.status}`);
    if (pg_token !== p.pgToken) throw new KpError(400, -708, 'invalid pg_token');
    if (total !== undefined && total !== p.amount.total)
      throw new KpError(400, -704, 'total_amount does not match the ready request');
    if (mode === 'decline') {
      p.status = 'FAIL_PAYMENT';
      p.pgToken = null;
      log(`approve ${tid} declined`);
      throw new KpError(400, -780, 'approval failure!', {
        method_result_code: 'CARD_DECLINED',
        method_result_message: '카드사에서 승인이 거절되었습니다. (card declined by the issuer)',
      });
    }
    // The money is taken here, synchronously: no await between the check above and this.
    const now = Date.now();
    p.status = 'SUCCESS_PAYMENT';
    p.approvals += 1;
    p.pgToken = null;
    p.aid = newAid();
    p.approvedAt = now;
    p.approvePayload = payload;
    if (p.method === 'CARD') {
      p.cardInfo = {
        kakaopay_purchase_corp: '비씨카드',
        kakaopay_purchase_corp_code: '104',
        kakaopay_issuer_corp: '수협은행',
        kakaopay_issuer_corp_code: '212',
        bin: '621640',
        card_type: '체크',
        install_month: String(p.installMonth).padStart(2, '0'),
        approved_id: String(randomInt(0, 1e8)).padStart(8, '0'),
        card_mid: '123456789',
        interest_free_install: 'N',
        installment_type: 'CARD_INSTALLMENT',
        card_item_code: '',
      };
    }
    p.actions.push({
      aid: p.aid, approved_at: kst(now), amount: p.amount.total, point_amount: 0, discount_amount: 0,
      green_deposit: p.amount.green_deposit, payment_action_type: 'PAYMENT', payload,
    });
    log(`approve ${tid} ok`);
    return omitNull({
      aid: p.aid, tid: p.tid, cid: p.cid,
      partner_order_id: p.partner_order_id, partner_user_id: p.partner_user_id,
      payment_method_type: p.method, amount: amountObj(p.amount), card_info: p.cardInfo ?? undefined,
      item_name: p.item_name, item_code: p.item_code, quantity: p.quantity,
      created_at: kst(p.createdAt), approved_at: kst(now), payload,
    });
  }

  const remaining = (p) => ({
    total: p.amount.total - p.canceled.total,
    tax_free: p.amount.tax_free - p.canceled.tax_free,
    vat: p.amount.vat - p.canceled.vat,
    point: 0, discount: 0,
    green_deposit: p.amount.green_deposit - p.canceled.green_deposit,
  });
  const paid = (p) => ['SUCCESS_PAYMENT', 'PART_CANCEL_PAYMENT', 'CANCEL_PAYMENT'].includes(p.status);

  // --- order ---
  function order(b) {
    checkCid(b);
    const tid = str(b, 'tid', { required: true, max: 20 });
    const p = lookup(tid);
    return omitNull({
      tid: p.tid, cid: p.cid, status: p.status,
      partner_order_id: p.partner_order_id, partner_user_id: p.partner_user_id,
      payment_method_type: paid(p) ? p.method : undefined,
      amount: amountObj(p.amount),
      canceled_amount: amountObj(p.canceled),
      cancel_available_amount: paid(p) ? amountObj(remaining(p)) : { ...ZERO },
      item_name: p.item_name, item_code: p.item_code, quantity: p.quantity,
      created_at: kst(p.createdAt),
      approved_at: p.approvedAt ? kst(p.approvedAt) : undefined,
      canceled_at: p.canceledAt ? kst(p.canceledAt) : undefined,
      selected_card_info: paid(p) && p.cardInfo ? {
        card_bin: p.cardInfo.bin, install_month: Number(p.cardInfo.install_month),
        installment_type: p.cardInfo.installment_type, card_corp_name: p.cardInfo.kakaopay_issuer_corp,
        interest_free_install: p.cardInfo.interest_free_install,
      } : undefined,
      payment_action_details: p.actions.map(omitNull),
    });
  }

  // --- cancel ---
  function cancel(b) {
    checkCid(b);
    const tid = str(b, 'tid', { required: true, max: 20 });
    const amount = int(b, 'cancel_amount', { required: true, min: 1 });
    const taxFree = int(b, 'cancel_tax_free_amount', { required: true, min: 0 });
    let vat = int(b, 'cancel_vat_amount', { min: 0 });
    const available = int(b, 'cancel_available_amount', { min: 0 });
    const payload = str(b, 'payload', { max: 200 });
    const p = lookup(tid);
    if (!paid(p))
      throw new KpError(400, -781, 'cancel failure!', { method_result_code: '6666', method_result_message: '원거래없음' });
    const left = remaining(p);
    if (taxFree > amount) throw new KpError(400, -722, 'invalid amount: cancel_tax_free_amount is greater than cancel_amount');
    if (available !== undefined && available !== left.total)
      throw new KpError(400, -722, `invalid amount: cancel_available_amount ${available} does not match what is left (${left.total})`);
    if (amount > left.total) throw new KpError(400, -710, `cancel amount exceeds the cancelable amount (${left.total})`);
    if (taxFree > left.tax_free) throw new KpError(400, -710, `cancel tax-free amount exceeds the cancelable tax-free amount (${left.tax_free})`);
    if (vat === undefined) vat = amount === left.total ? left.vat : Math.min(vatOf(amount, taxFree), left.vat);
    if (vat > amount - taxFree || vat > left.vat) throw new KpError(400, -722, 'invalid amount: cancel_vat_amount');
    const green = amount === left.total ? left.green_deposit : 0;
    const now = Date.now();
    const thisCancel = { total: amount, tax_free: taxFree, vat, point: 0, discount: 0, green_deposit: green };
    p.canceled.total += amount;
    p.canceled.tax_free += taxFree;
    p.canceled.vat += vat;
    p.canceled.green_deposit += green;
    p.canceledAt = now;
    p.status = p.canceled.total >= p.amount.total ? 'CANCEL_PAYMENT' : 'PART_CANCEL_PAYMENT';
    const aid = newAid();
    p.actions.push({
      aid, approved_at: kst(now), amount, point_amount: 0, discount_amount: 0, green_deposit: green,
      payment_action_type: 'CANCEL', payload,
    });
    log(`cancel ${tid} ${amount} -> ${p.status}`);
    return omitNull({
      aid, tid: p.tid, cid: p.cid, status: p.status,
      partner_order_id: p.partner_order_id, partner_user_id: p.partner_user_id,
      payment_method_type: p.method,
      amount: amountObj(p.amount),
      approved_cancel_amount: amountObj(thisCancel),
      canceled_amount: amountObj(p.canceled),
      cancel_available_amount: amountObj(remaining(p)),
      item_name: p.item_name, item_code: p.item_code, quantity: p.quantity,
      created_at: kst(p.createdAt), approved_at: kst(p.approvedAt), canceled_at: kst(now), payload,
    });
  }

  const handlers = { ready, approve, order, cancel };

  // ---------- HTTP plumbing ----------

  function send(res, status, body, headers = {}) {
    if (res.writableEnded || res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : JSON_CT,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(text);
  }

  // Reads the whole body; past MAX_BODY it keeps draining (so the answer can still be
  // delivered) but rejects with 413.
  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      req.on('data', (c) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on('end', () =>
        size > MAX_BODY ? reject(new KpError(413, -2, 'request body too large')) : resolve(Buffer.concat(chunks)),
      );
      req.on('error', reject);
    });
  }

  function authorize(req) {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^(\S+)\s+(.+)$/.exec(h.trim()) : null;
    if (!m || m[1].toUpperCase() !== 'SECRET_KEY' || m[2] !== secretKey)
      throw new KpError(401, -401, h ? 'invalid secret key' : 'Authorization header (SECRET_KEY) is missing');
  }

  function parseJson(req, buf) {
    const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (ct !== 'application/json') throw bad('Content-Type must be application/json');
    let v;
    try {
      v = JSON.parse(buf.toString('utf8'));
    } catch {
      throw bad('body is not valid JSON');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('body must be a JSON object');
    return v;
  }

  async function api(req, res, op) {
    if (req.method !== 'POST') return send(res, 405, { error_code: -3, error_message: `method ${req.method} not allowed` }, { allow: 'POST' });
    let buf;
    try {
      buf = await readBody(req);
    } catch (e) {
      return e instanceof KpError ? send(res, e.httpStatus, e.body(), { connection: 'close' }) : undefined;
    }
    const mode = faults[op];
    if (mode === 'error5xx') return send(res, 500, { error_code: -1, error_message: 'internal server error' });
    if (mode === 'refuse') return send(res, 503, { error_code: -7, error_message: 'service unavailable' });
    if (op === 'ready' && mode === 'drop') return req.socket.destroy();
    let status, body;
    try {
      authorize(req);
      const json = parseJson(req, buf);
      body = handlers[op](json, mode); // synchronous: state changes before any await
      status = 200;
    } catch (e) {
      if (!(e instanceof KpError)) {
        log(`internal error: ${e?.stack ?? e}`);
        e = new KpError(500, -1, 'internal server error');
      }
      status = e.httpStatus;
      body = e.body();
    }
    if (mode === 'drop') return req.socket.destroy();
    if (mode === 'delay') {
      const t = setTimeout(() => send(res, status, body), faults.delay_ms);
      res.on('close', () => clearTimeout(t));
      return;
    }
    send(res, status, body);
  }

  function page(p, note = '') {
    const title = 'KakaoPay sandbox / 카카오페이 테스트 결제';
    const amount = `${p.amount.total.toLocaleString('en-US')}원`;
    let main;
    if (p.expired) {
      main = `<p data-testid="sandbox-expired">결제 시간이 만료되었습니다 / This payment has expired.</p>`;
    } else if (p.status === 'READY') {
      const methods = p.allowedMethod ? [p.allowedMethod] : ['CARD', 'MONEY'];
      const radios = methods
        .map((m, i) => `<label><input type="radio" name="payment_method_type" value="${m}"${i === 0 ? ' checked' : ''}> ${m === 'CARD' ? '카드 / Card' : '카카오페이머니 / Money'}</label>`)
        .join('\n      ');
      const act = (a) => `/mockup/v1/${escapeHtml(p.tid)}/${a}`;
      main = `<form method="post" action="${act('pay')}">
      ${radios}
      <button type="submit" data-testid="sandbox-pay">결제하기 / Pay</button>
    </form>
    <form method="post" action="${act('cancel')}">
      <button type="submit" data-testid="sandbox-cancel">취소 / Cancel</button>
    </form>
    <form method="post" action="${act('fail')}">
      <button type="submit" data-testid="sandbox-fail">결제 실패 / Fail</button>
    </form>`;
    } else {
      main = `<p data-testid="sandbox-done">이 결제는 더 진행할 수 없습니다 / This payment can no longer be acted on (${escapeHtml(p.status)}).</p>`;
    }
    return `<!doctype html>
<html lang="ko">
  <head><meta charset="utf-8"><title>${title}</title></head>
  <body>
    <h1>${title}</h1>
    <p>상품 / Item: <strong data-testid="sandbox-item-name">${escapeHtml(p.item_name)}</strong></p>
    <p>금액 / Amount: <strong data-testid="sandbox-amount">${amount}</strong></p>
    <p>상태 / Status: <code data-testid="sandbox-status">${escapeHtml(p.status)}</code></p>
    ${note ? `<p data-testid="sandbox-note">${escapeHtml(note)}</p>` : ''}
    ${main}
  </body>
</html>
`;
  }

  function browser(req, res, tid, action, form) {
    const p = payments.get(tid);
    if (!p) return send(res, 404, `<!doctype html><p>알 수 없는 결제 / Unknown payment</p>\n`);
    refresh(p);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (['info', 'mInfo', 'aInfo', 'order'].includes(action)) return send(res, 200, page(p));
      return send(res, 405, page(p, 'use the buttons'), { allow: 'GET' });
    }
    if (req.method !== 'POST' || !['pay', 'cancel', 'fail'].includes(action))
      return send(res, 405, page(p, 'method not allowed'));
    if (p.expired) return send(res, 410, page(p));
    if (action === 'pay' && p.status === 'AUTH_PASSWORD' && p.pgToken) {
      // the shopper pressed Pay twice: send them on again with the same token
      return send(res, 303, '', { location: withQuery(p.approval_url, 'pg_token', p.pgToken) });
    }
    if (p.status !== 'READY') return send(res, 409, page(p, 'already processed / 이미 처리된 결제입니다'));
    if (action === 'pay') {
      const wanted = form.get('payment_method_type');
      p.method = wanted === 'MONEY' || wanted === 'CARD' ? wanted : p.allowedMethod ?? 'CARD';
      if (p.allowedMethod && p.method !== p.allowedMethod) p.method = p.allowedMethod;
      p.status = 'AUTH_PASSWORD';
      p.pgToken = newPgToken();
      log(`page ${tid} pay`);
      return send(res, 303, '', { location: withQuery(p.approval_url, 'pg_token', p.pgToken) });
    }
    if (action === 'cancel') {
      p.status = 'QUIT_PAYMENT';
      log(`page ${tid} cancel`);
      return send(res, 303, '', { location: p.cancel_url });
    }
    p.status = 'FAIL_PAYMENT';
    log(`page ${tid} fail`);
    return send(res, 303, '', { location: p.fail_url });
  }

  async function control(req, res, what) {
    if (what === 'faults' && req.method === 'GET') return send(res, 200, { ...faults });
    if (what === 'payments' && req.method === 'GET') {
      return send(res, 200, [...payments.values()].map((p) => {
        refresh(p);
        return {
          tid: p.tid, cid: p.cid, partner_order_id: p.partner_order_id, partner_user_id: p.partner_user_id,
          status: p.status, total_amount: p.amount.total, approvals: p.approvals,
          canceled_amount: p.canceled.total, created_at: kst(p.createdAt), expired: p.expired,
        };
      }));
    }
    if (req.method !== 'POST' || (what !== 'faults' && what !== 'reset'))
      return send(res, what === 'faults' || what === 'reset' || what === 'payments' ? 405 : 404, { error_code: -3, error_message: 'unsupported' });
    let buf;
    try {
      buf = await readBody(req);
    } catch {
      return;
    }
    if (what === 'reset') {
      Object.assign(faults, { ready: 'ok', approve: 'ok', order: 'ok', cancel: 'ok', delay_ms: DEFAULT_DELAY_MS });
      return send(res, 200, { ...faults });
    }
    let v;
    try {
      v = JSON.parse(buf.toString('utf8') || '{}');
    } catch {
      return send(res, 400, { error_code: -2, error_message: 'body is not valid JSON' });
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return send(res, 400, { error_code: -2, error_message: 'body must be an object' });
    const next = { ...faults };
    for (const [k, val] of Object.entries(v)) {
      if (k === 'delay_ms') {
        if (!Number.isSafeInteger(val) || val < 0) return send(res, 400, { error_code: -2, error_message: 'delay_ms must be a non-negative integer' });
        next.delay_ms = val;
      } else if (OPS.includes(k)) {
        if (!MODES[k].includes(val)) return send(res, 400, { error_code: -2, error_message: `${k} must be one of ${MODES[k].join(', ')}` });
        next[k] = val;
      } else {
        return send(res, 400, { error_code: -2, error_message: `unknown key ${k}` });
      }
    }
    Object.assign(faults, next);
    log(`faults ${JSON.stringify(faults)}`);
    return send(res, 200, { ...faults });
  }

  const server = http.createServer(async (req, res) => {
    res.on('error', () => {});
    try {
      const path = new URL(req.url, 'http://x').pathname;
      let m;
      if ((m = /^\/online\/v1\/payment\/(ready|approve|order|cancel)$/.exec(path))) return await api(req, res, m[1]);
      if ((m = /^\/mockup\/v1\/([^/]+)\/([A-Za-z]+)$/.exec(path))) {
        let form = '';
        if (req.method === 'POST') {
          try {
            form = (await readBody(req)).toString('utf8');
          } catch {
            return;
          }
        }
        let tid;
        try {
          tid = decodeURIComponent(m[1]);
        } catch {
          tid = m[1];
        }
        return browser(req, res, tid, m[2], new URLSearchParams(form));
      }
      if ((m = /^\/_sandbox\/(faults|reset|payments)$/.exec(path))) return await control(req, res, m[1]);
      send(res, 404, { error_code: -3, error_message: `no such path: ${path}` });
    } catch (e) {
      log(`internal error: ${e?.stack ?? e}`);
      send(res, 500, { error_code: -1, error_message: 'internal server error' });
    }
  });
  server.on('clientError', (err, socket) => socket.destroy());

  return {
    server,
    payments,
    faults,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          base = `http://${host}:${server.address().port}`;
          resolve(base);
        });
      });
    },
  };
}

function omitNull(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'secret-key': { type: 'string' },
      cid: { type: 'string', default: 'TC0ONETIME' },
      'ready-ttl-secs': { type: 'string', default: '900' },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  const ttl = Number(values['ready-ttl-secs']);
  if (!values['secret-key']) throw new Error('--secret-key is required');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
  if (!(ttl > 0)) throw new Error('--ready-ttl-secs must be a positive number');
  const sandbox = createSandbox({
    secretKey: values['secret-key'],
    cid: values.cid,
    readyTtlSecs: ttl,
    log: values.verbose ? (msg) => process.stderr.write(`[kakaopay-sandbox] ${msg}\n`) : () => {},
  });
  const base = await sandbox.listen(port);
  process.stdout.write(JSON.stringify({ base }) + '\n');
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    process.stderr.write(`kakaopay-sandbox: ${e.message}\n`);
    process.exit(2);
  });
}
