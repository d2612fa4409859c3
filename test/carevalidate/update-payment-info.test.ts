import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eq, sql, type SQL } from 'drizzle-orm';
import { paymentProfiles } from '../../src/db/schema.js';
import { clearFaults, injectFault } from '../helpers/emulator.js';
import { secondOrganisationKey, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { assertAnswer, createCvUser, cvList, cvPost, invalidRequest, nmiToken, paymentInfoRequest, succeededSetupIntent, WHITE_HOUSE } from './helpers.js';

let secondKey: string;
const t = useTestApp({}, async () => {
  secondKey = await secondOrganisationKey(t);
});

const UPDATED = { status: 200, success: true, data: { code: 'PAYMENT_SETUP_UPDATED' } };
const PROVIDER_DOWN = {
  status: 503,
  success: false,
  message: 'Service unavailable',
  error: 'The payment provider is unavailable or did not answer in time; the update was not applied. Retry the same request shortly.',
};
const EMPIRE_STATE = { addressLine1: '350 Fifth Avenue', addressLine2: 'Floor 86', city: 'New York', state: 'NY', country: 'US', postalCode: '10118' };

async function profileOf(userId: string) {
  const [row] = await t.database.db.select().from(paymentProfiles).where(eq(paymentProfiles.userId, userId));
  return row;
}

/** What the user's stored profile says, with the NMI token opened: the whole of what an update writes. */
async function storedSetup(userId: string) {
  const row = await profileOf(userId);
  const sealed = row?.processorTokens.nmi;
  return {
    paymentMethod: row?.defaultPaymentMethodId ?? null,
    shippingAddress: row?.shippingAddress ?? null,
    nmiToken: sealed ? t.ctx.services.secretBox.open(sealed) : null,
  };
}

const NOTHING_STORED = { paymentMethod: null, shippingAddress: null, nmiToken: null };

async function paymentMethodOf(setupIntentId: string): Promise<string> {
  return String((await t.stripe.setupIntents.retrieve(setupIntentId)).payment_method);
}

describe('UPDATE_PAYMENT_INFO: seed 004', () => {
  test("the seed's example request, verbatim with a real SetupIntent, answers the documented 200", async () => {
    const user = await createCvUser(t, 'john@example.com');
    const setupId = await succeededSetupIntent(t);
    const token = nmiToken(t);
    const response = await cvPost(t, {
      action: 'UPDATE_PAYMENT_INFO',
      email: 'john@example.com',
      data: {
        stripeSetupId: setupId,
        nmiPaymentToken: token,
        shippingAddress: {
          addressLine1: '1600 Pennsylvania Avenue NW',
          addressLine2: '',
          city: 'Washington',
          state: 'DC',
          country: 'US',
          postalCode: '20500',
        },
      },
    });
    assertAnswer(response, 200, { status: 200, success: true, data: { code: 'PAYMENT_SETUP_UPDATED' } });

    const method = await paymentMethodOf(setupId);
    assert.deepEqual(await storedSetup(user.id), { paymentMethod: method, shippingAddress: WHITE_HOUSE, nmiToken: token });
    const customerId = (await profileOf(user.id))!.stripeCustomerId!;
    const customer = await t.stripe.customers.retrieve(customerId);
    assert.ok(!customer.deleted);
    assert.equal(customer.invoice_settings.default_payment_method, method, "the method is the customer's default");
    assert.equal(customer.email, 'john@example.com');
    assert.equal((await t.stripe.paymentMethods.retrieve(method)).customer, customerId, 'the method is attached');
  });

  test("the user's updatedAt moves when its payment details change", async () => {
    const email = uniqueEmail('moved');
    await createCvUser(t, email);
    const updatedAt = async () => (await cvList(t, { emailPrefix: email })).json().data[0].updatedAt as string;
    const before = await updatedAt();
    assertAnswer(await cvPost(t, paymentInfoRequest(email, await succeededSetupIntent(t), nmiToken(t), EMPIRE_STATE)), 200, UPDATED);
    assert.ok(Date.parse(await updatedAt()) > Date.parse(before), 'later than before the update');
  });

  test('documented 400: "User {email} does not exist" (the seed\'s request in an organisation without John)', async () => {
    const setupId = await succeededSetupIntent(t);
    const response = await cvPost(t, paymentInfoRequest('john@example.com', setupId, nmiToken(t)), secondKey);
    assertAnswer(response, 400, { status: 400, success: false, message: 'Invalid request', error: 'User john@example.com does not exist' });
  });

  test('documented 400: "No such setupintent: \'seti_1SNZDLKAXrtjbq2duGldHsHf\'", and nothing stored', async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const response = await cvPost(t, paymentInfoRequest(user.email, 'seti_1SNZDLKAXrtjbq2duGldHsHf', nmiToken(t)));
    assertAnswer(response, 400, {
      status: 400,
      success: false,
      message: 'Invalid request',
      error: "No such setupintent: 'seti_1SNZDLKAXrtjbq2duGldHsHf'",
    });
    assert.deepEqual(await storedSetup(user.id), NOTHING_STORED);
  });

  test('a SetupIntent still requiring a payment method is refused, and nothing stored', async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const intent = await t.stripe.setupIntents.create({});
    assert.equal(intent.status, 'requires_payment_method');
    const response = await cvPost(t, paymentInfoRequest(user.email, intent.id, nmiToken(t)));
    assertAnswer(response, 400, invalidRequest(`Setup intent ${intent.id} has not succeeded (status: requires_payment_method)`));
    assert.deepEqual(await storedSetup(user.id), NOTHING_STORED);
  });

  test("a SetupIntent whose method belongs to another customer is refused; the method stays that customer's", async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const stranger = await t.stripe.customers.create({ email: uniqueEmail('stranger') });
    const setupId = await succeededSetupIntent(t, { customer: stranger.id });
    const response = await cvPost(t, paymentInfoRequest(user.email, setupId, nmiToken(t)));
    assertAnswer(response, 400, invalidRequest("The setup intent's payment method belongs to another customer"));
    assert.deepEqual(await storedSetup(user.id), NOTHING_STORED);
    assert.equal((await t.stripe.paymentMethods.retrieve(await paymentMethodOf(setupId))).customer, stranger.id);
  });

  test("a method already attached to the user's own customer is accepted and becomes the default", async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    assertAnswer(await cvPost(t, paymentInfoRequest(user.email, await succeededSetupIntent(t), nmiToken(t))), 200, UPDATED);
    const customerId = (await profileOf(user.id))!.stripeCustomerId!;
    const ownSetup = await succeededSetupIntent(t, { customer: customerId, paymentMethod: 'pm_card_mastercard' });
    const token = nmiToken(t);
    assertAnswer(await cvPost(t, paymentInfoRequest(user.email, ownSetup, token, EMPIRE_STATE)), 200, UPDATED);
    const method = await paymentMethodOf(ownSetup);
    assert.deepEqual(await storedSetup(user.id), { paymentMethod: method, shippingAddress: EMPIRE_STATE, nmiToken: token });
    assert.equal((await profileOf(user.id))!.defaultPaymentMethodCard?.brand, 'mastercard');
    const customer = await t.stripe.customers.retrieve(customerId);
    assert.ok(!customer.deleted);
    assert.equal(customer.invoice_settings.default_payment_method, method);
  });

  test('the email is matched case-insensitively and the state code is stored upper-cased', async () => {
    const email = uniqueEmail('cv');
    const user = await createCvUser(t, email);
    const token = nmiToken(t);
    const request = paymentInfoRequest(` ${email.toUpperCase()} `, await succeededSetupIntent(t), token, { ...WHITE_HOUSE, state: 'dc', country: 'us' });
    assertAnswer(await cvPost(t, request), 200, UPDATED);
    assert.deepEqual((await storedSetup(user.id)).shippingAddress, WHITE_HOUSE);
  });
});

