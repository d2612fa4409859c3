import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PaybridgeEvent {
  id: string;
  type: string;
  createdAt: string;
  data: { object: Record<string, unknown> };
}

export interface Received {
  body: string;
  event: PaybridgeEvent;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** How the receiver answers the nth request (0-based); 200 unless changed. */
  respond: (n: number, request: IncomingMessage, response: ServerResponse) => number | 'hang';
  waitFor(predicate: (all: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  ofType(type: string): Received[];
  close(): Promise<void>;
}

/** A real HTTP receiver on a free port, as an integrating app would run one. */
export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received: [],
    respond: () => 200,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver.received)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met; got ${JSON.stringify(receiver.received.map((r) => r.event.type))}`);
        await sleep(20);
      }
      return receiver.received;
    },
    ofType: (type) => receiver.received.filter((r) => r.event.type === type),
    close: async () => {
      for (const response of hanging) response.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const n = receiver.received.length;
      receiver.received.push({ body, event: JSON.parse(body) as PaybridgeEvent, headers: request.headers, at: Date.now() });
      const status = receiver.respond(n, request, response);
      if (status === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver-body-that-must-never-be-logged');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/paybridge`;
  return receiver;
}

/** The README's recipe: every v1 is an HMAC-SHA256 of "<t>.<raw body>"; one that matches a secret, within 5 minutes, verifies. */
export function verifySignature(header: string | string[] | undefined, rawBody: string, secret: string, toleranceSeconds = 300): boolean {
  if (typeof header !== 'string') return false;
  const parts = header.split(',').map((p) => p.split('=') as [string, string]);
  const t = parts.find(([k]) => k === 't')?.[1];
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  return parts.some(([k, v]) => k === 'v1' && v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
}

/** Receivers started by one describe block, closed after it. */
export function useReceivers(): () => Promise<Receiver> {
  const receivers: Receiver[] = [];
  after(() => Promise.all(receivers.map((r) => r.close())));
  return async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    return receiver;
  };
}
