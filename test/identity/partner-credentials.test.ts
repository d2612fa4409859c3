import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { putCatalogue } from '../coord/helpers.js';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';

// An administrator may not act for partner users (README "Who may act on a user"), so it may not
// make what vouches for them either: an API key, the identity provider, a live system's link secret.
let adminToken: string;
const t = useTestApp({}, async () => {
  const email = uniqueEmail('admin');
  const password = t.logs.secret('partner-credentials-admin-9');
  const made = await t.inject({ method: 'POST', url: '/user', headers: bearer(t.apiKey), payload: { userName: 'Admin', email, password, role: 'admin' } });
  assert.equal(made.statusCode, 201, made.body);
  const login = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email, password } });
  adminToken = t.logs.secret(login.json<{ access_token: string }>().access_token);
  await putCatalogue(t, [{ systemId: 'CitiBike', linkedAccountRequired: true, linkUrl: 'https://citibike.example/link' }]);
});

const refused = (response: { statusCode: number; body: string; json(): { code: string } }) => {
  assert.equal(response.statusCode, 403, response.body);
  assert.equal(response.json().code, 'PARTNER_CREDENTIAL_REQUIRED');
};
const publicPem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe("an administrator's session cannot make the partner's credentials", () => {
  test('it cannot issue an API key (which could then act for partner users); it may list and revoke them', async () => {
    refused(await t.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(adminToken), payload: { name: 'escalation' } }));
    const made = await t.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(t.apiKey), payload: { name: 'to revoke' } });
    t.logs.secret(made.json().key as string);
    const listed = await t.inject({ method: 'GET', url: '/admin/api-keys', headers: bearer(adminToken) });
    assert.equal(listed.statusCode, 200);
    assert.ok(!listed.body.includes('escalation'), 'nothing was issued');
    assert.equal((await t.inject({ method: 'DELETE', url: `/admin/api-keys/${made.json().id}`, headers: bearer(adminToken) })).statusCode, 200);
  });

  test('it cannot set or remove the identity provider; its other settings, and the provider sent back as read, are fine', async () => {
    const provider = { issuer: `https://id.${randomUUID()}.example`, audience: 'paybridge', pem: publicPem() };
    refused(await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(adminToken), payload: { identityProvider: provider } }));
    assert.equal((await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(t.apiKey), payload: { identityProvider: provider } })).statusCode, 200);
    const read = (await t.inject({ method: 'GET', url: '/admin/settings', headers: bearer(adminToken) })).json();
    const sentBack = await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(adminToken), payload: { ...read, redirectUris: ['https://app.example/linked'] } });
    assert.equal(sentBack.statusCode, 200, sentBack.body);
    refused(await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(adminToken), payload: { identityProvider: null } }));
    refused(await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(adminToken), payload: { identityProvider: { ...provider, pem: publicPem() } } }));
    assert.deepEqual((await t.inject({ method: 'GET', url: '/admin/settings', headers: bearer(t.apiKey) })).json().identityProvider, provider, 'unchanged');
  });

  test("it cannot read a live system's link secret (which signs account links); an API key can", async () => {
    refused(await t.inject({ method: 'GET', url: '/admin/transactable-systems/CitiBike/link-secret', headers: bearer(adminToken) }));
    const secret = await t.inject({ method: 'GET', url: '/admin/transactable-systems/CitiBike/link-secret', headers: bearer(t.apiKey) });
    assert.equal(secret.statusCode, 200, secret.body);
    t.logs.secret(secret.json().secret as string);
  });
});

describe("an administrator's session does not act for a partner user", () => {
  test("it cannot change its role, bind its customer, delete it or confirm its payment (403 PARTNER_MANAGED_USER); the organisation's API key can", async () => {
    const jwt = await t.inject({ method: 'POST', url: '/v1/users/create_jwt', headers: bearer(t.apiKey), payload: { email: uniqueEmail('partner'), external_uid: `p-${randomUUID()}` } });
    const partnerJwt = t.logs.secret(jwt.json().jwt_token as string);
    const partner = (await t.inject({ method: 'GET', url: '/user', headers: bearer(partnerJwt) })).json()[0] as { userId: string };
    const payment = await t.inject({ method: 'POST', url: '/payment', headers: bearer(partnerJwt), payload: { cuid: randomUUID(), amount: 1500 } });
    assert.equal(payment.statusCode, 201, payment.body);
    const customer = await t.stripe.customers.create({ email: uniqueEmail('elsewhere') });
    const managed = (response: { statusCode: number; body: string; json(): { code: string } }) => {
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().code, 'PARTNER_MANAGED_USER');
    };
    managed(await t.inject({ method: 'PATCH', url: `/user/${partner.userId}`, headers: bearer(adminToken), payload: { role: 'admin' } }));
    managed(await t.inject({ method: 'PATCH', url: `/user/${partner.userId}`, headers: bearer(adminToken), payload: { customerId: customer.id } }));
    managed(await t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(adminToken), payload: { cuid: randomUUID(), paymentId: payment.json().id, paymentMethodId: 'pm_card_visa' } }));
    managed(await t.inject({ method: 'DELETE', url: `/user/${partner.userId}`, headers: bearer(adminToken) }));
    assert.equal((await t.inject({ method: 'GET', url: `/user/${partner.userId}`, headers: bearer(adminToken) })).statusCode, 200, 'reading is not acting');
    const confirmed = await t.inject({ method: 'POST', url: '/payment/confirm', headers: bearer(partnerJwt), payload: { cuid: randomUUID(), paymentId: payment.json().id, paymentMethodId: 'pm_card_visa' } });
    assert.equal(confirmed.statusCode, 201, `the user itself pays: ${confirmed.body}`);
    assert.equal((await t.inject({ method: 'PATCH', url: `/user/${partner.userId}`, headers: bearer(t.apiKey), payload: { role: 'user' } })).statusCode, 200, 'the API key may');
  });
});
