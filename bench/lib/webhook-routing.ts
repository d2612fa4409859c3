import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emulatorClient } from './workloads.js';

export interface WebhookRouting {
  toPaybridge(): Promise<void>;
  toSink(): Promise<void>;
  /** Routes to paybridge again, removes the sink's endpoint and closes the sink. */
  close(): Promise<void>;
}

/**
 * Where the emulator sends the events of each side's creates. Stripe sends paybridge the
 * `payment_intent.created` of its own payments, which paybridge then receives: that is part of a
 * payment's cost. The raw SDK's creates make the same events, and the emulator delivers them just
 * as it does paybridge's, but to a sink in this process that answers 200 and nothing else: were they
 * sent to paybridge, its work on them (the signature, the parse, the route) would slow the raw
 * baseline on the shared cores.
 */
export async function webhookRouting(emulatorUrl: string): Promise<WebhookRouting> {
  const sink: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const stripe = emulatorClient(emulatorUrl);
  const paybridges = (await stripe.webhookEndpoints.list({ limit: 100 })).data.map((endpoint) => endpoint.id);
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
  const sinkEndpoint = await stripe.webhookEndpoints.create({ url: sinkUrl, enabled_events: ['*'] });
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
      sink.closeAllConnections();
      await new Promise<void>((resolve) => sink.close(() => resolve()));
    },
  };
}
