import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig, ConfigError } from '../../src/config.js';
import { useTestApp, type TestApp } from '../helpers/test-app.js';

const APP = 'https://app.example.com';
const DEV = 'http://localhost:5173';

/** What a browser sends before a cross-origin POST with a JSON body and a bearer token. */
const preflight = (t: TestApp, origin: string, url = '/payment') =>
  fetch(`${t.url}${url}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });

describe('CORS with CORS_ORIGINS set', () => {
  const t = useTestApp({ env: { CORS_ORIGINS: `${APP}, ${DEV}` } });

  test('a preflight from a listed origin is allowed, for that origin only', async () => {
    for (const origin of [APP, DEV]) {
      const response = await preflight(t, origin);
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(response.headers.get('access-control-allow-headers') ?? '', /authorization/i);
      assert.equal(response.headers.get('access-control-allow-credentials'), null);
    }
  });

  test('the actual request from a listed origin may read the answer and its headers', async () => {
    const response = await fetch(`${t.url}/healthz`, { headers: { origin: APP } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), APP);
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
  });

  test('an OPTIONS that is not a preflight is a 204, not a text/plain 400', async () => {
    const response = await fetch(`${t.url}/payment`, { method: 'OPTIONS' });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  test('any other origin is refused, however close to a listed one', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com', 'https://sub.app.example.com', 'null']) {
      const response = await preflight(t, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
      const actual = await fetch(`${t.url}/healthz`, { headers: { origin } });
      assert.equal(actual.headers.get('access-control-allow-origin'), null, origin);
    }
  });
});

describe('CORS by default', () => {
  const t = useTestApp();

  test('is off: no origin is allowed', async () => {
    const response = await preflight(t, APP);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    const actual = await fetch(`${t.url}/healthz`, { headers: { origin: APP } });
    assert.equal(actual.headers.get('access-control-allow-origin'), null);
  });
});

describe('CORS_ORIGINS', () => {
  test('takes origins only: a path, a wildcard or a trailing slash stops the start with a clear message', () => {
    for (const bad of ['*', 'https://app.example.com/', 'https://app.example.com/path', 'app.example.com', 'ftp://files.example.com']) {
      assert.throws(() => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'paybridge-cors-')), CORS_ORIGINS: bad }), (error: unknown) => error instanceof ConfigError && error.variable === 'CORS_ORIGINS', bad);
    }
  });
});
