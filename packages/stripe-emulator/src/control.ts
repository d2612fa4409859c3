import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiRuntime } from './api.js';
import { invalidRequest, resourceMissing, StripeApiError, unrecognizedUrl } from './errors.js';
import { parseFaultRule } from './faults.js';
import { closeDispute, requireDispute } from './resources/disputes.js';
import { parseForm } from './form.js';
import { redirect, sendError, sendHtml, sendJson } from './http-io.js';
import { KINDS } from './store.js';
import { challengePage, findChallengedIntent, finishChallenge, receiptHtml, resultPage } from './three-d-secure.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface ControlRuntime extends ApiRuntime {
  dispatcher: WebhookDispatcher;
  startedAt: number;
  reset(): void;
  /** Moves emulator time forward, durably. */
  advanceClock(seconds: number): void;
}

function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidRequest('Invalid JSON body.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidRequest('The JSON body must be an object.');
  return parsed as Record<string, unknown>;
}

function clockJson(rt: ControlRuntime): string {
  return JSON.stringify({ now: rt.state.clock.now(), offsetSeconds: rt.state.clock.offset });
}

/** Where the process's memory is (MiB): resident, V8 heap used/reserved, and off-heap buffers. */
function memoryMiB(): Record<string, number> {
  const m = process.memoryUsage();
  const mib = (n: number): number => Math.round((n / 1048576) * 10) / 10;
  return { rss: mib(m.rss), heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers) };
}

function health(rt: ControlRuntime): string {
  const objects: Record<string, number> = {};
  for (const kind of KINDS) objects[kind] = rt.state.store.count(kind);
  return JSON.stringify({
    status: 'ok', uptimeSeconds: Math.round((Date.now() - rt.startedAt) / 1000), objects,
    idempotencyKeys: rt.idempotency.size, pendingWebhookDeliveries: rt.dispatcher.size, faults: rt.faults.list().length,
    memory: memoryMiB(),
  });
}

function advanceClock(rt: ControlRuntime, body: Record<string, unknown>): string {
  const seconds = body.seconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0 || seconds > 10 * 365 * 86400) {
    throw invalidRequest('Invalid seconds: expected a non-negative integer.', undefined, 'seconds');
  }
  rt.advanceClock(seconds);
  rt.idempotency.sweep(rt.state.clock.now());
  return clockJson(rt);
}

/** GET shows the challenge page; POST `action=complete|fail` (form or JSON) finishes it. */
function threeDSecure(rt: ControlRuntime, req: IncomingMessage, res: ServerResponse, id: string, raw: string): void {
  const clientSecret = new URL(req.url ?? '/', 'http://emulator').searchParams.get('client_secret');
  const intent = findChallengedIntent(rt.state, id, clientSecret);
  const path = `/_emulator/3ds/${encodeURIComponent(id)}${clientSecret === null ? '' : `?client_secret=${encodeURIComponent(clientSecret)}`}`;
  if (req.method === 'GET') return sendHtml(res, 200, challengePage(intent, path));
  const isJson = (req.headers['content-type'] ?? '').includes('application/json');
  const action = isJson ? parseJsonObject(raw).action : parseForm(raw).action;
  if (action !== 'complete' && action !== 'fail') throw invalidRequest("Invalid action: expected 'complete' or 'fail'.", undefined, 'action');
  const next = finishChallenge(rt.state, intent, action === 'complete');
  if ((req.headers.accept ?? '').includes('application/json')) {
    return sendJson(res, 200, JSON.stringify({ id: intent.id, object: intent.object, status: intent.status, redirect_to: next }));
  }
  if (next) return redirect(res, next);
  sendHtml(res, 200, resultPage(intent));
}

/** The card network decides a dispute: `{"status": "won" | "lost"}`. */
function decideDispute(rt: ControlRuntime, id: string, body: Record<string, unknown>): unknown {
  const status = body.status;
  if (status !== 'won' && status !== 'lost') throw invalidRequest("Invalid status: expected 'won' or 'lost'.", undefined, 'status');
  const actor = { state: rt.state, origin: null };
  return closeDispute(actor, requireDispute(actor, id), status);
}

/** Target of `charge.receipt_url`, so the link a receipt email would carry resolves to something. */
function receiptPage(rt: ControlRuntime, res: ServerResponse, id: string): void {
  const charge = rt.state.store.get('charge', id);
  if (!charge) throw resourceMissing('charge', id);
  sendHtml(res, 200, receiptHtml(charge));
}

/**
 * The control surface has no key, so a web page must not drive it: a browser names the page's
 * origin on every cross-origin POST or DELETE, and a form or text/plain POST needs no preflight.
 * Only a request with no Origin (SDKs, curl, test code) or the emulator's own pages (3-D Secure)
 * may change state.
 */
function fromAnotherOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return req.headers['sec-fetch-site'] === 'cross-site';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

function route(rt: ControlRuntime, req: IncomingMessage, res: ServerResponse, path: string, raw: string): void {
  const m = `${req.method ?? 'GET'} ${path}`;
  if (req.method !== 'GET' && req.method !== 'HEAD' && fromAnotherOrigin(req)) {
    throw invalidRequest('The emulator control surface refuses requests from another origin (a web page).', undefined, undefined, 403);
  }
  const ok = (body: string): void => sendJson(res, 200, body);
  if (m === 'GET /_emulator/health') return ok(health(rt));
  if (m === 'POST /_emulator/reset') {
    rt.reset();
    return ok(JSON.stringify({ reset: true }));
  }
  if (m === 'GET /_emulator/faults') return ok(JSON.stringify({ faults: rt.faults.list() }));
  if (m === 'DELETE /_emulator/faults') {
    rt.faults.clear();
    return ok(JSON.stringify({ faults: [] }));
  }
  if (m === 'POST /_emulator/faults') {
    const rule = parseFaultRule(parseJsonObject(raw));
    rt.faults.add(rule);
    return ok(JSON.stringify(rule));
  }
  if (m === 'GET /_emulator/clock') return ok(clockJson(rt));
  if (m === 'POST /_emulator/clock/advance') return ok(advanceClock(rt, parseJsonObject(raw)));
  if (m === 'GET /_emulator/webhooks') return ok(JSON.stringify({ pending: rt.dispatcher.snapshot() }));
  const dispute = /^\/_emulator\/disputes\/([^/]+)\/close$/.exec(path);
  if (dispute?.[1] && req.method === 'POST') return ok(JSON.stringify(decideDispute(rt, decodeURIComponent(dispute[1]), parseJsonObject(raw))));
  const receipt = /^\/_emulator\/receipts\/([^/]+)$/.exec(path);
  if (receipt?.[1] && req.method === 'GET') return receiptPage(rt, res, decodeURIComponent(receipt[1]));
  const threeDs = /^\/_emulator\/3ds\/([^/]+)$/.exec(path);
  if (threeDs?.[1] && (req.method === 'GET' || req.method === 'POST')) return threeDSecure(rt, req, res, decodeURIComponent(threeDs[1]), raw);
  throw unrecognizedUrl(req.method ?? 'GET', path);
}

export function handleControl(rt: ControlRuntime, req: IncomingMessage, res: ServerResponse, requestId: string, path: string, raw: string): void {
  try {
    route(rt, req, res, path, raw);
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    sendError(res, err, { 'Request-Id': requestId });
  }
}
