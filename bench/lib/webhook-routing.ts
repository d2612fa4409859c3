import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * Where the emulator sends the events of each side's creates. Stripe sends paybridge the
 * `payment_intent.created` of its own payments, which paybridge then receives: that is part of a
 * payment's cost. The raw SDK's creates make the same events, and the emulator delivers them just
 * as it does paybridge's, but to a sink in this process that answers 200 and nothing else: were they
 * sent to paybridge, its work on them (the signature, the parse, the route) would slow the raw
 * baseline on the shared cores.
 */
export async function webhookRouting(emulatorUrl: string): Promise<{ toPaybridge(): Promise<void>; toSink(): Promise<void>; close(): Promise<void> }> {
  const sink: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const base = new URL(emulatorUrl);
  const stripe = new Stripe('sk_test_bench', { host: base.hostname, port: Number(base.port), protocol: 'http', telemetry: false });
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
