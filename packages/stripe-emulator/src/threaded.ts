import { Worker } from 'node:worker_threads';
import type { RunningStripeEmulator, StripeEmulatorOptions } from './index.js';

type WorkerMessage =
  | { type: 'ready'; url: string; host: string; port: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string; data?: Record<string, unknown> }
  | { type: 'closed' };

/**
 * Built, this file is threaded.js beside worker.js. Run from source under tsx, the worker gets
 * no loader hooks of its own, so it registers tsx before importing worker.ts.
 */
function spawnWorker(workerData: Omit<StripeEmulatorOptions, 'log'>): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`, { eval: true, workerData });
}

/**
 * The emulator on a thread of its own. Embedded in a service, its work (and its state
 * snapshots, which grow with the state) would otherwise run on the service's event loop.
 */
export function startStripeEmulatorThread(options: StripeEmulatorOptions = {}): Promise<RunningStripeEmulator> {
  const { log, ...data } = options;
  const worker = spawnWorker(data);
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the Stripe emulator thread exited (${code})`)));
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'log') log?.(message.level, message.msg, message.data);
      if (message.type !== 'ready') return;
      worker.removeAllListeners('exit');
      resolve({
        url: message.url,
        host: message.host,
        port: message.port,
        close: () =>
          new Promise<void>((done) => {
            worker.on('message', (m: WorkerMessage) => m.type === 'closed' && void worker.terminate().then(() => done()));
            worker.postMessage({ type: 'close' });
          }),
      });
    });
  });
}
