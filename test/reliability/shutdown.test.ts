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
  test('a request that reaches the closing instance gets a SHUTTING_DOWN 503 in its face\'s envelope; the one in flight completes', async () => {
    const t = await createTestApp();
    const user = await registerUser(t);
    const faces = ['/user/me', '/v1/users/current', '/api/v1/users'];
    await injectFault(t.stripeUrl, { path: '/v1/payment_intents', method: 'POST', kind: 'hang', hangMs: 1500, count: faces.length, executeBeforeFault: true });
    const payment = () => {
      const body = JSON.stringify({ cuid: randomUUID() });
      return `POST /payment HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    let closed: Promise<void> | undefined;
    const startClosing = () => void (closed ??= t.close());
    // Each connection has a payment in flight (Stripe hangs), so it stays open while the instance closes.
    const texts = await Promise.all(faces.map((path) => pipelined(t.url, payment(), startClosing, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, 500)));
    await closed;
    const [native, coord, careValidate] = texts.map((text) => {
      const [inFlight, late] = responsesOf(text);
      assert.equal(inFlight?.status, 201, text);
      assert.equal(late?.status, 503, text);
      assert.match(late!.head, /connection: close/);
      return JSON.parse(late!.body) as Record<string, unknown>;
    });
    assert.equal(native!.code, 'SHUTTING_DOWN');
    assert.equal(coord!.code, 'SHUTTING_DOWN');
    assert.deepEqual([careValidate!.status, careValidate!.success], [503, false]);
    assert.doesNotMatch(t.logs.text, /"level":50/);
  });
});
