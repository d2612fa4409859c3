import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { createCvUser, cvPost, nmiToken, paymentInfoRequest, succeededSetupIntent } from '../carevalidate/helpers.js';
import { coord, userJwt } from '../coord/helpers.js';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';
import { startReceiver, verifySignature, type Receiver } from '../helpers/webhook-receiver.js';

describe('payment and payment method events', () => {
  let receiver: Receiver;
  let secret: string;
  const t = useTestApp({}, async (app) => {
    receiver = await startReceiver();
    const created = await app.inject({ method: 'POST', url: '/admin/webhook-endpoints', headers: bearer(app.apiKey), payload: { url: receiver.url } });
    assert.equal(created.statusCode, 201, created.body);
    secret = app.logs.secret(created.json<{ secret: string }>().secret);
  });
  after(() => receiver.close());

  const forObject = (id: string) => receiver.received.filter((r) => r.event.data.object.id === id);
  const typesFor = async (id: string, count: number) =>
    (await receiver.waitFor(() => forObject(id).length >= count)).filter((r) => r.event.data.object.id === id).map((r) => r.event.type);

  test('created, succeeded and refunded, each with the payment as GET /payment/{id} shows it then', async () => {
    const user = await registerUser(t);
    const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json<{ id: string }>().id;
    assert.deepEqual(await typesFor(id, 1), ['payment.created']);
    const shown = await t.inject({ method: 'GET', url: `/payment/${id}`, headers: bearer(user.token) });
    assert.deepEqual(forObject(id)[0]!.event.data.object, shown.json());
    assert.ok(verifySignature(forObject(id)[0]!.headers['paybridge-signature'], forObject(id)[0]!.body, secret));

    const confirmed = await t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: { cuid: randomUUID(), paymentId: id, paymentMethodId: 'pm_card_visa' } });
    assert.equal(confirmed.statusCode, 201, confirmed.body);
    assert.deepEqual(await typesFor(id, 2), ['payment.created', 'payment.succeeded']);
    assert.deepEqual(forObject(id)[1]!.event.data.object, confirmed.json());

    await t.stripe.refunds.create({ payment_intent: id, amount: 500 });
    assert.deepEqual(await typesFor(id, 3), ['payment.created', 'payment.succeeded', 'payment.refunded']);
    assert.equal(forObject(id)[2]!.event.data.object.amountRefunded, 500);
  });

  test('a declined confirm announces payment.failed', async () => {
    const user = await registerUser(t);
    const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(user.token), payload: { cuid: randomUUID() } });
    const id = created.json<{ id: string }>().id;
    const declined = await t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(user.token), payload: { cuid: randomUUID(), paymentId: id, paymentMethodId: 'pm_card_chargeDeclined' } });
    assert.equal(declined.statusCode, 402, declined.body);
    assert.deepEqual(await typesFor(id, 2), ['payment.created', 'payment.failed']);
    assert.equal(forObject(id)[1]!.event.data.object.status, 'requires_payment_method');
  });

  test("Coord stripe_info announces payment_method.updated with the card's brand and last four only", async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('coord'), external_uid: randomUUID() });
    const token = (await t.stripe.tokens.create({ card: { number: '4242424242424242', exp_month: '12', exp_year: '2030', cvc: '123' } })).id;
    const info = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: token } });
    assert.equal(info.statusCode, 200, info.body);
    const customerId = info.json<{ customer_id: string }>().customer_id;
    const [event] = (await receiver.waitFor((all) => all.some((r) => r.event.data.object.customerId === customerId && r.event.type === 'payment_method.updated'))).filter(
      (r) => r.event.data.object.customerId === customerId && r.event.type === 'payment_method.updated',
    );
    const object = event!.event.data.object as { id: string; userId: string; card: { brand: string; last4: string } };
    assert.match(object.id, /^(card|pm|src)_/);
    assert.equal(object.card.last4, '4242');
    assert.ok(!event!.body.includes('4242424242424242'));
  });

  test('CareValidate CREATE_USER announces user.created and UPDATE_PAYMENT_INFO payment_method.updated; the NMI token never travels', async () => {
    const email = uniqueEmail('cv');
    const user = await createCvUser(t, email);
    await receiver.waitFor((all) => all.some((r) => r.event.type === 'user.created' && r.event.data.object.userId === user.id));
    const token = nmiToken(t);
    const updated = await cvPost(t, paymentInfoRequest(email, await succeededSetupIntent(t), token));
    assert.equal(updated.statusCode, 200, updated.body);
    const [event] = (await receiver.waitFor((all) => all.some((r) => r.event.type === 'payment_method.updated' && r.event.data.object.userId === user.id))).filter(
      (r) => r.event.type === 'payment_method.updated' && r.event.data.object.userId === user.id,
    );
    assert.match(String(event!.event.data.object.id), /^pm_/);
    assert.ok(!event!.body.includes(token));
  });
});
