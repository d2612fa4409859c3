import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createPaybridgeClient } from '@paybridge/client';
import { uniqueEmail, useTestApp } from '../../../test/helpers/test-app.js';

// A running service (listening on a free port, its own Stripe emulator), called over HTTP by the client.
const t = useTestApp();

describe('the typed TypeScript client against a running service', () => {
  test('register → pay → confirm', async () => {
    const session: { accessToken?: string } = {};
    const api = createPaybridgeClient({ baseUrl: t.url, token: () => session.accessToken });

    const registered = await api.POST('/user/register', { body: { userName: 'Alan Turing', email: uniqueEmail('client'), password: 'correct-horse-battery-staple' } });
    assert.equal(registered.response.status, 201);
    session.accessToken = registered.data!.access_token;

    const cuid = randomUUID();
    const created = await api.POST('/payment', { body: { cuid, amount: 2500, currency: 'eur' } });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const payment = created.data!;
    assert.equal(payment.amount, 2500);
    assert.match(payment.clientSecret, /^pi_/);

    const confirmed = await api.POST('/payment/confirm', { body: { cuid, paymentId: payment.id, paymentMethodId: 'pm_card_visa' } });
    assert.equal(confirmed.response.status, 201, JSON.stringify(confirmed.error));
    assert.equal(confirmed.data!.status, 'succeeded');

    const read = await api.GET('/payment/{id}', { params: { path: { id: payment.id } } });
    assert.equal(read.data!.status, 'succeeded');
    const listed = await api.GET('/payment', { params: { query: { limit: 10 } } });
    assert.deepEqual(listed.data!.map((p) => p.id), [payment.id]);
  });

  test("a refusal arrives as the typed error body, with the service's code", async () => {
    // Not a JWT, so the service takes it for an API key, and refuses it as one.
    const api = createPaybridgeClient({ baseUrl: t.url, token: 'not-a-token' });
    const { data, error, response } = await api.GET('/payment/{id}', { params: { path: { id: 'pi_doesnotexist' } } });
    assert.equal(response.status, 401);
    assert.equal(data, undefined);
    assert.equal(error!.code, 'INVALID_API_KEY');
    assert.match(error!.requestId, /^req_/);
  });

  test('an organisation API key works as the token too', async () => {
    const api = createPaybridgeClient({ baseUrl: t.url, token: t.apiKey });
    const created = await api.POST('/user', { body: { userName: 'Grace Hopper', email: uniqueEmail('client-admin'), password: 'correct-horse-battery-staple' } });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    assert.match(created.data!.userId, /^[0-9a-f-]{36}$/);
  });
});
