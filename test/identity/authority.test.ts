import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser, tokenSubject } from '../helpers/users.js';
import { coord, userJwt } from '../coord/helpers.js';
import { cvPost } from '../carevalidate/helpers.js';

const t = useTestApp();

const patchUser = (id: string, token: string, payload: Record<string, unknown>) =>
  t.inject({ method: 'PATCH', url: `/user/${id}`, headers: bearer(token), payload });

describe('finding 1: a partner user cannot take another address by renaming itself', () => {
  test('a create_jwt user PATCHing its own email is 403 PARTNER_MANAGED_USER; the victim gets a user of its own', async () => {
    const attackerJwt = await userJwt(t, { email: uniqueEmail('attacker') });
    const attackerId = tokenSubject(attackerJwt);
    const victim = uniqueEmail('victim');
    const rename = await patchUser(attackerId, attackerJwt, { email: victim });
    assert.equal(rename.statusCode, 403, rename.body);
    assert.equal(rename.json().code, 'PARTNER_MANAGED_USER');
    assert.equal(rename.json().details[0].path, '/email');
    const victimJwt = await userJwt(t, { email: victim, external_uid: `uid-${Date.now()}` });
    assert.notEqual(tokenSubject(victimJwt), attackerId);
  });

  test('nor can it give itself a password (which would make it a password account)', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('nopw') });
    const response = await patchUser(tokenSubject(jwt), jwt, { password: 'a-long-new-password-9', currentPassword: 'anything-at-all' });
    assert.equal(response.statusCode, 403, response.body);
    assert.equal(response.json().code, 'PARTNER_MANAGED_USER');
  });

  test('the partner itself still moves the email: through the claims of create_jwt', async () => {
    const uid = `uid-${Date.now()}-move`;
    const jwt = await userJwt(t, { email: uniqueEmail('before'), external_uid: uid });
    const after = uniqueEmail('after');
    const again = await userJwt(t, { email: after, external_uid: uid });
    assert.equal(tokenSubject(again), tokenSubject(jwt));
    const current = await coord(t, { method: 'GET', path: '/user/current', jwt: again });
    assert.equal(current.json().email, after);
  });
});

describe('finding 2: an address squatted by public registration stays the squatter\'s, and the partner is told why', () => {
  test('CareValidate UPDATE_PAYMENT_INFO and UPDATE_EMAIL refuse a password account in its own envelope', async () => {
    const patient = uniqueEmail('patient');
    await registerUser(t, { email: patient });
    const created = await cvPost(t, { action: 'CREATE_USER', email: patient });
    assert.equal(created.statusCode, 400);
    assert.equal(created.json().error, `User ${patient} already exists`);
    const payment = await cvPost(t, {
      action: 'UPDATE_PAYMENT_INFO',
      email: patient,
      data: { stripeSetupId: 'seti_123', nmiPaymentToken: 'tok_squat', shippingAddress: { addressLine1: '1 Main St', addressLine2: '', city: 'Austin', state: 'TX', country: 'US', postalCode: '78701' } },
    });
    assert.equal(payment.statusCode, 400, payment.body);
    assert.deepEqual(payment.json(), {
      status: 400,
      success: false,
      message: 'Invalid request',
      error: `User ${patient} signs in with a password; CareValidate cannot change it`,
    });
    const email = await cvPost(t, { action: 'UPDATE_EMAIL', currentEmail: patient, newEmail: uniqueEmail('moved') });
    assert.equal(email.statusCode, 400);
    assert.match(email.json().error, /signs in with a password/);
  });

  test('Coord create_jwt refuses a password account, also when an external_uid is sent', async () => {
    const owner = await registerUser(t);
    for (const body of [{ email: owner.email }, { email: owner.email, external_uid: `uid-${Date.now()}` }]) {
      const response = await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: body });
      assert.equal(response.statusCode, 409, response.body);
      assert.equal(response.json().code, 'EMAIL_TAKEN');
    }
  });

  test('a CareValidate user is its partner\'s: CareValidate acts on it, create_jwt of the same organisation adopts it', async () => {
    const email = uniqueEmail('cv');
    assert.equal((await cvPost(t, { action: 'CREATE_USER', email })).statusCode, 201);
    const jwt = await userJwt(t, { email });
    assert.equal((await coord(t, { method: 'GET', path: '/user/current', jwt })).json().email, email);
  });
});

describe('a password account changes its email only with its password, and other sessions end', () => {
  test('without currentPassword 400, with a wrong one 401; with it 200 and the other session is revoked', async () => {
    const user = await registerUser(t);
    const other = await t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email: user.email, password: user.password } });
    const otherToken = t.logs.secret(other.json().access_token as string);
    const email = uniqueEmail('new');
    const missing = await patchUser(user.id, user.token, { email });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().details[0].path, '/currentPassword');
    assert.equal((await patchUser(user.id, user.token, { email, currentPassword: 'wrong-password-1' })).statusCode, 401);
    const changed = await patchUser(user.id, user.token, { email, currentPassword: user.password });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().email, email);
    assert.equal((await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(otherToken) })).statusCode, 401);
    assert.equal((await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) })).statusCode, 200);
  });
});

describe('issue 17: seed 003 clients PATCH what they read', () => {
  test('the read object sent back, with userId and an unchanged customerId, is 200; a real change is refused', async () => {
    const user = await registerUser(t);
    const customer = await t.stripe.customers.create({ email: user.email, metadata: { paybridge_organisation_id: t.organisationId } });
    const bind = await patchUser(user.id, t.apiKey, { customerId: customer.id });
    assert.equal(bind.statusCode, 200, bind.body);
    const read = (await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) })).json();
    assert.equal(read.customerId, customer.id);
    const same = await patchUser(user.id, user.token, { ...read, userName: 'Alan Turing' });
    assert.equal(same.statusCode, 200, same.body);
    assert.deepEqual(same.json(), { ...read, userName: 'Alan Turing' });
    const otherCustomer = await patchUser(user.id, user.token, { ...read, customerId: 'cus_someoneElse1' });
    assert.equal(otherCustomer.statusCode, 403);
    assert.equal((await patchUser(user.id, user.token, { ...read, userId: 'someone-else' })).json().details[0].path, '/userId');
  });

  test('GET /user with a user token is a one-element array with itself', async () => {
    const user = await registerUser(t);
    await registerUser(t);
    const list = await t.inject({ method: 'GET', url: '/user', headers: bearer(user.token) });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(list.json().map((u: { userId: string }) => u.userId), [user.id]);
    const all = await t.inject({ method: 'GET', url: '/user', headers: bearer(t.apiKey) });
    assert.ok(all.json().length >= 2);
  });
});

describe('binding a customerId: Stripe must know it, and it must be no other user\'s', () => {
  test('an unknown customer is 404 UNKNOWN_CUSTOMER; one paybridge made for another user is 409 CUSTOMER_TAKEN', async () => {
    const victim = await registerUser(t);
    const attacker = await registerUser(t);
    const unknown = await patchUser(attacker.id, t.apiKey, { customerId: 'cus_doesNotExist123' });
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(unknown.json().code, 'UNKNOWN_CUSTOMER');
    // The victim's customer, as paybridge made it (metadata names its user); unbound here, as on another organisation.
    const theirs = await t.stripe.customers.create({ email: victim.email, metadata: { paybridge_user_id: victim.id, paybridge_organisation_id: 'org_other' } });
    const taken = await patchUser(attacker.id, t.apiKey, { customerId: theirs.id });
    assert.equal(taken.statusCode, 409, taken.body);
    assert.equal(taken.json().code, 'CUSTOMER_TAKEN');
  });
});
