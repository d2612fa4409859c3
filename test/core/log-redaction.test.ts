import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { createLogger } from '../../src/http/logging.js';
import { LogCapture } from '../helpers/log-capture.js';
import { useTestApp } from '../helpers/test-app.js';

const t = useTestApp();

describe('a failed query is logged by its statement and code, never its parameters', () => {
  test('a real driver error carrying a password hash, an email and a digest as parameters', async () => {
    const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';
    const email = 'secret.person@example.com';
    const digest = 'f'.repeat(64);
    const error = await t.ctx.database.db.execute(sql`select ${hash}::text, ${email}::text, ${digest}::int`).then(
      () => assert.fail('the query must fail'),
      (e: unknown) => e,
    );
    const logs = new LogCapture();
    createLogger('info', logs).error({ err: error }, 'request failed');
    const line = logs.text;
    assert.match(line, /Failed query: select \$1::text, \$2::text, \$3::int/);
    assert.match(line, /"code":"22P02"/);
    for (const value of [hash, email, digest, 'argon2id']) assert.ok(!line.includes(value), `${value.slice(0, 12)}… reached the log: ${line}`);
  });
});
