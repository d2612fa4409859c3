import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { coord, PLATE, putCatalogue, systemsOf, userJwt } from './helpers.js';

const t = useTestApp({}, async () => {
  await putCatalogue(t, [
    { systemId: 'ParkCo', name: 'Park Co', usersApiFields: ['stripe_info.stripe_customer_id', 'vehicle.license_plate'] },
    { systemId: 'CitiBike', name: 'Citi Bike', linkedAccountRequired: true, linkUrl: 'https://citibike.example/link' },
    { systemId: 'OpenCurb', name: 'Open Curb' },
  ]);
});

const cardToken = async () => (await t.stripe.tokens.create({ card: { number: '4242424242424242', exp_month: '12', exp_year: '2030', cvc: '123' } })).id;

describe('a partner walks the whole Coord flow', () => {
  test('server token → JWT → current user → vehicle → stripe_info → the system that needed them is transactable', async () => {
    const email = uniqueEmail('coord');
    const created = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: { email, external_uid: 'partner-user-1' } });
    assert.equal(created.statusCode, 200, created.body);
    assert.deepEqual(Object.keys(created.json()), ['jwt_token']);
    const jwt = t.logs.secret(created.json().jwt_token as string);

    const me = await coord(t, { method: 'GET', path: '/user/current', jwt });
    assert.equal(me.statusCode, 200, me.body);
    assert.deepEqual(me.json(), {
      email,
      is_test: false,
      vehicle: null,
      stripe_info: { stripe_customer_id: null },
      transactable_systems: [
        { system_id: 'CitiBike', linked_account: false },
        { system_id: 'OpenCurb', linked_account: false },
        { system_id: 'ParkCo', linked_account: false },
      ],
    });

    const before = await systemsOf(t, jwt);
    assert.equal(before.get('OpenCurb')!.transactable, true, 'a system without requirements is transactable at once');
    assert.equal(before.get('ParkCo')!.transactable, false);
    assert.deepEqual(before.get('ParkCo')!.missing.users_api_fields, ['stripe_info.stripe_customer_id', 'vehicle.license_plate']);
    assert.deepEqual(before.get('CitiBike')!.missing, { jwt_claims: [], users_api_fields: [], linked_account: true });

    const vehicle = await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt, payload: PLATE });
    assert.equal(vehicle.statusCode, 200, vehicle.body);
    assert.deepEqual(vehicle.json(), PLATE);

    const token = await cardToken();
    const info = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: token } });
    assert.equal(info.statusCode, 200, info.body);
    const customerId = info.json().customer_id as string;
    assert.match(customerId, /^cus_/);
    assert.deepEqual(info.json(), { coord_targeted_token: token, customer_id: customerId });

    const customer = await t.stripe.customers.retrieve(customerId, { expand: ['sources'] });
    assert.ok(!customer.deleted);
    assert.equal(customer.email, email);
    assert.equal(customer.sources?.data.length, 1, 'the token became a card source of the customer');
    assert.equal(customer.default_source, customer.sources?.data[0]?.id, 'and its default');

    const after = await systemsOf(t, jwt);
    assert.equal(after.get('ParkCo')!.transactable, true, 'ParkCo became transactable');
    assert.deepEqual(after.get('ParkCo')!.missing.users_api_fields, []);
    const meAfter = await coord(t, { method: 'GET', path: '/user/current', jwt });
    assert.deepEqual(meAfter.json().vehicle, PLATE);
    assert.equal(meAfter.json().stripe_info.stripe_customer_id, customerId);
  });

  test('a second card keeps the one customer; a Connect-targeted token from an existing customer works too', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('two-cards') });
    const first = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: await cardToken() } });
    assert.equal(first.statusCode, 200, first.body);

    // As Coord documents: a token made from the partner's own customer, targeted with Stripe-Account.
    const partnerCustomer = await t.stripe.customers.create({ email: 'partner-side@example.com', source: 'tok_mastercard' });
    const targeted = await t.stripe.tokens.create({ customer: partnerCustomer.id }, { stripeAccount: 'acct_coord_connected' });
    const second = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: targeted.id } });
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().customer_id, first.json().customer_id, 'the customer is created exactly once');

    const customer = await t.stripe.customers.retrieve(first.json().customer_id as string, { expand: ['sources', 'default_source'] });
    assert.ok(!customer.deleted);
    assert.equal(customer.sources?.data.length, 2);
    const defaultCard = customer.default_source as { last4?: string; brand?: string };
    assert.equal(defaultCard.brand, 'MasterCard', 'the newest card is the default');
  });

  test('the same request retried answers the same customer; a token used by another user is a clear 400', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('retry') });
    const token = await cardToken();
    const first = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: token } });
    const retry = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: token } });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(retry.statusCode, 200, retry.body);
    assert.equal(retry.json().customer_id, first.json().customer_id);

    const other = await userJwt(t, { email: uniqueEmail('other') });
    const reused = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt: other, payload: { coord_targeted_token: token } });
    assert.equal(reused.statusCode, 400, reused.body);
    assert.equal(reused.json().code, 'INVALID_CARD_TOKEN');
    assert.match(reused.json().message, /more than once/);
    assert.deepEqual(reused.json().fields.map((f: { field: string }) => f.field), ['/coord_targeted_token']);
    // Stripe's message quotes the token: it is withheld from the answer and from every log line.
    assert.ok(!reused.body.includes(token), reused.body);
    assert.ok(!t.logs.text.includes(token), 'the card token is in no log line');
  });

  test('an unknown token is a 400 INVALID_CARD_TOKEN, a declined card a 402, neither a 500', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('bad-token') });
    const unknown = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: 'tok_doesnotexist123' } });
    assert.equal(unknown.statusCode, 400, unknown.body);
    assert.equal(unknown.json().code, 'INVALID_CARD_TOKEN');

    const declined = await coord(t, { method: 'POST', path: '/user/current/stripe_info', jwt, payload: { coord_targeted_token: 'tok_chargeDeclined' } });
    assert.equal(declined.statusCode, 402, declined.body);
    assert.equal(declined.json().code, 'CARD_DECLINED');
    assert.equal(typeof declined.json().decline_code, 'string');

    const parkCo = (await systemsOf(t, jwt)).get('ParkCo')!;
    assert.ok(parkCo.missing.users_api_fields.includes('stripe_info.stripe_customer_id'), 'no card was added, so stripe_info is still missing');
    const me = await coord(t, { method: 'GET', path: '/user/current', jwt });
    assert.equal(me.json().stripe_info.stripe_customer_id, null, 'and /user/current says the same: the declined attempt made a customer, not stripe_info');
  });

  test('the user is created on first sight and matched by external_uid, else by email; email and name follow the latest call', async () => {
    const email = uniqueEmail('match');
    const first = await userJwt(t, { email, external_uid: 'uid-match-1', name: 'Ada' });
    const renamed = uniqueEmail('match-renamed');
    const second = await userJwt(t, { email: renamed, external_uid: 'uid-match-1', name: 'Ada Lovelace' });
    await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt: first, payload: PLATE });

    const me = await coord(t, { method: 'GET', path: '/user/current', jwt: second });
    assert.equal(me.json().email, renamed, 'matched by external_uid; the email followed');
    assert.equal(me.json().name, 'Ada Lovelace');
    assert.deepEqual(me.json().vehicle, PLATE, 'the same user as the first JWT');

    const byEmail = await userJwt(t, { email: renamed });
    assert.deepEqual((await coord(t, { method: 'GET', path: '/user/current', jwt: byEmail })).json().vehicle, PLATE, 'matched by email');

    const clash = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: { email: renamed, external_uid: 'uid-someone-else' } });
    assert.equal(clash.statusCode, 409, clash.body);
    assert.equal(clash.json().code, 'EMAIL_TAKEN');
  });

  test('an external_uid that hides characters, shows none, or is another typing of an id is a 400 naming it', async () => {
    // A space around it, or a decomposed é, would make a second user that looks like the first.
    for (const uid of ['uid\u0000x', 'uid\nforged', 'uid-\u200B1', '   ', 'uid\u202E1', 'u-1 ', ' u-1', 'Jose\u0301', '\u0410dmin', 'user\u201042', 'user\u201142', 'user-\uFF14\uFF12', 'user\u00A0-42', 'user\u2009-42', 'user  -42', 'u\u22121', 'a\u2215b', 'a\u2236b', 'a\uA789b', 'a\u00B7b', 'a\u2019b']) {
      const email = uniqueEmail('uid');
      const response = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: { email, external_uid: uid } });
      assert.equal(response.statusCode, 400, `${JSON.stringify(uid)}: ${response.body}`);
      assert.match(response.body, /external_uid/);
    }
    const composed = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: { email: uniqueEmail('uid'), external_uid: 'Jos\u00e9 u-1 auth0|abc:x/y ユーザー' } });
    assert.equal(composed.statusCode, 200, composed.body);
  });

  for (const withUid of [true, false]) {
    test(`concurrent first sights of one user make one user (${withUid ? 'with' : 'without'} external_uid)`, async () => {
      const email = uniqueEmail('race');
      const body = withUid ? { email, external_uid: `uid-${email}` } : { email };
      const jwts = await Promise.all(Array.from({ length: 8 }, () => userJwt(t, body)));
      await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt: jwts[0]!, payload: PLATE });
      for (const jwt of jwts) assert.deepEqual((await coord(t, { method: 'GET', path: '/user/current', jwt })).json().vehicle, PLATE);
    });
  }
});