describe('UPDATE_PAYMENT_INFO: repeats are harmless', () => {
  test('the same call twice answers 200 twice and changes nothing the second time; one Stripe customer', async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const request = paymentInfoRequest(user.email, await succeededSetupIntent(t), nmiToken(t));
    assertAnswer(await cvPost(t, request), 200, UPDATED);
    const first = await storedSetup(user.id);
    const customerId = (await profileOf(user.id))!.stripeCustomerId;
    assertAnswer(await cvPost(t, request), 200, UPDATED);
    assert.deepEqual(await storedSetup(user.id), first);
    assert.equal((await profileOf(user.id))!.stripeCustomerId, customerId);
    assert.equal((await t.stripe.customers.list({ email: user.email })).data.length, 1);
  });

  test('the same call sent twice at once: both succeed, one Stripe customer', async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const token = nmiToken(t);
    const setupId = await succeededSetupIntent(t);
    const request = paymentInfoRequest(user.email, setupId, token);
    const [first, second] = await Promise.all([cvPost(t, request), cvPost(t, request)]);
    assertAnswer(first, 200, UPDATED);
    assertAnswer(second, 200, UPDATED);
    assert.deepEqual(await storedSetup(user.id), { paymentMethod: await paymentMethodOf(setupId), shippingAddress: WHITE_HOUSE, nmiToken: token });
    assert.equal((await t.stripe.customers.list({ email: user.email })).data.length, 1);
  });
});

