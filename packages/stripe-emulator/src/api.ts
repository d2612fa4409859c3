import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth.js';
import { API_VERSION, type EmulatorState, type Logger, type RequestContext } from './context.js';
import { apiError, errorJson, idempotencyKeyTooLong, invalidApiVersion, rateLimited, StripeApiError, unrecognizedUrl } from './errors.js';
import type { FaultRule, Faults } from './faults.js';
import { canonicalForm, mergeForms, parseForm } from './form.js';
import { sendError, sendJson } from './http-io.js';
import { requestDigest, scopeOf, type IdempotencyStore, type StoredResponse } from './idempotency.js';
import { checkPublishableKey } from './publishable.js';
import type { Handler, Router } from './router.js';

/** The oldest dated API version Stripe has. */
const FIRST_API_VERSION = '2011-01-01';

export interface ApiRuntime {
  state: EmulatorState;
  router: Router;
  idempotency: IdempotencyStore;
  faults: Faults;
  /** Timers of `hang` faults, cancelled on close. */
  hangs: Set<NodeJS.Timeout>;
  log: Logger;
}

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  method: string;
  path: string;
  headers: Record<string, string>;
}

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
}

function send(call: Call, response: StoredResponse, extra: Record<string, string> = {}): void {
  sendJson(call.res, response.status, response.body, { ...call.headers, ...extra });
}

/**
 * Delivers an injected fault instead of the answer. `release` frees an idempotency key
 * that was held (unexecuted) for the duration of a hang.
 */
function deliverFault(rt: ApiRuntime, call: Call, rule: FaultRule, release?: () => void): void {
  rt.log('info', 'injected fault', { requestId: call.requestId, method: call.method, path: call.path, kind: rule.kind, executed: rule.executeBeforeFault });
  if (rule.kind === 'http500') sendError(call.res, apiError(), call.headers);
  else if (rule.kind === 'http429') sendError(call.res, rateLimited(), call.headers);
  else if (rule.kind === 'drop') call.req.socket.destroy();
  else {
    const timer = setTimeout(() => {
      rt.hangs.delete(timer);
      release?.();
      call.req.socket.destroy();
    }, rule.hangMs);
    rt.hangs.add(timer);
  }
}

function execute(rt: ApiRuntime, call: Call, handler: Handler, ctx: RequestContext, ids: string[]): StoredResponse {
  try {
    return { status: 200, body: JSON.stringify(handler(ctx, ids)) };
  } catch (err) {
    if (err instanceof StripeApiError) return { status: err.status, body: errorJson(err, call.requestId) };
    rt.log('error', 'emulator handler failed', { requestId: call.requestId, path: call.path, error: err instanceof Error ? err.stack : String(err) });
    return { status: 500, body: errorJson(apiError('An internal error occurred in the Stripe emulator.'), call.requestId) };
  }
}

/**
 * The API version a request asks for, echoed as Stripe does. Objects always have the pinned
 * version's shape; a version that does not exist (malformed, before Stripe's first, or after
 * the pinned one) is Stripe's 400.
 */
function requestedVersion(asked: string | null): string {
  if (asked === null) return API_VERSION;
  // Preview features ride on the version as `; feature_beta=v1` (stripe-node's addBetaVersion); the date decides.
  const m = /^(\d{4})-(\d{2})-(\d{2})(\.[a-z]+)?(?:; *[a-z0-9_]+=v\d+)*$/.exec(asked);
  const date = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  const real = m && !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
  if (!real || date < FIRST_API_VERSION || date > API_VERSION.slice(0, 10)) throw invalidApiVersion(asked);
  return asked;
}

/** One /v1 call: auth, parse, faults, idempotency, validation, execution — in Stripe's order of what gets stored. */
function handleCall(rt: ApiRuntime, call: Call, rawBody: string, query: string): void {
  const apiKey = authenticate(header(call.req, 'authorization') ?? undefined);
  call.headers['Stripe-Version'] = requestedVersion(header(call.req, 'stripe-version'));
  // A POST's parameters may come in its query string too, as Rack merges them (the body's win).
  const form = call.method === 'POST' ? mergeForms(parseForm(query), parseForm(rawBody)) : parseForm(query);
  const key = call.method === 'POST' ? header(call.req, 'idempotency-key') : null;
  if (key !== null && key.length > 255) throw idempotencyKeyTooLong();
  if (key) call.headers['Idempotency-Key'] = key;
  const scope = scopeOf(apiKey);
  const now = rt.state.clock.now();
  const fingerprint = key ? requestDigest(canonicalForm(form)) : '';
  const fault = rt.faults.take(call.method, call.path);
  const lookup = key ? rt.idempotency.check(scope, key, call.method, call.path, fingerprint, now) : { kind: 'new' as const };
  if (fault && (!fault.executeBeforeFault || fault.kind === 'http429')) {
    const hold = fault.kind === 'hang' && key && lookup.kind === 'new';
    if (hold) rt.idempotency.begin(scope, key, call.method, call.path, fingerprint, now);
    deliverFault(rt, call, fault, hold ? () => rt.idempotency.release(scope, key) : undefined);
    return;
  }
  if (lookup.kind === 'conflict') throw lookup.error;
  if (lookup.kind === 'replay') {
    if (fault) deliverFault(rt, call, fault);
    else send(call, lookup.response, { 'Idempotent-Replayed': 'true' });
    return;
  }
  const match = rt.router.match(call.method, call.path);
  if (!match) throw unrecognizedUrl(call.method, call.path);
  checkPublishableKey(apiKey, call.method, call.path, form, rt.state.store);
  const handler = match.route.prepare(form);
  if (key) rt.idempotency.begin(scope, key, call.method, call.path, fingerprint, now);
  const ctx: RequestContext = { state: rt.state, requestId: call.requestId, idempotencyKey: key, apiKey, stripeAccount: header(call.req, 'stripe-account') };
  const response = execute(rt, call, handler, ctx, match.ids);
  if (key) rt.idempotency.complete(scope, key, response);
  if (fault) deliverFault(rt, call, fault);
  else send(call, response);
}

export function handleApi(
  rt: ApiRuntime, req: IncomingMessage, res: ServerResponse, requestId: string, url: URL, rawBody: string,
): void {
  const call: Call = {
    req, res, requestId, method: (req.method ?? 'GET').toUpperCase(), path: url.pathname,
    headers: { 'Request-Id': requestId, 'Stripe-Version': API_VERSION },
  };
  try {
    handleCall(rt, call, rawBody, url.search.slice(1));
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    sendError(res, err, call.headers);
  }
}
