import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Several real paybridge processes on one PostgreSQL database, sharing one Stripe emulator process. */
export interface Cluster {
  apiKey: string;
  stripeUrl: string;
  instances: Instance[];
  /** Everything every process printed, for the secrets check. */
  output(): string;
  startInstance(): Promise<Instance>;
  stop(): Promise<void>;
}

export interface Instance {
  url: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await fetch(url).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`process did not come up:\n${output()}`);
    await sleep(100);
  }
}

export async function startCluster(size: number, databaseUrl: string, env: Record<string, string> = {}): Promise<Cluster> {
  let output = '';
  const children: ChildProcess[] = [];
  const spawnTs = (args: string[], extraEnv: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    children.push(child);
    return child;
  };
  const stripePort = await freePort();
  const stripeUrl = `http://127.0.0.1:${stripePort}`;
  const emulator = spawnTs(['stripe-emulator', '--port', String(stripePort)], {});
  await waitUntilUp(`${stripeUrl}/_emulator/health`, emulator, () => output);

  const apiKey = `pbk_cluster_${randomBytes(24).toString('hex')}`;
  const shared = {
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    BOOTSTRAP_API_KEY: apiKey,
    STRIPE_API_BASE: stripeUrl,
    LOG_LEVEL: 'info',
    RECONCILE_INTERVAL: '0',
    PAYMENT_RETURN_URL: 'https://app.example/payment-done',
    WEBHOOK_RETRY_BASE_SECONDS: '0.2',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    // Every test registers from 127.0.0.1: the abuse limits are not what these tests are about, and a
    // Redis inherited from CI would carry one run's counts into the next. A test that wants either sets it.
    REDIS_URL: '',
    REGISTER_MAX_PER_ADDRESS: '1000000',
    ...env,
  };
  const startInstance = async (): Promise<Instance> => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnTs(['serve'], { ...shared, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'paybridge-cluster-')), PUBLIC_URL: url });
    await waitUntilUp(`${url}/readyz`, child, () => output);
    return {
      url,
      kill: async (signal = 'SIGTERM') => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(signal);
        await exited;
      },
    };
  };
  const instances = await Promise.all(Array.from({ length: size }, startInstance));
  return {
    apiKey,
    stripeUrl,
    instances,
    output: () => output,
    startInstance,
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
        }),
      );
    },
  };
}

/** JSON over fetch, for tests that talk to real processes rather than inject(). */
export async function call(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; text: string; json: () => Record<string, unknown> }> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}