describe('UPDATE_PAYMENT_INFO: Stripe outages leave nothing half-applied', () => {
  test('Stripe failing to answer for the SetupIntent: a 503 that says to retry, nothing stored; the retry works', async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const request = paymentInfoRequest(user.email, await succeededSetupIntent(t), nmiToken(t));
    await injectFault(t.stripeUrl, { path: '/v1/setup_intents', kind: 'http500', count: 10 });
    try {
      assertAnswer(await cvPost(t, request), 503, PROVIDER_DOWN);
    } finally {
      await clearFaults(t.stripeUrl);
    }
    assert.deepEqual(await storedSetup(user.id), NOTHING_STORED);
    assertAnswer(await cvPost(t, request), 200, UPDATED);
  });

  test('Stripe dropping connections half-way (after the SetupIntent was read): the previous setup stays whole', async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const firstToken = nmiToken(t);
    assertAnswer(await cvPost(t, paymentInfoRequest(user.email, await succeededSetupIntent(t), firstToken)), 200, UPDATED);
    const before = await storedSetup(user.id);

    const secondToken = nmiToken(t);
    const second = paymentInfoRequest(user.email, await succeededSetupIntent(t, { paymentMethod: 'pm_card_mastercard' }), secondToken, EMPIRE_STATE);
    await injectFault(t.stripeUrl, { path: '/v1/payment_methods', kind: 'drop', count: 10 });
    try {
      assertAnswer(await cvPost(t, second), 503, PROVIDER_DOWN);
    } finally {
      await clearFaults(t.stripeUrl);
    }
    assert.deepEqual(await storedSetup(user.id), before, 'neither the method, nor the address, nor the token changed');

    assertAnswer(await cvPost(t, second), 200, UPDATED);
    assert.deepEqual(await storedSetup(user.id), { paymentMethod: await paymentMethodOf(second.data.stripeSetupId), shippingAddress: EMPIRE_STATE, nmiToken: secondToken });
  });
});

describe('UPDATE_PAYMENT_INFO: the NMI token', () => {
  test('is stored encrypted: no table of the database holds it in clear', async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const token = nmiToken(t);
    assertAnswer(await cvPost(t, paymentInfoRequest(user.email, await succeededSetupIntent(t), token)), 200, UPDATED);

    const sealed = (await profileOf(user.id))!.processorTokens.nmi!;
    assert.match(sealed, /^v1:[A-Za-z0-9+/]+=*$/, 'an AES-256-GCM envelope');
    assert.equal(t.ctx.services.secretBox.open(sealed), token);

    // PGlite and node-postgres both answer raw queries as {rows}; drizzle's shared type does not say so.
    const rowsOf = async <T>(query: SQL) => ((await t.database.db.execute(query)) as unknown as { rows: T[] }).rows;
    const tables = await rowsOf<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    assert.ok(tables.length >= 5);
    for (const { table_name: table } of tables) {
      const [found] = await rowsOf<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} t where t::text like ${`%${token}%`}`);
      assert.equal(found?.n, 0, `the token is in clear in ${table}`);
    }
  });

  test('is never in an answer: not in the update, not in the user list', async () => {
    const email = uniqueEmail('cv');
    await createCvUser(t, email);
    const token = nmiToken(t);
    const update = await cvPost(t, paymentInfoRequest(email, await succeededSetupIntent(t), token));
    assert.ok(!update.body.includes(token));
    const list = await t.inject({ method: 'GET', url: '/api/v1/users', headers: { 'cv-api-key': t.apiKey }, query: { emailPrefix: email } });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().data.length, 1);
    assert.ok(!list.body.includes(token));
    assert.ok(!list.body.includes('v1:'), 'not even sealed');
  });
});

describe('UPDATE_PAYMENT_INFO across organisations', () => {
  test("another organisation's key cannot update this organisation's user, which stays unchanged", async () => {
    const user = await createCvUser(t, uniqueEmail('cv'));
    const setupId = await succeededSetupIntent(t);
    const response = await cvPost(t, paymentInfoRequest(user.email, setupId, nmiToken(t)), secondKey);
    assertAnswer(response, 400, invalidRequest(`User ${user.email} does not exist`));
    assert.deepEqual(await storedSetup(user.id), NOTHING_STORED);
  });
});
