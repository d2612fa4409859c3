import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { paymentProfiles } from '../../src/db/schema.js';
import { secondOrganisationKey, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { assertAnswer, createCvUser, cvList, cvPost, invalidRequest, nmiToken, paymentInfoRequest, succeededSetupIntent, WHITE_HOUSE } from './helpers.js';

const t = useTestApp();

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NO_PROFILE = { firstName: null, lastName: null, phone: null, dob: null, gender: null, shippingAddress: null, defaultPaymentMethod: null };

/** The server-made parts of a user (id, timestamps) checked for shape, then the whole user compared. */
function assertUser(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  assert.match(String(actual.id), ID);
  assert.ok(!Number.isNaN(Date.parse(String(actual.createdAt))));
  assert.ok(!Number.isNaN(Date.parse(String(actual.updatedAt))));
  assert.deepEqual(actual, { id: actual.id, createdAt: actual.createdAt, updatedAt: actual.updatedAt, ...expected });
}

async function customerOf(userId: string): Promise<string | null | undefined> {
  const [row] = await t.database.db.select().from(paymentProfiles).where(eq(paymentProfiles.userId, userId));
  return row?.stripeCustomerId;
}

describe('CREATE_USER', () => {
  test('with every profile field: 201 USER_CREATED and the user', async () => {
    const email = uniqueEmail('create');
    const profile = { firstName: 'John', lastName: 'Doe', phone: '+1 (202) 456-1111', dob: '1980-02-29', gender: 'male' };
    const response = await cvPost(t, { action: 'CREATE_USER', email, ...profile });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.deepEqual({ ...body, data: { ...body.data, user: '…' } }, { status: 201, success: true, data: { code: 'USER_CREATED', user: '…' } });
    assertUser(body.data.user, { ...NO_PROFILE, email, ...profile });
  });

  test('with the email only; the email is stored trimmed and lowercased', async () => {
    const email = uniqueEmail('bare');
    const response = await cvPost(t, { action: 'CREATE_USER', email: `  ${email.toUpperCase()} ` });
    assert.equal(response.statusCode, 201, response.body);
    assertUser(response.json().data.user, { ...NO_PROFILE, email });
  });

  test('a duplicate email, in any case, is a 400 in the failure envelope', async () => {
    const email = uniqueEmail('dup');
    await createCvUser(t, email);
    assertAnswer(await cvPost(t, { action: 'CREATE_USER', email }), 400, invalidRequest(`User ${email} already exists`));
    const shouted = email.toUpperCase();
    assertAnswer(await cvPost(t, { action: 'CREATE_USER', email: shouted, firstName: 'Again' }), 400, invalidRequest(`User ${shouted} already exists`));
  });

  test('the same email twice at once: one user, one 400', async () => {
    const email = uniqueEmail('race');
    const answers = await Promise.all([cvPost(t, { action: 'CREATE_USER', email }), cvPost(t, { action: 'CREATE_USER', email })]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 400]);
    assert.equal((await cvList(t, { emailPrefix: email })).json().data.length, 1);
  });
});

