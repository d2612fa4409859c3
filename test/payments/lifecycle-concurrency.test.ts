import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { startPeerInstance, type PeerInstance } from '../helpers/peer-instance.js';
import { bearer, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

// Two instances of the service on one database and one Stripe: what a load balancer spreads over.
let peer: PeerInstance | undefined;
// Registered before the app's own hooks, so the peer stops before the database it shares with t closes.
after(async () => {
  await peer?.close();
});
// The peer is made in the app's own hook: Node 20 runs root-level before hooks without waiting for each other.
const t = useTestApp({}, async (app) => {
  peer = await startPeerInstance(app);
});
const other = () => peer!;

const CONCURRENT = 20;
const onEither = (i: number, options: InjectOptions): Promise<LightMyRequestResponse> => (i % 2 === 0 ? t.inject(options) : other().inject(options));
/** The log lines of a request, to show why it failed. */
const logOf = (response: LightMyRequestResponse) => t.logs.lines.filter((line) => line.includes((response.json<{ requestId?: string }>().requestId ?? '?'))).join('');
const statusesOf = (responses: LightMyRequestResponse[]) => responses.map((r) => r.statusCode);

async function paidPayment(user: TestUser, captureMethod?: 'manual'): Promise<string> {
  const cuid = randomUUID();
  const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid, amount: 2000, ...(captureMethod ? { captureMethod } : {}) } });
  const id = created.json<{ id: string }>().id;
  const confirmed = await other().inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: { cuid, paymentId: id, paymentMethodId: 'pm_card_visa' } });
  assert.equal(confirmed.statusCode, 201, confirmed.body);
  return id;
}

describe('money operations across two instances on one database', () => {
  test(`${CONCURRENT} concurrent refunds with one cuid: one refund at Stripe, one answer`, async () => {
    const id = await paidPayment(await registerUser(t));
    const payload = { cuid: randomUUID(), amount: 700, reason: 'requested_by_customer' };
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => onEither(i, { method: 'POST', url: `/payment/${id}/refunds`, headers: bearer(t.apiKey), payload })),
    );
    assert.deepEqual(statusesOf(responses), Array<number>(CONCURRENT).fill(201), responses.map((r) => r.body).join('\n'));
    assert.equal(new Set(responses.map((r) => r.body)).size, 1, 'identical bytes');
    const atStripe = await t.stripe.refunds.list({ payment_intent: id, limit: 100 });
    assert.equal(atStripe.data.length, 1, 'one refund at Stripe');
    assert.equal(atStripe.data[0]!.amount, 700);
    const shown = await other().inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(t.apiKey) });
    assert.equal(shown.json().amountRefunded, 700);
  });

  test(`${CONCURRENT} concurrent partial refunds with different cuids never refund more than was paid`, async () => {
    const id = await paidPayment(await registerUser(t));
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => onEither(i, { method: 'POST', url: `/payment/${id}/refunds`, headers: bearer(t.apiKey), payload: { cuid: randomUUID(), amount: 150 } })),
    );
    for (const response of responses) assert.ok([201, 400].includes(response.statusCode), `${response.body}\n${logOf(response)}`);
    const made = responses.filter((r) => r.statusCode === 201).length;
    assert.equal(made, Math.floor(2000 / 150), 'as many as fit, no more');
    const atStripe = await t.stripe.refunds.list({ payment_intent: id, limit: 100 });
    assert.equal(atStripe.data.reduce((sum, r) => sum + r.amount, 0), made * 150);
    assert.equal((await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(t.apiKey) })).json().amountRefunded, made * 150);
  });

  test(`${CONCURRENT} concurrent captures of one authorisation: captured once, every answer alike`, async () => {
    const id = await paidPayment(await registerUser(t), 'manual');
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => onEither(i, { method: 'POST', url: `/payment/${id}/capture`, headers: bearer(t.apiKey), payload: { amount: 1800 } })),
    );
    assert.deepEqual(statusesOf(responses), Array<number>(CONCURRENT).fill(200), responses.map((r) => r.body).join('\n'));
    assert.equal(new Set(responses.map((r) => r.body)).size, 1);
    const intent = await t.stripe.paymentIntents.retrieve(id);
    assert.equal(intent.amount_received, 1800);
  });
});
