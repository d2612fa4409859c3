import { parentPort, workerData } from 'node:worker_threads';
import { startStripeEmulator, type StripeEmulatorOptions } from './index.js';

/** Runs inside a worker thread: see threaded.ts. */
const port = parentPort;
if (port) {
  const options = workerData as Omit<StripeEmulatorOptions, 'log'>;
  const emulator = await startStripeEmulator({
    ...options,
    log: (level, msg, data) => port.postMessage({ type: 'log', level, msg, data }),
  });
  port.postMessage({ type: 'ready', url: emulator.url, host: emulator.host, port: emulator.port });
  port.on('message', (message: { type: string }) => {
    if (message.type === 'close') void emulator.close().then(() => port.postMessage({ type: 'closed' }));
  });
}
