import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers/cluster.js';
import { databaseUrl } from '../helpers/test-app.js';

const skip = databaseUrl ? false : 'needs DATABASE_URL (PostgreSQL): reconcile runs beside a serving deployment';
const children: ChildProcess[] = [];

function run(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await sleep(200);
});

describe('paybridge reconcile beside a running deployment on the emulator', { skip }, () => {
  test('uses the deployment\'s emulator instead of failing with EADDRINUSE', async () => {
    const [port, emulatorPort] = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: databaseUrl!,
      STRIPE_EMULATOR: 'true',
      STRIPE_EMULATOR_PORT: String(emulatorPort),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'paybridge-reconcile-')),
      LOG_LEVEL: 'warn',
      RECONCILE_INTERVAL: '0',
    };
    const server = run(['serve'], { ...env, PORT: String(port) });
    const deadline = Date.now() + 60_000;
    while (!(await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false))) {
      assert.equal(server.child.exitCode, null, server.output());
      assert.ok(Date.now() < deadline, `the deployment did not come up: ${server.output()}`);
      await sleep(200);
    }
    const reconcile = run(['reconcile'], env);
    const code = await reconcile.exited;
    assert.equal(code, 0, reconcile.output());
    assert.doesNotMatch(reconcile.output(), /EADDRINUSE/);
    assert.match(reconcile.output(), /"examined":\d+/);
  });
});
