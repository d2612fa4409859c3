import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Stripe from 'stripe';
import { control, rawApi, rejection, sdk, startEmulator } from './helpers.js';

interface Fixture {
  clockOffset: number;
  store: { objects: Record<string, Array<{ id: string }>> };
  idempotency: Array<{ createdAt: number }>;
}

const CARD_NUMBER = '4000056655665556';
/** The key the snapshot was made with: idempotency keys are scoped per API key. */
const LEGACY_KEY = 'sk_test_legacy';
const TOKEN_FORM = `card[number]=${CARD_NUMBER}&card[cvc]=987&card[exp_month]=12&card[exp_year]=2040`;

/**
 * A `stripe-emulator.json` written by the version before the log (made by running it: a customer
 * with a card, a raw-card token and a PaymentMethod from it, a paid intent, one awaiting 3-D
 * Secure, a webhook endpoint, the clock moved 120 s). Its idempotency records keep the request,
 * card number and CVC included, and the file is 0644. Records are made fresh so none has expired.
 */
async function writeLegacySnapshot(dir: string): Promise<Fixture> {
  const text = await readFile(new URL('./fixtures/legacy-stripe-emulator.json', import.meta.url), 'utf8');
  assert.ok(text.includes(CARD_NUMBER) && text.includes('\\"cvc\\":\\"987\\"'), 'the fixture holds card number and CVC, as the old snapshot did');
  const fixture = JSON.parse(text) as Fixture;
  for (const rec of fixture.idempotency) rec.createdAt = Math.floor(Date.now() / 1000) + fixture.clockOffset;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'stripe-emulator.json'), JSON.stringify(fixture));
  await chmod(join(dir, 'stripe-emulator.json'), 0o644);
  return fixture;
}

const idOf = (f: Fixture, kind: string, i = 0): string => f.store.objects[kind]?.[i]?.id ?? '';

describe('stripe emulator: migrating an earlier version\'s JSON snapshot', () => {
  const dirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'stripe-emulator-legacy-'));
    dirs.push(dir);
    return dir;
  };
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  test('objects, idempotency, challenges and clock move into the log; the snapshot and its card data are gone', async () => {
    const dir = await tempDir();
    const fixture = await writeLegacySnapshot(dir);
    const emu = await startEmulator({ dataDir: dir });
    try {
      assert.equal(existsSync(join(dir, 'stripe-emulator.json')), false, 'the snapshot is deleted once migrated');
      const log = await readFile(join(dir, 'objects.log'), 'utf8');
      assert.ok(log.includes('legacy@example.com'));
      assert.ok(!log.includes(CARD_NUMBER), 'no card number at rest');
      assert.ok(!log.includes('"cvc"') && !log.includes('\\"cvc\\"'), 'no CVC at rest');
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      assert.equal((await stat(join(dir, 'objects.log'))).mode & 0o777, 0o600);

      const stripe = sdk(emu, {}, LEGACY_KEY);
      const customer = (await stripe.customers.retrieve(idOf(fixture, 'customer'), { expand: ['default_source'] })) as Stripe.Customer;
      assert.equal(customer.email, 'legacy@example.com');
      assert.equal((customer.default_source as Stripe.Card).last4, '4242');
      const [challenged, paid] = [idOf(fixture, 'payment_intent', 1), idOf(fixture, 'payment_intent', 0)];
      assert.deepEqual((await stripe.paymentIntents.list({ limit: 5 })).data.map((p) => p.id), [challenged, paid], 'newest first');
      assert.equal((await stripe.paymentIntents.retrieve(paid)).status, 'succeeded');
      assert.deepEqual((await stripe.customers.search({ query: `metadata['user_id']:'u-legacy'` })).data.map((c) => c.id), [customer.id]);

      const replay = await rawApi(emu, 'POST', '/v1/tokens', TOKEN_FORM, { 'Idempotency-Key': 'legacy-token', Authorization: `Bearer ${LEGACY_KEY}` });
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(((await replay.json()) as { id: string }).id, idOf(fixture, 'token'));
      const other = await rawApi(emu, 'POST', '/v1/tokens', TOKEN_FORM.replace('987', '123'), { 'Idempotency-Key': 'legacy-token', Authorization: `Bearer ${LEGACY_KEY}` });
      assert.equal(other.status, 400, 'other parameters under the key are still told apart (by the digest)');
      const again = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd' }, { idempotencyKey: 'legacy-pi' }).catch((e: unknown) => e);
      assert.ok(again instanceof Stripe.errors.StripeIdempotencyError);

      const pm = await stripe.paymentMethods.retrieve(idOf(fixture, 'payment_method', 0));
      const charged = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', customer: customer.id, payment_method: pm.id, confirm: true, allowed_payment_method_types: ['card'] });
      assert.equal(charged.status, 'succeeded', 'the migrated PaymentMethod still behaves as its test card');
      const threeDs = await fetch(`${emu.url}/_emulator/3ds/${challenged}`, { method: 'POST', body: new URLSearchParams({ action: 'complete' }) });
      assert.equal(threeDs.status, 200);
      assert.equal((await stripe.paymentIntents.retrieve(challenged)).status, 'succeeded');
      assert.equal((await control(emu, 'GET', '/_emulator/clock')).json.offsetSeconds, fixture.clockOffset);
    } finally {
      await emu.close();
    }
    const reopened = await startEmulator({ dataDir: dir });
    try {
      const counts = (await control(reopened, 'GET', '/_emulator/health')).json.objects as Record<string, number>;
      assert.equal(counts.customer, 1, 'a second start does not import twice');
      assert.equal(counts.payment_intent, 3);
    } finally {
      await reopened.close();
    }
  });

  test('an embedder\'s DATA_DIR/stripe-emulator.json is migrated into DATA_DIR/stripe-emulator/', async () => {
    const parent = await tempDir();
    const fixture = await writeLegacySnapshot(parent);
    const emu = await startEmulator({ dataDir: join(parent, 'stripe-emulator') });
    try {
      assert.equal(existsSync(join(parent, 'stripe-emulator.json')), false);
      const customer = await sdk(emu).customers.retrieve(idOf(fixture, 'customer'));
      assert.equal(customer.id, idOf(fixture, 'customer'));
      const err = await rejection(sdk(emu).customers.retrieve('cus_missing'));
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    } finally {
      await emu.close();
    }
  });
});
