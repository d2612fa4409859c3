import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth.js';
import { API_VERSION, type EmulatorState, type Logger, type RequestContext } from './context.js';
import { apiError, errorJson, idempotencyKeyTooLong, rateLimited, StripeApiError, unrecognizedUrl } from './errors.js';
import type { FaultRule, Faults } from './faults.js';
import { canonicalForm, parseForm } from './form.js';
import { sendError, sendJson } from './http-io.js';
import { scopeOf, type IdempotencyStore, type StoredResponse } from './idempotency.js';
import type { Handler, Router } from './router.js';

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
    if (err instanceof StripeApiError) return { status: err.status, body: errorJson(err) };
    rt.log('error', 'emulator handler failed', { requestId: call.requestId, path: call.path, error: err instanceof Error ? err.stack : String(err) });
    return { status: 500, body: errorJson(apiError('An internal error occurred in the Stripe emulator.')) };
  }
}

/** One /v1 call: auth, parse, faults, idempotency, validation, execution — in Stripe's order of what gets stored. */
function handleCall(rt: ApiRuntime, call: Call, rawBody: string, query: string): void {
  const apiKey = authenticate(header(call.req, 'authorization') ?? undefined);
  const form = parseForm(call.method === 'POST' ? rawBody : query);
  const key = call.method === 'POST' ? header(call.req, 'idempotency-key') : null;
  if (key !== null && key.length > 255) throw idempotencyKeyTooLong();
  if (key) call.headers['Idempotency-Key'] = key;
  const scope = scopeOf(apiKey);
  const now = rt.state.clock.now();
  const fingerprint = key ? canonicalForm(form) : '';
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