describe('UPDATE_EMAIL', () => {
  test('200 EMAIL_UPDATED with the user; the old email is free, the new one is the user', async () => {
    const currentEmail = uniqueEmail('old');
    const newEmail = uniqueEmail('new');
    const user = await createCvUser(t, currentEmail, { firstName: 'Ada' });
    const response = await cvPost(t, { action: 'UPDATE_EMAIL', currentEmail, newEmail });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.deepEqual({ ...body, data: { ...body.data, user: '…' } }, { status: 200, success: true, data: { code: 'EMAIL_UPDATED', user: '…' } });
    assertUser(body.data.user, { ...NO_PROFILE, firstName: 'Ada', email: newEmail });
    assert.equal(body.data.user.id, user.id);
    assertAnswer(await cvPost(t, { action: 'UPDATE_EMAIL', currentEmail, newEmail: uniqueEmail() }), 400, invalidRequest(`User ${currentEmail} does not exist`));
    assert.equal((await cvPost(t, { action: 'CREATE_USER', email: currentEmail })).statusCode, 201, 'the old email is free again');
  });

  test('"User {currentEmail} does not exist"', async () => {
    const currentEmail = uniqueEmail('nobody');
    assertAnswer(await cvPost(t, { action: 'UPDATE_EMAIL', currentEmail, newEmail: uniqueEmail() }), 400, invalidRequest(`User ${currentEmail} does not exist`));
  });

  test('a new email that another user has is a 400, and nothing changes', async () => {
    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    await createCvUser(t, first);
    await createCvUser(t, second);
    assertAnswer(await cvPost(t, { action: 'UPDATE_EMAIL', currentEmail: first, newEmail: second }), 400, invalidRequest(`User ${second} already exists`));
    assert.equal((await cvList(t, { emailPrefix: first })).json().data.length, 1);
  });

  test('the same email again (in another case) is accepted and changes nothing', async () => {
    const email = uniqueEmail('same');
    await createCvUser(t, email);
    const response = await cvPost(t, { action: 'UPDATE_EMAIL', currentEmail: email, newEmail: email.toUpperCase() });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().data.user.email, email);
  });

  test("the user's Stripe customer follows the new email", async () => {
    const currentEmail = uniqueEmail('stripe-old');
    const newEmail = uniqueEmail('stripe-new');
    const user = await createCvUser(t, currentEmail);
    const setup = await cvPost(t, paymentInfoRequest(currentEmail, await succeededSetupIntent(t), nmiToken(t)));
    assert.equal(setup.statusCode, 200, setup.body);
    const customerId = (await customerOf(user.id))!;
    assert.equal((await cvPost(t, { action: 'UPDATE_EMAIL', currentEmail, newEmail })).statusCode, 200);
    const customer = await t.stripe.customers.retrieve(customerId);
    assert.ok(!customer.deleted);
    assert.equal(customer.email, newEmail);
    const again = await cvPost(t, paymentInfoRequest(newEmail, await succeededSetupIntent(t), nmiToken(t)));
    assert.equal(again.statusCode, 200, 'payment info now goes by the new email');
    assert.equal(await customerOf(user.id), customerId, 'still the same customer');
  });
});

