import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { createHttpWebhookSender } from '../../src/adapters/http-webhook-sender.js';
import { isPublicAddress } from '../../src/core/events/address-policy.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

const body = JSON.stringify({ id: 'evt_test', type: 'user.created', createdAt: new Date().toISOString(), data: { object: { userId: 'u' } } });

describe('the HTTP sender', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  test('where private addresses are refused, it refuses them at delivery time, whatever the name', async () => {
    const sender = createHttpWebhookSender({ allowPrivate: false });
    const port = new URL(receiver.url).port;
    for (const url of [`http://127.0.0.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://localhost:${port}/`]) {
      const response = await sender.send({ url, body, headers: {} });
      assert.deepEqual([response.status, response.error], [null, 'refused address'], url);
    }
    // A name that is not "localhost" but the system resolves to this machine (from /etc/hosts, as a
    // rebinding name would, later): public receivers' names are asked of DNS itself, which refuses
    // a private answer or (a hosts-file name) has none. Either way nothing is sent.
    const name = hostname();
    const resolved = await lookup(name, { all: true }).catch(() => []);
    if (resolved.length > 0 && resolved.every((a) => !isPublicAddress(a.address))) {
      const response = await sender.send({ url: `http://${name}:${port}/`, body, headers: {} });
      assert.equal(response.status, null, name);
      assert.ok(response.error === 'refused address' || response.error === 'name not resolved', `${name}: ${response.error}`);
    }
    assert.equal(receiver.received.length, 0, 'nothing reached the receiver');
  });

  test('where they are allowed it delivers; a receiver that hangs is cut off at the timeout', async () => {
    const sender = createHttpWebhookSender({ allowPrivate: true, timeoutMs: 300 });
    const ok = await sender.send({ url: receiver.url, body, headers: { 'paybridge-event-id': 'evt_test' } });
    assert.equal(ok.status, 200);
    assert.equal(receiver.received.at(-1)!.body, body);
    receiver.respond = () => 'hang';
    const hung = await sender.send({ url: receiver.url, body, headers: {} });
    assert.deepEqual([hung.status, hung.error], [null, 'timeout']);
    assert.ok(hung.durationMs >= 250 && hung.durationMs < 5000, `${hung.durationMs} ms`);
    const refused = await sender.send({ url: 'http://127.0.0.1:1/', body, headers: {} });
    assert.deepEqual([refused.status, refused.error], [null, 'connection failed']);
  });
});
