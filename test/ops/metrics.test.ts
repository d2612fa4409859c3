import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { bearer, databaseUrl, useTestApp, type TestApp } from '../helpers/test-app.js';
import { stripeEvent } from '../helpers/stripe-events.js';
import { registerUser, type TestUser } from '../helpers/users.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition, as a scraper reads it (comment lines skipped). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function scrape(app: TestApp, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.url}/metrics`, { headers });
}

async function pay(t: TestApp, user: TestUser, paymentMethodId: string): Promise<number> {
  const cuid = randomUUID();
  const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid } });
  assert.equal(created.statusCode, 201, created.body);
  const confirmed = await t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: { cuid, paymentId: created.json().id, paymentMethodId } });
  return confirmed.statusCode;
}

describe('GET /metrics', () => {
  const t = useTestApp();

  test('after traffic, shows HTTP requests by route and status, payments by outcome, Stripe calls and the reconciliation backlog', async () => {
    const user = await registerUser(t);
    assert.equal(await pay(t, user, 'pm_card_visa'), 201);
    assert.equal(await pay(t, user, 'pm_card_chargeDeclined'), 402);
    await t.inject({ method: 'GET', url: `/no-such-route/${randomUUID()}` });

    const response = await scrape(t);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const samples = parse(await response.text());

    const http = 'paybridge_http_request_duration_seconds_count';
    assert.ok(valueOf(samples, http, { method: 'POST', route: '/payment', status_code: '201' })! >= 2);
    assert.equal(valueOf(samples, http, { method: 'POST', route: '/payment/confirm', status_code: '402' }), 1);
    assert.equal(valueOf(samples, http, { method: 'GET', route: 'unmatched', status_code: '404' }), 1, 'a raw URL never becomes a label');
    assert.ok(!samples.some((s) => s.labels.route?.startsWith('/no-such-route')));

    assert.equal(valueOf(samples, 'paybridge_payments_total', { operation: 'create', outcome: 'requires_payment_method' }), 2);
    assert.equal(valueOf(samples, 'paybridge_payments_total', { operation: 'confirm', outcome: 'succeeded' }), 1);
    assert.equal(valueOf(samples, 'paybridge_payments_total', { operation: 'confirm', outcome: 'CARD_DECLINED' }), 1);

    const stripe = 'paybridge_stripe_request_duration_seconds_count';
    assert.ok(valueOf(samples, stripe, { method: 'createPaymentIntent', result: 'ok' })! >= 2);
    assert.ok(valueOf(samples, stripe, { method: 'createCustomer', result: 'ok' })! >= 1);
    assert.equal(valueOf(samples, stripe, { method: 'confirmPaymentIntent', result: 'CARD_DECLINED' }), 1);
    assert.ok(valueOf(samples, 'paybridge_stripe_request_duration_seconds_sum', { method: 'createPaymentIntent', result: 'ok' })! > 0);

    // The declined payment is still requires_payment_method: not final, so reconciliation keeps looking at it.
    assert.ok(valueOf(samples, 'paybridge_reconciliation_backlog_intents', {})! >= 1);
    assert.equal(typeof valueOf(samples, 'paybridge_reconciliation_backlog_creations', {}), 'number');
  });
});

const QUEUE_SERIES = ['paybridge_stripe_events_backlog', 'paybridge_stripe_events_lag_seconds', 'paybridge_webhook_deliveries_backlog', 'paybridge_webhook_deliveries_lag_seconds'];

/** A Stripe event as Stripe signs and sends it, saying the payment's intent succeeded. */
function signedSucceededEvent(t: TestApp, secret: string, paymentId: string): { payload: string; header: string } {
  const object = { id: paymentId, object: 'payment_intent', status: 'succeeded', metadata: { paybridge_payment_id: 'x' } };
  const payload = JSON.stringify(stripeEvent('payment_intent.succeeded', object));
  return { payload, header: t.stripe.webhooks.generateTestHeaderString({ payload, secret }) };
}

describe('GET /metrics: the event queues', () => {
  // Stripe events are sent by the test, signed with this secret (the emulator then sends none).
  const secret = `whsec_${randomUUID().replace(/-/g, '')}`;
  const t = useTestApp({ env: { STRIPE_WEBHOOK_SECRET: secret } }, async (app) => {
    app.logs.secret(secret);
  });

  test('show the backlog and lag of Stripe events and of webhook deliveries: 0 when empty, the waiting items when stuck', async () => {
    // On a shared PostgreSQL other files' queues count too: exact values only on this file's own PGlite.
    const exact = !databaseUrl;
    if (exact) for (const name of QUEUE_SERIES) assert.equal(valueOf(parse(await (await scrape(t)).text()), name, {}), 0, name);
    const started = Date.now();

    // A receiver that keeps failing: its delivery stays owed, retried with backoff.
    const receiver = await startReceiver();
    receiver.respond = () => 503;
    const endpoint = await t.inject({ method: 'POST', url: '/admin/webhook-endpoints', headers: bearer(t.apiKey), payload: { url: receiver.url, events: ['user.created'] } });
    assert.equal(endpoint.statusCode, 201, endpoint.body);
    t.logs.secret(endpoint.json().secret);
    try {
      const user = await registerUser(t);
      await receiver.waitFor((all) => all.some((r) => r.event.data.object.userId === user.id));

      // This instance's worker is stopped, so the Stripe event it receives waits in the queue.
      await t.ctx.services.eventWorker.stop();
      const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
      assert.equal(created.statusCode, 201, created.body);
      const event = signedSucceededEvent(t, secret, created.json().id);
      const received = await t.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, payload: event.payload });
      assert.equal(received.statusCode, 200, received.body);

      const samples = parse(await (await scrape(t)).text());
      const elapsedSeconds = (Date.now() - started) / 1000;
      for (const queue of ['paybridge_stripe_events', 'paybridge_webhook_deliveries']) {
        const backlog = valueOf(samples, `${queue}_backlog`, {})!;
        const lag = valueOf(samples, `${queue}_lag_seconds`, {})!;
        if (exact) assert.equal(backlog, 1, `${queue}: the one waiting item`);
        else assert.ok(backlog >= 1, `${queue}_backlog ${backlog}`);
        assert.ok(lag > 0, `${queue}_lag_seconds ${lag}`);
        if (exact) assert.ok(lag <= elapsedSeconds + 1, `${queue}: lag ${lag} is in seconds, at most the ${elapsedSeconds} s the item can have waited`);
      }
    } finally {
      // Deleting the endpoint ends its retries (on a shared database, other instances' workers would go on).
      await t.inject({ method: 'DELETE', url: `/admin/webhook-endpoints/${endpoint.json().id}`, headers: bearer(t.apiKey) });
      await receiver.close();
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const token = `metrics-${randomUUID()}`;
  const guarded = useTestApp({ env: { METRICS_TOKEN: token } });

  test('is refused without the token or with another one, and served with it', async () => {
    guarded.logs.secret(token);
    const missing = await scrape(guarded);
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await scrape(guarded, bearer(`${token}x`))).status, 401);
    assert.equal((await scrape(guarded, bearer(guarded.apiKey))).status, 401, 'an API key is not the metrics token');
    const allowed = await scrape(guarded, bearer(token));
    assert.equal(allowed.status, 200);
    assert.match(await allowed.text(), /paybridge_http_request_duration_seconds/);
  });
});
