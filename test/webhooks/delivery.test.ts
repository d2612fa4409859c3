import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { bearer, secondOrganisationKey, uniqueEmail, useTestApp, type TestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';
import { useReceivers, verifySignature } from '../helpers/webhook-receiver.js';

const PATH = '/admin/webhook-endpoints';

async function addEndpoint(t: TestApp, url: string, options: { events?: string[]; key?: string } = {}): Promise<{ id: string; secret: string }> {
  const response = await t.inject({ method: 'POST', url: PATH, headers: bearer(options.key ?? t.apiKey), payload: { url, ...(options.events ? { events: options.events } : {}) } });
  assert.equal(response.statusCode, 201, response.body);
  const endpoint = response.json<{ id: string; secret: string }>();
  t.logs.secret(endpoint.secret);
  return endpoint;
}

interface Attempt {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  status: string;
  responseStatus: number | null;
  nextAttemptAt: string | null;
}

/** The endpoint's log once it holds `count` attempts: an attempt is logged just after the receiver answers. */
async function deliveriesOf(t: TestApp, endpointId: string, count = 1): Promise<Attempt[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await t.inject({ method: 'GET', url: `${PATH}/${endpointId}/deliveries`, headers: bearer(t.apiKey) });
    assert.equal(response.statusCode, 200, response.body);
    const log = response.json<Attempt[]>();
    if (log.length >= count || Date.now() > deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('event deliveries to a real receiver', () => {
  const t = useTestApp();
  const newReceiver = useReceivers();

  test('user.created arrives signed as documented, with the user exactly as GET /user/{id} shows it', async () => {
    const receiver = await newReceiver();
    const endpoint = await addEndpoint(t, receiver.url, { events: ['user.created', 'user.updated', 'user.deleted'] });
    const user = await registerUser(t);
    const [delivery] = (await receiver.waitFor((all) => all.some((r) => r.event.data.object.userId === user.id))).filter((r) => r.event.data.object.userId === user.id);
    assert.ok(delivery);
    assert.equal(delivery.event.type, 'user.created');
    assert.match(delivery.event.id, /^evt_[0-9a-f]{32}$/);
    assert.equal(delivery.headers['paybridge-event-id'], delivery.event.id);
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.ok(verifySignature(delivery.headers['paybridge-signature'], delivery.body, endpoint.secret), 'the signature verifies with the secret');
    assert.ok(!verifySignature(delivery.headers['paybridge-signature'], delivery.body.replace('user.created', 'user.deleted'), endpoint.secret), 'a changed body does not');
    assert.ok(!verifySignature(delivery.headers['paybridge-signature'], delivery.body, 'whsec_wrong'), 'another secret does not');
    assert.ok(Math.abs(Date.parse(delivery.event.createdAt) - Date.now()) < 60_000);
    const shown = await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) });
    assert.deepEqual(delivery.event.data.object, shown.json());

    // Update and delete follow, in order, for the same object.
    const renamed = await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { userName: 'Renamed' } });
    assert.equal(renamed.statusCode, 200);
    assert.equal((await t.inject({ method: 'DELETE', url: `/user/${user.id}`, headers: bearer(t.apiKey) })).statusCode, 200);
    const mine = (await receiver.waitFor((all) => all.filter((r) => r.event.data.object.userId === user.id).length >= 3)).filter((r) => r.event.data.object.userId === user.id);
    assert.deepEqual(mine.map((r) => r.event.type), ['user.created', 'user.updated', 'user.deleted']);
    assert.equal(mine[1]!.event.data.object.userName, 'Renamed');
    assert.deepEqual(mine[1]!.event.data.object, renamed.json());
    const log = await deliveriesOf(t, endpoint.id, 3);
    assert.deepEqual(log.slice(0, 3).map((a) => a.eventType), ['user.deleted', 'user.updated', 'user.created'], 'newest first');
    assert.ok(log.every((a) => a.status === 'succeeded' && a.responseStatus === 200 && a.nextAttemptAt === null));
  });

  test('a change that is rolled back announces nothing: a second registration of a taken email', async () => {
    const receiver = await newReceiver();
    await addEndpoint(t, receiver.url, { events: ['user.created'] });
    const email = uniqueEmail('taken');
    const first = await registerUser(t, { email });
    const again = await t.inject({ method: 'POST', url: '/user/register', headers: bearer(t.apiKey), payload: { userName: 'Dup', email, password: t.logs.secret('another-long-passphrase') } });
    assert.equal(again.statusCode, 409);
    await receiver.waitFor((all) => all.some((r) => r.event.data.object.userId === first.id));
    const later = await registerUser(t); // delivered after anything the 409 could have produced
    await receiver.waitFor((all) => all.some((r) => r.event.data.object.userId === later.id));
    assert.equal(receiver.received.filter((r) => r.event.data.object.email === email).length, 1);
  });

  test('an organisation never receives another organisation\'s events', async () => {
    const receiver = await newReceiver();
    const otherKey = await secondOrganisationKey(t);
    const otherReceiver = await newReceiver();
    await addEndpoint(t, otherReceiver.url, { key: otherKey, events: ['user.created'] });
    await addEndpoint(t, receiver.url, { events: ['user.created'] });
    const ours = await registerUser(t);
    const theirs = await registerUser(t, { apiKey: otherKey });
    await otherReceiver.waitFor((all) => all.some((r) => r.event.data.object.userId === theirs.id));
    await receiver.waitFor((all) => all.some((r) => r.event.data.object.userId === ours.id));
    assert.ok(otherReceiver.received.every((r) => r.event.data.object.userId === theirs.id), 'the other organisation got only its own user');
    assert.ok(!receiver.received.some((r) => r.event.data.object.userId === theirs.id), 'we never got theirs');
  });

  test("organisations whose receivers hang take at most their shares of the sends: another organisation's event still goes at once", async () => {
    const hanging = await newReceiver();
    hanging.respond = () => 'hang';
    const usersOf: string[][] = [];
    for (const key of [await secondOrganisationKey(t), await secondOrganisationKey(t)]) {
      for (let i = 0; i < 8; i++) await addEndpoint(t, `${hanging.url}/${i}`, { key, events: ['user.created'] });
      const users: string[] = [];
      for (let i = 0; i < 6; i++) users.push((await registerUser(t, { apiKey: key })).id);
      usersOf.push(users);
    }
    await hanging.waitFor((all) => all.length >= 15);

    const receiver = await newReceiver();
    await addEndpoint(t, receiver.url, { events: ['user.created'] });
    const started = Date.now();
    const ours = [await registerUser(t), await registerUser(t)];
    await receiver.waitFor((all) => ours.every((user) => all.some((r) => r.event.data.object.userId === user.id)), 5_000);
    assert.ok(Date.now() - started < 5_000, 'not held up behind the hanging sends (each waits 10 s)');
    const held = usersOf.map((users) => hanging.received.filter((r) => users.includes(r.event.data.object.userId as string)).length);
    assert.ok(held.every((n) => n <= 8), `each hanging organisation holds at most its share of 8: ${held.join(', ')}`);
    assert.ok(held[0]! + held[1]! <= 16, `together at most 15 of the 20 sends, and a first one each: ${held.join(', ')}`);
  });
});

