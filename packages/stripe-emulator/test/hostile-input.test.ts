import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { RunningStripeEmulator } from '../src/index.js';
import { control, rawApi, sdk, startEmulator } from './helpers.js';

const ERROR_TYPES = new Set(['api_error', 'card_error', 'idempotency_error', 'invalid_request_error']);
const PATHS = [
  '/v1/customers', '/v1/customers/cus_x', '/v1/tokens', '/v1/payment_methods', '/v1/payment_methods/pm_card_visa/attach',
  '/v1/setup_intents', '/v1/payment_intents', '/v1/payment_intents/pi_x/confirm', '/v1/refunds', '/v1/webhook_endpoints', '/v1/nope',
];
const TOKENS = ['amount', 'currency', 'card', 'number', 'metadata', 'expand', '__proto__', 'constructor', 'prototype', 'customer',
  'confirm', 'payment_method', 'pm_card_visa', 'tok_visa', 'usd', '4242424242424242', 'true', '[', ']', '[]', '[0]', '=', '&', '%', '%5B', '%ZZ', '+', '.', '💳', ''];

async function expectStripeShape(res: Response): Promise<void> {
  assert.ok(res.status < 500, `status ${res.status}`);
  const body = (await res.json()) as { error?: { type?: string; message?: string }; object?: string };
  if (res.status >= 400) {
    assert.ok(body.error && ERROR_TYPES.has(body.error.type ?? ''), JSON.stringify(body));
    assert.equal(typeof body.error.message, 'string');
  } else {
    assert.equal(typeof body.object, 'string');
  }
}

describe('stripe emulator: hostile input', () => {
  let emu: RunningStripeEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  test('random form bodies never cause a 5xx and always get Stripe\'s shapes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...PATHS), fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 12 })), { maxLength: 40 }),
      async (path, parts) => {
        await expectStripeShape(await rawApi(emu, 'POST', path, parts.join('')));
        await expectStripeShape(await rawApi(emu, 'GET', `${path}?${parts.join('')}`));
      },
    ), { numRuns: 150 });
  });

  test('prototype keys cannot pollute and are plain data', async () => {
    const res = await rawApi(emu, 'POST', '/v1/customers', '__proto__[polluted]=1&metadata[__proto__][x]=1&metadata[constructor]=c&constructor[prototype][p]=1');
    assert.ok(res.status < 500);
    const ok = await rawApi(emu, 'POST', '/v1/customers', 'metadata[constructor]=c&metadata[toString]=t');
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { metadata: Record<string, string> };
    assert.equal(body.metadata.constructor, 'c');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).p, undefined);
  });

  test('a client secret or card token sent where an id belongs is withheld from the request log', async () => {
    const lines: string[] = [];
    const logged = await startEmulator({ log: (level, msg, data) => lines.push(JSON.stringify({ level, msg, ...data })) });
    try {
      await rawApi(logged, 'GET', '/v1/setup_intents/seti_abc_secret_HiddenPart123');
      await rawApi(logged, 'GET', '/v1/tokens/tok_HiddenToken456');
      const text = lines.join('\n');
      assert.ok(text.includes('_secret_[withheld]') && text.includes('tok_[withheld]'), text);
      assert.ok(!text.includes('HiddenPart123') && !text.includes('HiddenToken456'));
    } finally {
      await logged.close();
    }
  });

  test('a __proto__ key is an unknown parameter named as sent, never dropped in silence', async () => {
    const cases: Array<[string, string]> = [
      ['email=a%40b.co&__proto__[polluted]=1', '__proto__'],
      ['%5F%5Fproto%5F%5F=1', '__proto__'],
      ['__%70roto__[x]=1', '__proto__'],
      ['metadata[__%70roto__]=1', 'metadata[__proto__]'],
      ['metadata[__proto__][x]=1', 'metadata[__proto__]'],
    ];
    for (const [body, param] of cases) {
      const res = await rawApi(emu, 'POST', '/v1/customers', body);
      assert.equal(res.status, 400, body);
      const { error } = (await res.json()) as { error: { code: string; param: string; message: string } };
      assert.deepEqual([error.code, error.param, error.message], ['parameter_unknown', param, `Received unknown parameter: ${param}`]);
    }
    const query = await rawApi(emu, 'GET', '/v1/customers?limit=1&__%70roto__[x]=1');
    assert.equal(query.status, 400, 'in a query string too');
    const postQuery = await rawApi(emu, 'POST', '/v1/customers?metadata[__proto__]=x', 'email=a%40b.co');
    assert.equal(postQuery.status, 400, "and in a POST's query string, whose parameters count as Rack merges them");
    const merged = await rawApi(emu, 'POST', '/v1/customers?name=viaquery&email=query%40b.co', 'email=body%40b.co');
    const customer = (await merged.json()) as { name: string; email: string };
    assert.deepEqual([customer.name, customer.email], ['viaquery', 'body@b.co'], "the body's parameters win");
    const plain = await rawApi(emu, 'POST', '/v1/customers', 'metadata[x__proto__]=1&description=__proto__');
    assert.equal(plain.status, 200, 'a key or value that only contains the word is plain data');
  });

  test('deep nesting, huge bodies, huge values and broken encodings are 400s', async () => {
    const deep = await rawApi(emu, 'POST', '/v1/customers', `metadata${'[a]'.repeat(50)}=1`);
    await expectStripeShape(deep.clone());
    const message = ((await deep.json()) as { error: { message: string } }).error.message;
    assert.match(message, /nested at most 5 levels/, 'said in the API\'s words');
    assert.doesNotMatch(message, /strictDepth|depth option/, "not in the parser's");
    await expectStripeShape(await rawApi(emu, 'POST', '/v1/customers', `email=${'x'.repeat(100_000)}`));
    await expectStripeShape(await rawApi(emu, 'POST', '/v1/customers', 'expand[500]=x'));
    await expectStripeShape(await rawApi(emu, 'POST', '/v1/customers', '%E0%A4%A=1&%%%=2'));
    const huge = await rawApi(emu, 'POST', '/v1/customers', `description=${'y'.repeat(2 * 1024 * 1024)}`);
    assert.equal(huge.status, 400);
    await expectStripeShape(huge);
    await expectStripeShape(await rawApi(emu, 'POST', '/v1/payment_intents', 'amount=99999999999999999999&currency=usd'));
    await expectStripeShape(await rawApi(emu, 'GET', '/v1/customers/%E0%A4%A'));
  });

  test('unknown paths and methods answer unrecognized_request_url; control surface rejects bad JSON', async () => {
    for (const [method, path] of [['GET', '/v1/unknown'], ['DELETE', '/v1/payment_intents'], ['PUT', '/v1/customers'], ['GET', '/nothing']]) {
      const res = await fetch(`${emu.url}${path}`, { method, headers: { Authorization: 'Bearer sk_test_x' } });
      assert.equal(res.status, 404, `${method} ${path}`);
      const body = (await res.json()) as { error: { code: string; type: string } };
      assert.equal(body.error.code, 'unrecognized_request_url');
    }
    for (const body of ['{', '[]', '"x"', 'null']) {
      const res = await fetch(`${emu.url}/_emulator/clock/advance`, { method: 'POST', body });
      assert.equal(res.status, 400, body);
    }
    assert.equal((await control(emu, 'POST', '/_emulator/clock/advance', { seconds: -5 })).status, 400);
    assert.equal((await control(emu, 'GET', '/_emulator/health')).json.status, 'ok');
    const stripe = sdk(emu);
    assert.match((await stripe.customers.create({})).id, /^cus_/);
  });
});
