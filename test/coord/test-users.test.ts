import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { coord, PLATE, putCatalogue, systemsOf, userJwt } from './helpers.js';

const t = useTestApp({}, async () => {
  await putCatalogue(t, [
    { systemId: 'CitiBike', linkedAccountRequired: true },
    { systemId: 'ParkCo', usersApiFields: ['stripe_info.stripe_customer_id'] },
    { systemId: 'CurbMeter', usersApiFields: ['vehicle.license_plate'] },
  ]);
});

const simulateLink = (jwt: string, payload: unknown) => coord(t, { method: 'POST', path: '/testing/user/current/transactable_systems', jwt, payload });

describe('test JWTs and test users', () => {
  test('both spellings make a test JWT; the test user is marked as such and separate from a live user of the same email', async () => {
    const email = uniqueEmail('tester');
    const testJwt = await userJwt(t, { email }, 'test');
    const prose = await coord(t, { method: 'POST', path: '/testing/user', accessKey: t.apiKey, payload: { email } });
    assert.equal(prose.statusCode, 200, prose.body);
    const proseJwt = t.logs.secret(prose.json().jwt_token as string);
    const liveJwt = await userJwt(t, { email });

    await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt: testJwt, payload: PLATE });
    const testMe = await coord(t, { method: 'GET', path: '/user/current', jwt: proseJwt });
    assert.equal(testMe.json().is_test, true);
    assert.deepEqual(testMe.json().vehicle, PLATE, 'both spellings reach the same test user');
    const liveMe = await coord(t, { method: 'GET', path: '/user/current', jwt: liveJwt });
    assert.equal(liveMe.json().is_test, false);
    assert.equal(liveMe.json().vehicle, null, 'the live user with the same email is another user');
  });

  test('stripe_info is refused to a test user with a clear 403, and no Stripe customer is made', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('no-stripe') }, 'test');
    const token = (await t.stripe.tokens.create({ card: { number: '4242424242424242', exp_month: '12', exp_year: '2030', cvc: '123' } })).id;
    const refused = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: token } });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'TEST_USER_NOT_ALLOWED');
    assert.match(refused.json().message, /Test users cannot set Stripe info/);
    assert.equal((await coord(t, { method: 'GET', path: '/user/current', jwt })).json().stripe_info.stripe_customer_id, null);
    assert.equal((await t.stripe.tokens.retrieve(token)).used, false, 'the token was not spent');
    assert.equal((await systemsOf(t, jwt)).get('ParkCo')!.transactable, false, 'a stripe_info system has no test transactions');
  });

  test('linking is simulated server-side: set, see the system become transactable, clear', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('linker') }, 'test');
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.transactable, false);

    const linked = await simulateLink(jwt, { system_id: 'CitiBike', linked_account: true });
    assert.equal(linked.statusCode, 200, linked.body);
    assert.deepEqual(linked.json(), { system_id: 'CitiBike', linked_account: true });
    const afterLink = await systemsOf(t, jwt);
    assert.equal(afterLink.get('CitiBike')!.transactable, true);
    assert.equal(afterLink.get('CitiBike')!.linked_account, true);
    const me = await coord(t, { method: 'GET', path: '/user/current', jwt });
    assert.deepEqual(me.json().transactable_systems.find((s: { system_id: string }) => s.system_id === 'CitiBike'), { system_id: 'CitiBike', linked_account: true });

    const cleared = await simulateLink(jwt, { system_id: 'CitiBike', linked_account: false });
    assert.equal(cleared.statusCode, 200);
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.transactable, false);
  });

  test('an unknown system, or one that cannot be linked, is a 400 naming system_id', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('bad-link') }, 'test');
    const unknown = await simulateLink(jwt, { system_id: 'NoSuchSystem', linked_account: true });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().code, 'UNKNOWN_SYSTEM');
    assert.deepEqual(unknown.json().fields, [{ field: '/system_id', message: 'is not a system of this organisation' }]);
    const notLinkable = await simulateLink(jwt, { system_id: 'CurbMeter', linked_account: true });
    assert.equal(notLinkable.statusCode, 400);
    assert.equal(notLinkable.json().code, 'SYSTEM_NOT_LINKABLE');
  });

  test('a live user may not simulate linking', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('live-linker') });
    const refused = await simulateLink(jwt, { system_id: 'CitiBike', linked_account: true });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'TEST_USER_REQUIRED');
    assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, false);
  });

  test('malformed simulation bodies are 400s naming the field', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('malformed') }, 'test');
    const wrongType = await simulateLink(jwt, { system_id: 'CitiBike', linked_account: 'yes' });
    assert.equal(wrongType.statusCode, 400);
    assert.deepEqual(wrongType.json().fields.map((f: { field: string }) => f.field), ['/linked_account']);
    const missing = await simulateLink(jwt, { linked_account: true });
    assert.deepEqual(missing.json().fields, [{ field: '/system_id', message: 'is required' }]);
  });
});