describe('retries', () => {
  const t = useTestApp();
  const newReceiver = useReceivers();

  test('a receiver failing twice then succeeding gets three attempts of one event id, with growing gaps', async () => {
    const receiver = await newReceiver();
    const endpoint = await addEndpoint(t, receiver.url, { events: ['user.created'] });
    receiver.respond = (n) => (n < 2 ? 500 : 200);
    const user = await registerUser(t);
    const all = await receiver.waitFor((r) => r.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // no fourth attempt comes
    assert.equal(receiver.received.length, 3);
    assert.equal(new Set(all.map((r) => r.event.id)).size, 1, 'one event id');
    assert.equal(new Set(all.map((r) => r.body)).size, 1, 'the same body');
    assert.ok(all.every((r) => r.event.data.object.userId === user.id && r.headers['paybridge-event-id'] === r.event.id));
    const [first, second, third] = all.map((r) => r.at) as [number, number, number];
    assert.ok(second - first >= 150, `first gap ${second - first} ms ≥ the base (200 ms)`);
    assert.ok(third - second > second - first, `gaps grow: ${second - first} ms, then ${third - second} ms`);

    const log = await deliveriesOf(t, endpoint.id, 3);
    assert.deepEqual(log.map((a) => [a.attempt, a.status, a.responseStatus]), [[3, 'succeeded', 200], [2, 'failed', 500], [1, 'failed', 500]]);
    assert.ok(log[1]!.nextAttemptAt && log[2]!.nextAttemptAt && log[0]!.nextAttemptAt === null);
    assert.ok(!t.logs.text.includes('receiver-body-that-must-never-be-logged'), "the receiver's body is never logged");
    assert.ok(!t.logs.text.includes(endpoint.secret));
  });

  test('a logged delivery can be sent again now, with the same event id', async () => {
    const receiver = await newReceiver();
    const endpoint = await addEndpoint(t, receiver.url, { events: ['user.created'] });
    const user = await registerUser(t);
    await receiver.waitFor((all) => all.some((r) => r.event.data.object.userId === user.id));
    const [logged] = await deliveriesOf(t, endpoint.id);
    const before = receiver.received.length;
    const retried = await t.inject({ method: 'POST', url: `${PATH}/${endpoint.id}/deliveries/${logged!.id}/retry`, headers: bearer(t.apiKey) });
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(retried.json<Attempt>().attempt, 2);
    assert.equal(receiver.received.length, before + 1);
    assert.equal(receiver.received.at(-1)!.event.id, logged!.eventId);
    const other = await secondOrganisationKey(t);
    const foreign = await t.inject({ method: 'POST', url: `${PATH}/${endpoint.id}/deliveries/${logged!.id}/retry`, headers: bearer(other) });
    assert.equal(foreign.statusCode, 404);
  });

  test('after rotate-secret, deliveries carry a v1 for the new secret and one for the old', async () => {
    const receiver = await newReceiver();
    const endpoint = await addEndpoint(t, receiver.url, { events: ['user.created'] });
    const rotated = await t.inject({ method: 'POST', url: `${PATH}/${endpoint.id}/rotate-secret`, headers: bearer(t.apiKey) });
    const newSecret = t.logs.secret(rotated.json<{ secret: string }>().secret);
    const user = await registerUser(t);
    const [delivery] = (await receiver.waitFor((all) => all.some((r) => r.event.data.object.userId === user.id))).filter((r) => r.event.data.object.userId === user.id);
    const header = delivery!.headers['paybridge-signature'] as string;
    assert.equal(header.split(',').filter((p) => p.startsWith('v1=')).length, 2);
    assert.ok(verifySignature(header, delivery!.body, newSecret));
    assert.ok(verifySignature(header, delivery!.body, endpoint.secret));
  });

  test('an endpoint failing for 3 days is disabled and says so; enabling it again resumes delivery', async () => {
    const receiver = await newReceiver();
    const endpoint = await addEndpoint(t, receiver.url, { events: ['user.updated'] });
    receiver.respond = () => 503;
    const user = await registerUser(t);
    await t.ctx.database.db.execute(sql`update webhook_endpoints set failing_since = now() - interval '3 days 1 minute' where id = ${endpoint.id}`);
    await t.inject({ method: 'PATCH', url: `/user/${user.id}`, headers: bearer(user.token), payload: { userName: 'Down' } });
    const deadline = Date.now() + 10_000;
    let shown = { enabled: true, disabledReason: null as string | null };
    while (shown.enabled && Date.now() < deadline) {
      shown = (await t.inject({ method: 'GET', url: `${PATH}/${endpoint.id}`, headers: bearer(t.apiKey) })).json();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(shown.enabled, false);
    assert.match(shown.disabledReason ?? '', /3 days/);

    receiver.respond = () => 200;
    const resumed = await t.inject({ method: 'PATCH', url: `${PATH}/${endpoint.id}`, headers: bearer(t.apiKey), payload: { enabled: true } });
    assert.equal(resumed.json<{ enabled: boolean; disabledReason: null }>().disabledReason, null);
    await receiver.waitFor((all) => all.some((r) => r.event.data.object.userName === 'Down' && r.event.type === 'user.updated'), 10_000);
  });
});
