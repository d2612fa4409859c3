import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { cvList, cvPost, nmiToken, succeededSetupIntent, WHITE_HOUSE } from '../carevalidate/helpers.js';
import { bearer, secondOrganisationKey, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

/**
 * Every route that names an object, called by someone who must not reach it: another user of
 * the same organisation, and another organisation's API key. Each is refused, and the object
 * reads the same afterwards, at paybridge and at Stripe.
 */
let victim: TestUser;
let attacker: TestUser;
let foreignKey: string;
let paymentId: string;
let apiKeyId: string;
const t = useTestApp({}, async () => {
  victim = await registerUser(t);
  attacker = await registerUser(t);
  foreignKey = await secondOrganisationKey(t);
  const created = await t.inject({ method: 'POST', url: '/payment', headers: bearer(victim.token), payload: { cuid: randomUUID() } });
  paymentId = created.json().id as string;
  const key = await t.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(t.apiKey), payload: { name: 'victim key' } });
  t.logs.secret(key.json().key as string);
  apiKeyId = key.json().id as string;
});

async function snapshot(): Promise<string> {
  const user = await t.inject({ method: 'GET', url: `/user/${victim.id}`, headers: bearer(t.apiKey) });
  const payment = await t.inject({ method: 'GET', url: `/payment/${paymentId}`, headers: bearer(t.apiKey) });
  const keys = await t.inject({ method: 'GET', url: '/admin/api-keys', headers: bearer(t.apiKey) });
  const intent = await t.stripe.paymentIntents.retrieve(paymentId);
  const profile = await t.ctx.services.profiles.findProfile(victim.id);
  return JSON.stringify([user.json(), payment.json(), keys.json(), intent.status, intent.payment_method, profile?.shippingAddress ?? null]);
}

const nativeCalls = () => [
  { method: 'GET', url: `/user/${victim.id}` },
  { method: 'PATCH', url: `/user/${victim.id}`, payload: { userName: 'Hijacked', email: `hijack-${randomUUID()}@example.com` } },
  { method: 'DELETE', url: `/user/${victim.id}` },
  { method: 'GET', url: `/payment/${paymentId}` },
  { method: 'POST', url: '/payment/confirm', payload: { cuid: randomUUID(), paymentId, paymentMethodId: 'pm_card_visa' } },
  { method: 'DELETE', url: `/admin/api-keys/${apiKeyId}` },
] as const;

describe('authorisation matrix', () => {
  test('another user of the same organisation is refused on every object route', async () => {
    const before = await snapshot();
    for (const call of nativeCalls()) {
      const response = await t.inject({ ...call, headers: bearer(attacker.token) });
      assert.ok([403, 404].includes(response.statusCode), `${call.method} ${call.url} answered ${response.statusCode}`);
    }
    const list = await t.inject({ method: 'GET', url: '/payment', headers: bearer(attacker.token) });
    assert.ok(!list.body.includes(paymentId), "the victim's payment is not in the attacker's list");
    assert.equal(await snapshot(), before, 'nothing changed');
  });

  test("another organisation's API key is refused on every object route", async () => {
    const before = await snapshot();
    for (const call of nativeCalls()) {
      const response = await t.inject({ ...call, headers: bearer(foreignKey) });
      assert.ok([403, 404].includes(response.statusCode), `${call.method} ${call.url} answered ${response.statusCode}`);
    }
    const users = await t.inject({ method: 'GET', url: '/user', headers: bearer(foreignKey) });
    assert.ok(!users.body.includes(victim.id));
    const payments = await t.inject({ method: 'GET', url: '/payment', headers: bearer(foreignKey) });
    assert.ok(!payments.body.includes(paymentId));
    assert.equal(await snapshot(), before, 'nothing changed');
  });

  test("another organisation's cv-api-key cannot see or change the user through the CareValidate face", async () => {
    const before = await snapshot();
    const setupIntent = await succeededSetupIntent(t);
    const calls = [
      { action: 'UPDATE_EMAIL', currentEmail: victim.email, newEmail: `taken-${randomUUID()}@example.com` },
      { action: 'UPDATE_PAYMENT_INFO', email: victim.email, data: { stripeSetupId: setupIntent, nmiPaymentToken: nmiToken(t), shippingAddress: WHITE_HOUSE } },
    ];
    for (const body of calls) {
      const response = await cvPost(t, body, foreignKey);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error, `User ${victim.email} does not exist`);
    }
    const list = await cvList(t, { emailPrefix: victim.email.slice(0, 10) }, foreignKey);
    assert.ok(!list.body.includes(victim.email));
    assert.equal(await snapshot(), before, 'nothing changed');
  });

  test('a revoked API key and a logged-out session are refused everywhere', async () => {
    const created = await t.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(t.apiKey), payload: { name: 'short-lived' } });
    const key = t.logs.secret(created.json().key as string);
    await t.inject({ method: 'DELETE', url: `/admin/api-keys/${created.json().id}`, headers: bearer(t.apiKey) });
    const user = await registerUser(t);
    await t.inject({ method: 'POST', url: '/user/logout', headers: bearer(user.token) });
    for (const [name, headers] of [['native, revoked key', bearer(key)], ['native, ended session', bearer(user.token)]] as const) {
      const response = await t.inject({ method: 'GET', url: '/payment', headers });
      assert.equal(response.statusCode, 401, name);
    }
    const cv = await cvList(t, {}, key);
    assert.equal(cv.statusCode, 401);
  });
});

describe('account takeover through sign-up', () => {
  test("a user's token cannot choose the organisation to register or sign in with", async () => {
    for (const url of ['/user/register', '/user/login']) {
      const response = await t.inject({
        method: 'POST',
        url,
        headers: bearer(victim.token),
        payload: url.endsWith('register') ? { userName: 'Squatter', email: `squat-${randomUUID()}@example.com`, password: 'squatting-passphrase' } : { email: victim.email, password: victim.password },
      });
      assert.equal(response.statusCode, 403, `${url}: ${response.body}`);
    }
  });

  test("an account registered with a password is never handed to a partner's create_jwt", async () => {
    const email = `squat-${randomUUID()}@example.com`;
    const squatter = await registerUser(t, { email });
    for (const payload of [{ email }, { email, external_uid: `uid-${randomUUID()}` }]) {
      const response = await t.inject({ method: 'POST', url: `/v1/users/create_jwt?access_key=${t.apiKey}`, payload });
      assert.equal(response.statusCode, 409, response.body);
      assert.equal(response.json().code, 'EMAIL_TAKEN');
    }
    const login = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email, password: squatter.password } });
    t.logs.secret(login.json().access_token as string);
    const current = await t.inject({ method: 'GET', url: '/v1/users/user/current', headers: bearer(login.json().access_token as string) });
    assert.equal(current.json().vehicle, null, 'and no partner data ever reached it');
  });
});
