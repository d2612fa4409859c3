import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { paymentProfiles } from '../../src/db/schema.js';
import { uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { assertAnswer, createCvUser, cvList, cvPost, invalidRequest, nmiToken, paymentInfoRequest, succeededSetupIntent, WHITE_HOUSE } from './helpers.js';

const t = useTestApp();

type Body = Record<string, unknown>;
type Variant = [description: string, change: (body: Body) => void, error: string];

const ADDRESS = 'data.shippingAddress';
const ADDRESS_FIELDS = ['addressLine1', 'addressLine2', 'city', 'state', 'country', 'postalCode'] as const;

function dataOf(body: Body): Body {
  return body.data as Body;
}
function addressOf(body: Body): Body {
  return dataOf(body).shippingAddress as Body;
}
const setAddress = (field: string, value: unknown) => (body: Body) => {
  addressOf(body)[field] = value;
};

const paymentInfoVariants: Variant[] = [
  ['email missing', (b) => delete b.email, 'email is required'],
  ['email not a string', (b) => (b.email = 42), 'email must be a string'],
  ['email not an email', (b) => (b.email = 'john.example.com'), 'email must be an email address'],
  ['email empty', (b) => (b.email = ''), 'email must be an email address'],
  ['data missing', (b) => delete b.data, 'data is required'],
  ['data a string', (b) => (b.data = 'seti_123'), 'data must be an object'],
  ['data null', (b) => (b.data = null), 'data must be an object'],
  ['data an array', (b) => (b.data = []), 'data must be an object'],
  ['stripeSetupId missing', (b) => delete dataOf(b).stripeSetupId, 'data.stripeSetupId is required'],
  ['stripeSetupId a number', (b) => (dataOf(b).stripeSetupId = 123), 'data.stripeSetupId must be a string'],
  ['stripeSetupId empty', (b) => (dataOf(b).stripeSetupId = ''), 'data.stripeSetupId must be a Stripe SetupIntent id (seti_…)'],
  ['stripeSetupId a PaymentIntent', (b) => (dataOf(b).stripeSetupId = 'pi_123'), 'data.stripeSetupId must be a Stripe SetupIntent id (seti_…)'],
  ['stripeSetupId with a path', (b) => (dataOf(b).stripeSetupId = 'seti_1/../../customers'), 'data.stripeSetupId must be a Stripe SetupIntent id (seti_…)'],
  ['nmiPaymentToken missing', (b) => delete dataOf(b).nmiPaymentToken, 'data.nmiPaymentToken is required'],
  ['nmiPaymentToken a number', (b) => (dataOf(b).nmiPaymentToken = 1234), 'data.nmiPaymentToken must be a string'],
  ['nmiPaymentToken empty', (b) => (dataOf(b).nmiPaymentToken = ''), 'data.nmiPaymentToken must be an NMI payment token (1 to 512 printable characters, no spaces)'],
  ['nmiPaymentToken with a space', (b) => (dataOf(b).nmiPaymentToken = 'tok en'), 'data.nmiPaymentToken must be an NMI payment token (1 to 512 printable characters, no spaces)'],
  ['nmiPaymentToken too long', (b) => (dataOf(b).nmiPaymentToken = 'x'.repeat(513)), 'data.nmiPaymentToken must be an NMI payment token (1 to 512 printable characters, no spaces)'],
  ['shippingAddress missing', (b) => delete dataOf(b).shippingAddress, `${ADDRESS} is required`],
  ['shippingAddress a string', (b) => (dataOf(b).shippingAddress = '1600 Pennsylvania Avenue NW'), `${ADDRESS} must be an object`],
  ...ADDRESS_FIELDS.map((field): Variant => [`${field} missing`, (b) => delete addressOf(b)[field], `${ADDRESS}.${field} is required`]),
  ...ADDRESS_FIELDS.map((field): Variant => [`${field} not a string`, setAddress(field, 7), `${ADDRESS}.${field} must be a string`]),
  ...(['addressLine1', 'city', 'state', 'country', 'postalCode'] as const).map((field): Variant => [`${field} empty`, setAddress(field, ''), `${ADDRESS}.${field} must not be empty`]),
  ['addressLine1 blank', setAddress('addressLine1', '   '), `${ADDRESS}.addressLine1 must not be empty`],
  ['addressLine1 too long', setAddress('addressLine1', 'x'.repeat(201)), `${ADDRESS}.addressLine1 must be at most 200 characters`],
  ['addressLine1 with a right-to-left override', setAddress('addressLine1', '1 Main\u202egnp.exe'), `${ADDRESS}.addressLine1 must not contain control, line-separator, bidirectional-override or invisible characters`],
  ['addressLine2 with terminal escapes', setAddress('addressLine2', '\u0007\u001b[31m'), `${ADDRESS}.addressLine2 must not contain control, line-separator, bidirectional-override or invisible characters`],
  ['city with an isolate', setAddress('city', 'W\u2066'), `${ADDRESS}.city must not contain control, line-separator, bidirectional-override or invisible characters`],
  ['addressLine2 of a Hangul filler only', setAddress('addressLine2', '\u3164'), `${ADDRESS}.addressLine2 must not contain control, line-separator, bidirectional-override or invisible characters`],
  ['addressLine1 with a tag character', setAddress('addressLine1', '1 Main\u{E0041} St'), `${ADDRESS}.addressLine1 must not contain control, line-separator, bidirectional-override or invisible characters`],
  ['state not a US state', setAddress('state', 'XX'), `${ADDRESS}.state must be a US state code`],
  ['state spelt out', setAddress('state', 'Washington'), `${ADDRESS}.state must be a US state code`],
  ['country of three letters', setAddress('country', 'USA'), `${ADDRESS}.country must be a two-letter ISO 3166-1 country code (e.g. US)`],
  ['country spelt out', setAddress('country', 'United States'), `${ADDRESS}.country must be a two-letter ISO 3166-1 country code (e.g. US)`],
  ['US ZIP too short', setAddress('postalCode', '2050'), `${ADDRESS}.postalCode must be a US ZIP code (12345 or 12345-6789)`],
  ['US ZIP of letters', setAddress('postalCode', 'ABCDE'), `${ADDRESS}.postalCode must be a US ZIP code (12345 or 12345-6789)`],
  ['US ZIP+4 malformed', setAddress('postalCode', '20500-12'), `${ADDRESS}.postalCode must be a US ZIP code (12345 or 12345-6789)`],
  ['a foreign postal code with symbols', (b) => Object.assign(addressOf(b), { country: 'GB', state: 'London', postalCode: 'SW1A#1AA' }), `${ADDRESS}.postalCode must be a postal code (letters, digits, spaces, hyphens)`],
  ['an unknown field at the top', (b) => (b.userId = 'u1'), 'userId is not an accepted field'],
  ['an unknown field in data', (b) => (dataOf(b).stripeCustomerId = 'cus_1'), 'data.stripeCustomerId is not an accepted field'],
  ['an unknown field in the address', setAddress('addressLine3', 'x'), `${ADDRESS}.addressLine3 is not an accepted field`],
  ['two fields missing', (b) => { delete addressOf(b).city; delete addressOf(b).state; }, `${ADDRESS}.city is required; ${ADDRESS}.state is required`],
  ['two address rules broken', (b) => Object.assign(addressOf(b), { state: 'ZZ', postalCode: '1' }), `${ADDRESS}.state must be a US state code; ${ADDRESS}.postalCode must be a US ZIP code (12345 or 12345-6789)`],
];

describe('UPDATE_PAYMENT_INFO: every malformed variant is a 400 naming the field, and stores nothing', () => {
  let email: string;
  let userId: string;
  let setupId: string;
  let token: string;
  before(async () => {
    email = uniqueEmail('malformed');
    userId = (await createCvUser(t, email)).id;
    setupId = await succeededSetupIntent(t);
    token = nmiToken(t);
  });

  for (const [description, change, error] of paymentInfoVariants) {
    test(description, async () => {
      const body = structuredClone(paymentInfoRequest(email, setupId, token)) as Body;
      change(body);
      const response = await cvPost(t, body);
      assertAnswer(response, 400, invalidRequest(error));
      assert.ok(!response.body.includes(token));
    });
  }

  test('after all of them, nothing was stored for the user', async () => {
    const [row] = await t.database.db.select().from(paymentProfiles).where(eq(paymentProfiles.userId, userId));
    assert.equal(row, undefined);
  });
});

describe('UPDATE_PAYMENT_INFO: addresses the rules accept', () => {
  const accepted: Array<[string, Record<string, string>]> = [
    ['the seed address with an empty second line', WHITE_HOUSE],
    ['a ZIP+4 and a second line', { ...WHITE_HOUSE, addressLine2: 'West Wing', postalCode: '20500-0003' }],
    ['a territory', { addressLine1: '1 Calle Fortaleza', addressLine2: '', city: 'San Juan', state: 'PR', country: 'US', postalCode: '00901' }],
    ['a Canadian address (its province is not checked against US states)', { addressLine1: '111 Wellington St', addressLine2: '', city: 'Ottawa', state: 'ON', country: 'CA', postalCode: 'K1A 0A9' }],
  ];
  for (const [description, address] of accepted) {
    test(description, async () => {
      const email = uniqueEmail('address');
      await createCvUser(t, email);
      const response = await cvPost(t, paymentInfoRequest(email, await succeededSetupIntent(t), nmiToken(t), address));
      assertAnswer(response, 200, { status: 200, success: true, data: { code: 'PAYMENT_SETUP_UPDATED' } });
    });
  }
});

const createUserVariants: Array<[string, Body, string]> = [
  ['email missing', { firstName: 'John' }, 'email is required'],
  ['email not an email', { email: 'john' }, 'email must be an email address'],
  ['email too long', { email: `${'j'.repeat(250)}@example.com` }, 'email must be at most 254 characters'],
  ['firstName empty', { email: uniqueEmail(), firstName: '' }, 'firstName must not be empty'],
  ['firstName too long', { email: uniqueEmail(), firstName: 'J'.repeat(101) }, 'firstName must be at most 100 characters'],
  ['lastName not a string', { email: uniqueEmail(), lastName: ['Doe'] }, 'lastName must be a string'],
  ['phone of letters', { email: uniqueEmail(), phone: 'call me' }, 'phone must be a phone number (digits, spaces and + ( ) . -)'],
  ['dob not a date', { email: uniqueEmail(), dob: '01/02/1990' }, 'dob must be a date of birth (YYYY-MM-DD, from 1900 to today)'],
  ['dob an impossible date', { email: uniqueEmail(), dob: '1990-13-01' }, 'dob must be a date of birth (YYYY-MM-DD, from 1900 to today)'],
  ['dob the 30th of February', { email: uniqueEmail(), dob: '1990-02-30' }, 'dob must be a date of birth (YYYY-MM-DD, from 1900 to today)'],
  ['dob in year 0', { email: uniqueEmail(), dob: '0000-01-01' }, 'dob must be a date of birth (YYYY-MM-DD, from 1900 to today)'],
  ['dob in the future', { email: uniqueEmail(), dob: '3000-01-01' }, 'dob must be a date of birth (YYYY-MM-DD, from 1900 to today)'],
  ['gender a number', { email: uniqueEmail(), gender: 1 }, 'gender must be a string'],
  ['a password (not a field of this API)', { email: uniqueEmail(), password: 'secret-pass' }, 'password is not an accepted field'],
  ['several faults at once', { firstName: 42, dob: 'yesterday' }, 'email is required; firstName must be a string; dob must be a date of birth (YYYY-MM-DD, from 1900 to today)'],
];

describe('CREATE_USER: malformed variants', () => {
  for (const [description, fields, error] of createUserVariants) {
    test(description, async () => {
      assertAnswer(await cvPost(t, { action: 'CREATE_USER', ...fields }), 400, invalidRequest(error));
    });
  }
});

const updateEmailVariants: Array<[string, Body, string]> = [
  ['nothing but the action', {}, 'currentEmail is required; newEmail is required'],
  ['newEmail missing', { currentEmail: 'a@example.com' }, 'newEmail is required'],
  ['newEmail not an email', { currentEmail: 'a@example.com', newEmail: 'b at example.com' }, 'newEmail must be an email address'],
  ['currentEmail null', { currentEmail: null, newEmail: 'b@example.com' }, 'currentEmail must be a string'],
  ['email instead of currentEmail', { email: 'a@example.com', newEmail: 'b@example.com' }, 'currentEmail is required; email is not an accepted field'],
];

describe('UPDATE_EMAIL: malformed variants', () => {
  for (const [description, fields, error] of updateEmailVariants) {
    test(description, async () => {
      assertAnswer(await cvPost(t, { action: 'UPDATE_EMAIL', ...fields }), 400, invalidRequest(error));
    });
  }
});

const listVariants: Array<[string, Record<string, string>, string]> = [
  ['limit zero', { limit: '0' }, 'limit must be at least 1'],
  ['limit too big', { limit: '101' }, 'limit must be at most 100'],
  ['limit not a number', { limit: 'ten' }, 'limit must be an integer'],
  ['limit a fraction', { limit: '2.5' }, 'limit must be an integer'],
  ['limit in hexadecimal', { limit: '0x10' }, 'limit must be an integer'],
  ['after not a cursor', { after: "1' or '1'='1" }, 'after must be a cursor taken from meta.cursor'],
  ['emailPrefix empty', { emailPrefix: '' }, 'emailPrefix must not be empty'],
  ['an unknown parameter', { page: '2' }, 'page is not an accepted field'],
];

describe('GET /api/v1/users: malformed queries', () => {
  for (const [description, query, error] of listVariants) {
    test(description, async () => {
      assertAnswer(await cvList(t, query), 400, invalidRequest(error));
    });
  }
});
