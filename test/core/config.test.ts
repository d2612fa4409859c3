import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'paybridge-config-'));

describe('configuration', () => {
  test('defaults describe the embedded mode', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.accessTokenTtlSeconds, 3600);
    assert.equal(config.payments.defaultAmount, 2000);
    assert.equal(config.payments.defaultCurrency, 'usd');
  });

  test('embedded mode generates secrets once, keeps them 0600 and reuses them', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    assert.equal(first.jwtSecret, second.jwtSecret);
    assert.ok(first.encryptionKey.equals(second.encryptionKey));
    assert.equal(first.encryptionKey.length, 32);
    const file = join(dir, 'secrets.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, 'utf8').includes(first.jwtSecret));
  });

  test('TRUST_PROXY takes true, a hop count or addresses', () => {
    assert.equal(loadConfig({ DATA_DIR: dataDir() }).trustProxy, false);
    assert.equal(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: '2' }).trustProxy, 2);
    assert.equal(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, '10.0.0.0/8, 127.0.0.1');
  });

  test('with DATABASE_URL the shared secrets are required', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://x/y' }), (e: unknown) => e instanceof ConfigError && e.variable === 'JWT_SECRET');
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'postgres://x/y', JWT_SECRET: 'x'.repeat(40) }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'ENCRYPTION_KEY',
    );
  });

  test('webhooks: 30 s base and 12 attempts by default; private receivers and http allowed only without DATABASE_URL', () => {
    const embedded = loadConfig({ DATA_DIR: dataDir() }).webhooks;
    assert.deepEqual(embedded, { retryBaseSeconds: 30, maxAttempts: 12, allowPrivateUrls: true, requireHttps: false });
    const shared = { DATABASE_URL: 'postgres://x/y', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: 'a'.repeat(64), STRIPE_EMULATOR: 'true' };
    assert.deepEqual(loadConfig(shared).webhooks, { retryBaseSeconds: 30, maxAttempts: 12, allowPrivateUrls: false, requireHttps: true });
    assert.equal(loadConfig({ ...shared, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).webhooks.allowPrivateUrls, true);
    assert.equal(loadConfig({ DATA_DIR: dataDir(), WEBHOOK_RETRY_BASE_SECONDS: '0.25' }).webhooks.retryBaseSeconds, 0.25);
  });

  const invalid: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ ENCRYPTION_KEY: 'abcd' }, 'ENCRYPTION_KEY'],
    [{ BOOTSTRAP_API_KEY: 'too-short' }, 'BOOTSTRAP_API_KEY'],
    [{ STRIPE_SECRET_KEY: 'pk_test_123' }, 'STRIPE_SECRET_KEY'],
    [{ STRIPE_API_BASE: 'ftp://x' }, 'STRIPE_API_BASE'],
    [{ PAYMENT_DEFAULT_CURRENCY: 'dollars' }, 'PAYMENT_DEFAULT_CURRENCY'],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY'],
    [{ WEBHOOK_RETRY_BASE_SECONDS: 'soon' }, 'WEBHOOK_RETRY_BASE_SECONDS'],
    [{ WEBHOOK_RETRY_BASE_SECONDS: '0' }, 'WEBHOOK_RETRY_BASE_SECONDS'],
    [{ WEBHOOK_MAX_ATTEMPTS: '0' }, 'WEBHOOK_MAX_ATTEMPTS'],
    [{ WEBHOOK_ALLOW_PRIVATE_URLS: 'yes' }, 'WEBHOOK_ALLOW_PRIVATE_URLS'],
  ];
  for (const [env, variable] of invalid) {
    test(`a bad ${variable} is refused with a message naming it`, () => {
      assert.throws(
        () => loadConfig({ DATA_DIR: dataDir(), ...env }),
        (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.includes(variable),
      );
    });
  }
});