describe('GET /api/v1/users', () => {
  type Page = { status: number; success: boolean; data: Array<{ id: string; email: string }>; meta: { hasMore: boolean; cursor: string | null } };
  const emailsOf = (page: Page) => page.data.map((u) => u.email);

  /**
   * A fresh organisation holding these users. Returned in list order: creation order, which is
   * id order (ids are time-ordered; two users made in the same millisecond are ordered by id).
   */
  async function organisationWith(emails: string[]): Promise<{ key: string; users: Array<{ id: string; email: string }> }> {
    const key = await secondOrganisationKey(t);
    const users: Array<{ id: string; email: string }> = [];
    for (const email of emails) {
      const response = await cvPost(t, { action: 'CREATE_USER', email }, key);
      assert.equal(response.statusCode, 201, response.body);
      users.push({ id: response.json().data.user.id as string, email });
    }
    return { key, users: users.sort((a, b) => (a.id < b.id ? -1 : 1)) };
  }

  test('pages in creation order with limit and after; meta.cursor continues, meta.hasMore tells when to stop', async () => {
    const { key, users } = await organisationWith(['e1@example.com', 'd2@example.com', 'c3@example.com', 'b4@example.com', 'a5@example.com']);
    const emails = users.map((u) => u.email);
    const ids = users.map((u) => u.id);
    const first: Page = (await cvList(t, { limit: '2' }, key)).json();
    assert.deepEqual([emailsOf(first), first.meta], [emails.slice(0, 2), { hasMore: true, cursor: ids[1] }]);
    const second: Page = (await cvList(t, { limit: '2', after: first.meta.cursor! }, key)).json();
    assert.deepEqual([emailsOf(second), second.meta], [emails.slice(2, 4), { hasMore: true, cursor: ids[3] }]);
    const last: Page = (await cvList(t, { limit: '2', after: second.meta.cursor! }, key)).json();
    assert.deepEqual([emailsOf(last), last.meta], [emails.slice(4), { hasMore: false, cursor: ids[4] }]);
    const beyond = await cvList(t, { limit: '2', after: last.meta.cursor! }, key);
    assertAnswer(beyond, 200, { status: 200, success: true, data: [], meta: { hasMore: false, cursor: ids[4] } });
    const all: Page = (await cvList(t, {}, key)).json();
    assert.deepEqual([emailsOf(all), all.meta], [emails, { hasMore: false, cursor: ids[4] }]);
  });

  test("a cursor that is not a user of the organisation (another organisation's, or an id never issued) is the documented 400", async () => {
    const { key } = await organisationWith(['own1@example.com']);
    const foreign = await organisationWith(['foreign1@example.com']);
    for (const after of [foreign.users[0]!.id, '01a2359b-0000-7000-8000-000000000000']) {
      assertAnswer(await cvList(t, { after }, key), 400, invalidRequest('after must be a cursor taken from meta.cursor'));
    }
  });

  test('a page exactly as long as the rest says there is no more', async () => {
    const { key } = await organisationWith(['x1@example.com', 'x2@example.com']);
    assert.deepEqual((await cvList(t, { limit: '2' }, key)).json().meta.hasMore, false);
  });

  test('an organisation without users: an empty page', async () => {
    const key = await secondOrganisationKey(t);
    assertAnswer(await cvList(t, {}, key), 200, { status: 200, success: true, data: [], meta: { hasMore: false, cursor: null } });
  });

  test('emailPrefix keeps the users whose email starts with it, case-insensitively, and pages too', async () => {
    const { key, users } = await organisationWith(['alice.a@example.com', 'bob@example.com', 'alice.b@example.com', 'alice.c@example.com', 'malice@example.com']);
    const alices = users.filter((u) => u.email.startsWith('alice'));
    assert.deepEqual(emailsOf((await cvList(t, { emailPrefix: 'ALICE' }, key)).json()), alices.map((u) => u.email));
    const firstAlice: Page = (await cvList(t, { emailPrefix: 'alice', limit: '1' }, key)).json();
    assert.deepEqual([emailsOf(firstAlice), firstAlice.meta], [[alices[0]!.email], { hasMore: true, cursor: alices[0]!.id }]);
    const nextAlice: Page = (await cvList(t, { emailPrefix: 'alice', limit: '1', after: alices[0]!.id }, key)).json();
    assert.deepEqual(emailsOf(nextAlice), [alices[1]!.email]);
    assert.deepEqual(emailsOf((await cvList(t, { emailPrefix: 'bob@example.com' }, key)).json()), ['bob@example.com']);
  });

  test('LIKE wildcards in the prefix are plain characters', async () => {
    const { key } = await organisationWith(['under_score@example.com', 'underXscore@example.com', 'percent@example.com']);
    assert.deepEqual(emailsOf((await cvList(t, { emailPrefix: 'under_' }, key)).json()), ['under_score@example.com']);
    assert.deepEqual(emailsOf((await cvList(t, { emailPrefix: '%' }, key)).json()), []);
    assert.deepEqual(emailsOf((await cvList(t, { emailPrefix: '\\' }, key)).json()), []);
  });

  test('a user shows its profile, shipping address and the default card (brand, last four, expiry), never a token', async () => {
    const key = await secondOrganisationKey(t);
    const email = uniqueEmail('listed');
    const created = await cvPost(t, { action: 'CREATE_USER', email, firstName: 'Grace', lastName: 'Hopper' }, key);
    assert.equal(created.statusCode, 201, created.body);
    const setupId = await succeededSetupIntent(t);
    const token = nmiToken(t);
    assert.equal((await cvPost(t, paymentInfoRequest(email, setupId, token), key)).statusCode, 200);
    const method = await t.stripe.paymentMethods.retrieve(String((await t.stripe.setupIntents.retrieve(setupId)).payment_method));
    const card = { brand: 'visa', last4: '4242', expMonth: method.card!.exp_month, expYear: method.card!.exp_year };

    const response = await cvList(t, {}, key);
    assert.equal(response.statusCode, 200);
    const page: Page & { data: Array<Record<string, unknown>> } = response.json();
    assert.equal(page.data.length, 1);
    assertUser(page.data[0]!, { ...NO_PROFILE, email, firstName: 'Grace', lastName: 'Hopper', shippingAddress: WHITE_HOUSE, defaultPaymentMethod: card });
    assert.equal(page.data[0]!.id, created.json().data.user.id);
    assert.ok(!response.body.includes(token));
  });
});
