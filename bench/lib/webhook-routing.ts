import { spawn } from 'node:child_process';
import { emulatorClient } from './workloads.js';

export interface WebhookRouting {
  toPaybridge(): Promise<void>;
  toSink(): Promise<void>;
  /** Routes to paybridge again, removes the sink's endpoint and closes the sink. */
  close(): Promise<void>;
}

// A server that answers every delivery 200, in a process of its own; it prints the port it listens on.
const SINK = `const sink = require('node:http').createServer((request, response) => { request.resume(); request.on('end', () => response.end('{}')); });
sink.listen(0, '127.0.0.1', () => process.stdout.write(sink.address().port + '\\n'));`;

async function startSink(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the webhook sink exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => void child.kill() };
}

/**
 * Where the emulator sends the events of each side's creates. Stripe sends paybridge the
 * `payment_intent.created` of its own payments, which paybridge then receives: that is part of a
 * payment's cost. The raw SDK's creates make the same events, and the emulator delivers them just
 * as it does paybridge's, but to a sink that answers 200 and nothing else, in a process of its own
 * (on the SDK client's event loop it slowed the raw baseline), its CPU metered on neither side:
 * were they sent to paybridge, its work on them (the signature, the parse, the route) would slow
 * the raw baseline on the shared cores. A delivery already queued when its endpoint is switched
 * off still goes out; the pause before each round takes it.
 */
export async function webhookRouting(emulatorUrl: string): Promise<WebhookRouting> {
  const sink = await startSink();
  const stripe = emulatorClient(emulatorUrl);
  const paybridges = (await stripe.webhookEndpoints.list({ limit: 100 })).data.map((endpoint) => endpoint.id);
  const sinkEndpoint = await stripe.webhookEndpoints.create({ url: sink.url, enabled_events: ['*'] });
  const enable = (ids: string[], enabled: boolean) => Promise.all(ids.map((id) => stripe.webhookEndpoints.update(id, { disabled: !enabled })));
  const route = async (toPaybridge: boolean) => {
    await enable(paybridges, toPaybridge);
    await enable([sinkEndpoint.id], !toPaybridge);
  };
  return {
    toPaybridge: () => route(true),
    toSink: () => route(false),
    close: async () => {
      await route(true);
      await stripe.webhookEndpoints.del(sinkEndpoint.id);
      sink.stop();
    },
  };
}
