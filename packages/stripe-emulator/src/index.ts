import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './context.js';
import type { ControlRuntime } from './control.js';
import { createRuntime } from './runtime.js';
import { createEmulatorServer } from './server.js';

export interface StripeEmulatorOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
  webhookRetryBaseMs?: number;
}

export interface RunningStripeEmulator {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 12111;

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closer(server: Server, rt: ControlRuntime, log: Logger, url: string): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= (async () => {
      rt.dispatcher.close();
      for (const t of rt.hangs) clearTimeout(t);
      rt.hangs.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await rt.state.store.commit();
      rt.state.store.close();
      log('info', 'stripe emulator stopped', { url });
    })();
    return closing;
  };
}

export async function startStripeEmulator(opts: StripeEmulatorOptions = {}): Promise<RunningStripeEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const log: Logger = opts.log ?? (() => undefined);
  const started = performance.now();
  const runtime = await createRuntime({ log, dataDir: opts.dataDir, webhookRetryBaseMs: opts.webhookRetryBaseMs ?? 1000 });
  const loadMs = Math.round(performance.now() - started);
  const server = createEmulatorServer(runtime);
  const port = await listen(server, opts.port ?? DEFAULT_PORT, host);
  const url = `http://${urlHost(host)}:${port}`;
  runtime.state.baseUrl = url;
  log('info', 'stripe emulator listening', { url, dataDir: opts.dataDir ?? null, loadMs, scannedBytes: runtime.state.store.scannedBytes });
  return { url, host, port, close: closer(server, runtime, log, url) };
}
