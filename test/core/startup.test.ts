import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/cluster.js';
import { databaseUrl } from '../helpers/test-app.js';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as an operator would, with only the variables given (plus PATH). */
function paybridge(args: string[], env: Record<string, string>, timeoutMs = 240_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: mkdtempSync(join(tmpdir(), 'paybridge-startup-')), LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
let busy: Server;
let busyPort: number;

before(async () => {
  busyPort = await freePort();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
});
after(() => new Promise<void>((resolve) => busy.close(() => resolve())));

function assertOneLine(outcome: Outcome, exitCode: number, line: RegExp): void {
  assert.equal(outcome.code, exitCode, outcome.stderr);
  const lines = outcome.stderr.trim().split('\n');
  assert.match(lines.at(-1) ?? '', line);
  assert.doesNotMatch(outcome.stderr, /\n\s+at /, 'no stack trace');
}

describe('a start-up fault is one line naming the variable, with exit 78 (configuration) or 69 (dependency)', { concurrency: 2 }, () => {
  test('DATABASE_URL naming a port nothing listens on', async () => {
    const outcome = await paybridge(['serve'], { ...secrets, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x', STRIPE_EMULATOR: 'true', PORT: '0' });
    assertOneLine(outcome, 69, /^DATABASE_URL: cannot connect to 127\.0\.0\.1:1 \(connection refused\)$/);
  });

  test('DATABASE_URL that is not a connection string', async () => {
    const outcome = await paybridge(['migrate'], { ...secrets, DATABASE_URL: 'localhost/db', STRIPE_EMULATOR: 'true' });
    assertOneLine(outcome, 78, /DATABASE_URL must be a postgres:\/\//);
  });

  test('DATABASE_URL naming a database that does not exist', { skip: databaseUrl ? false : 'needs DATABASE_URL (PostgreSQL)' }, async () => {
    const missing = databaseUrl!.replace(/\/[^/?]*(\?|$)/, `/paybridge_missing_${randomBytes(4).toString('hex')}$1`);
    const outcome = await paybridge(['serve'], { ...secrets, DATABASE_URL: missing, STRIPE_EMULATOR: 'true', PORT: '0' });
    assertOneLine(outcome, 78, /^DATABASE_URL: the database "paybridge_missing_[0-9a-f]+" does not exist/);
  });

  test('PORT already in use', async () => {
    const outcome = await paybridge(['serve'], { PORT: String(busyPort), STRIPE_EMULATOR_PORT: '0' });
    assertOneLine(outcome, 78, new RegExp(`^PORT: 127\\.0\\.0\\.1:${busyPort} is already in use`));
  });

  test('STRIPE_EMULATOR_PORT already in use', async () => {
    const outcome = await paybridge(['serve'], { PORT: '0', STRIPE_EMULATOR_PORT: String(busyPort) });
    assertOneLine(outcome, 78, new RegExp(`^STRIPE_EMULATOR_PORT: 127\\.0\\.0\\.1:${busyPort} is already in use`));
  });

  test('a HOST that is not an address, a HOST of another machine, a PUBLIC_URL that is not a URL', async () => {
    assertOneLine(await paybridge(['serve'], { HOST: '999.1.1.1', PORT: '0', STRIPE_EMULATOR_PORT: '0' }), 78, /HOST must be/);
    assertOneLine(await paybridge(['serve'], { HOST: '192.0.2.1', PORT: '0', STRIPE_EMULATOR_PORT: '0' }), 78, /^HOST: "192\.0\.2\.1" is not an address of this machine$/);
    assertOneLine(await paybridge(['serve'], { PUBLIC_URL: 'example.com', PORT: '0', STRIPE_EMULATOR_PORT: '0' }), 78, /PUBLIC_URL must be an http\(s\) URL/);
  });
});

describe('production never runs on fake money', { concurrency: 2 }, () => {
  test('DATABASE_URL without a Stripe key refuses to start, naming STRIPE_SECRET_KEY', async () => {
    const outcome = await paybridge(['serve'], { ...secrets, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x', PORT: '0' });
    assertOneLine(outcome, 78, /STRIPE_SECRET_KEY is required when DATABASE_URL is set/);
  });

  test('a real key without STRIPE_WEBHOOK_SECRET refuses to start', async () => {
    const outcome = await paybridge(['serve'], { STRIPE_SECRET_KEY: 'sk_test_123456789', PORT: '0' });
    assertOneLine(outcome, 78, /STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY/);
  });
});

describe('paybridge <command> --help prints that command\'s help and does nothing else', { concurrency: 2 }, () => {
  for (const command of ['serve', 'migrate', 'reconcile']) {
    test(command, async () => {
      // A database that cannot be reached: running the command would fail with 69 instead.
      const outcome = await paybridge([command, '--help'], { ...secrets, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x', STRIPE_EMULATOR: 'true' }, 120_000);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.match(outcome.stdout, new RegExp(`^Usage: paybridge ${command}\\n`));
      assert.equal(outcome.stderr, '');
    });
  }
});

describe('paybridge org, as the README shows it', () => {
  test('org create --name prints the organisation and its first key; org list then shows it; serve with a stray word is still refused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'paybridge-org-cli-'));
    const created = await paybridge(['org', 'create', '--name', 'Acme'], { DATA_DIR: dataDir });
    assert.equal(created.code, 0, created.stderr);
    const organisation = JSON.parse(created.stdout) as { id: string; name: string; apiKey: string };
    assert.equal(organisation.name, 'Acme');
    assert.match(organisation.apiKey, /^pbk_/);
    const listed = await paybridge(['org', 'list'], { DATA_DIR: dataDir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as Array<{ id: string }>).some((o) => o.id === organisation.id));
    for (const bad of ['a\u0001b', 'x'.repeat(201)]) {
      const refused = await paybridge(['org', 'create', '--name', bad], { DATA_DIR: dataDir });
      assert.equal(refused.code, 2, `the API's name rule holds here too: ${refused.stdout}`);
      assert.match(refused.stderr, /--name must be 1 to 200 characters; it must contain a visible character/);
    }
    const stray = await paybridge(['serve', 'now'], { DATA_DIR: dataDir });
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /takes no arguments/);
  });
});
