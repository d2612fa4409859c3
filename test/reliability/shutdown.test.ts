import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { injectFault } from '../helpers/emulator.js';
import { createTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

/** Writes `first`, waits `gapMs`, writes `then` on the same connection, and answers everything the server sent. */
function pipelined(url: string, first: string, onGap: () => void, then: string, gapMs: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(first);
    setTimeout(() => {
      onGap();
      void sleep(100).then(() => socket.write(then));
    }, gapMs);
  });
}

const responsesOf = (text: string) => text.split(/(?=HTTP\/1\.1 \d{3})/).map((response) => {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  return { status: Number(head.slice(9, 12)), head: head.toLowerCase(), body };
});

describe('a graceful shutdown', () => {
  test('the request in flight completes, its answer closes the connection, and one sent after the close began is not served (at most a SHUTTING_DOWN 503 in its face\'s envelope)', async () => {
    const t = await createTestApp();
    const user = await registerUser(t);
    await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind: 'hang', hangMs: 1500, count: 4, executeBeforeFault: true });
    const payment = (cuid: string) => {
      const body = JSON.stringify({ cuid });
      return `POST /payment HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    const late: Array<[string, (body: Record<string, unknown>) => void]> = [
      [payment(randomUUID()), (body) => assert.equal(body.code, 'SHUTTING_DOWN')],
      ['GET /v1/users/user/current HTTP/1.1\r\nHost: x\r\n\r\n', (body) => assert.equal(body.code, 'SHUTTING_DOWN')],
      ['GET /api/v1/users HTTP/1.1\r\nHost: x\r\n\r\n', (body) => assert.deepEqual([body.status, body.success], [503, false])],
    ];
    let closed: Promise<void> | undefined;
    const startClosing = () => void (closed ??= t.close());
    // Each connection has a payment in flight (Stripe hangs), so it stays open while the instance closes.
    const texts = await Promise.all(late.map(([request]) => pipelined(t.url, payment(randomUUID()), startClosing, request, 500)));
    await closed;
    texts.forEach((text, index) => {
      const [inFlight, answered] = responsesOf(text);
      assert.equal(inFlight?.status, 201, text);
      assert.match(inFlight!.head, /connection: close/, 'an answer sent while closing asks the client not to reuse the connection');
      if (!answered) return;
      assert.equal(answered.status, 503, text);
      late[index]![1](JSON.parse(answered.body) as Record<string, unknown>);
    });
    // Each late request was refused at the door (whether or not its answer could still be sent).
    assert.equal(t.logs.text.split('\n').filter((line) => line.includes('"code":"SHUTTING_DOWN"')).length, late.length, t.logs.text.slice(-2000));
    assert.doesNotMatch(t.logs.text, /"level":50/);
  });

  test('a client that connects and says nothing, or sends half a request, cannot hold the close: its connection is closed at once, not at SHUTDOWN_GRACE_MS', async () => {
    const t = await createTestApp({ env: { SHUTDOWN_GRACE_MS: '8000' } });
    const { hostname, port } = new URL(t.url);
    const open = (bytes: string) =>
      new Promise<{ closed: Promise<number> }>((resolve) => {
        const socket = connect(Number(port), hostname, () => {
          if (bytes) socket.write(bytes);
          resolve({ closed: new Promise((ended) => socket.on('close', () => ended(Date.now()))) });
        });
        socket.on('error', () => undefined);
      });
    const silent = await open('');
    const half = await open('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await sleep(100);
    const started = Date.now();
    const closed = t.close();
    const closedAt = await Promise.all([silent.closed, half.closed]);
    for (const at of closedAt) assert.ok(at - started < 2_000, `a connection without a request in flight was kept ${at - started} ms`);
    await closed;
    assert.ok(Date.now() - started < 8_000, `the close took ${Date.now() - started} ms`);
  });
});
