import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryAttemptCounter } from '../../src/adapters/attempt-counter.memory.js';
import { createKnownNetworksRepository } from '../../src/core/auth/known-networks.repository.js';
import { createLoginThrottle } from '../../src/core/auth/login-throttle.js';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const t = useTestApp({ env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '5', LOGIN_MAX_FAILURES_PER_ADDRESS: '50', LOGIN_LOCKDOWN_FAILURES: '40', REGISTER_MAX_PER_ADDRESS: '3' } });

const login = (email: string, password: string, remoteAddress: string) =>
  t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email, password }, remoteAddress });

describe('a stolen session is no password oracle', () => {
  test("wrong currentPassword guesses on PATCH /user count like failed logins: past the limit, 429 even for the right one", async () => {
    const owner = await registerUser(t);
    const thief = '192.0.2.99';
    const guess = (currentPassword: string) =>
      t.inject({ method: 'PATCH', url: `/user/${owner.id}`, headers: bearer(owner.token), payload: { email: uniqueEmail('thief'), currentPassword }, remoteAddress: thief });
    for (let i = 0; i < 5; i++) assert.equal((await guess(`guess-${i}`)).statusCode, 401);
    const refused = await guess(owner.password);
    assert.equal(refused.statusCode, 429, refused.body);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const unchanged = await t.inject({ method: 'GET', url: `/user/${owner.id}`, headers: bearer(owner.token) });
    assert.equal(unchanged.json().email, owner.email);
  });
});

describe('finding 3: failed logins from elsewhere never lock out the owner', () => {
  test('after many wrong passwords from many addresses, the owner signs in from its own address', async () => {
    const owner = await registerUser(t);
    for (let i = 0; i < 30; i++) await login(owner.email, 'wrong-password', `198.51.100.${i + 1}`);
    const own = await login(owner.email, owner.password, '203.0.113.200');
    assert.equal(own.statusCode, 201, own.body);
    t.logs.secret(own.json().access_token as string);
  });

  test('one guess each from very many addresses: past LOGIN_LOCKDOWN_FAILURES only networks the account signed in from may try, so the owner at home still signs in', async () => {
    const owner = await registerUser(t);
    const home = '203.0.113.50';
    const first = await login(owner.email, owner.password, home);
    assert.equal(first.statusCode, 201, first.body);
    t.logs.secret(first.json().access_token as string);
    const botnet = Array.from({ length: 45 }, (_, i) => `198.18.${100 + (i >> 8)}.${(i & 255) + 1}`);
    const statuses = [];
    for (const address of botnet) statuses.push((await login(owner.email, 'wrong-password', address)).statusCode);
    assert.deepEqual([statuses.slice(0, 40).every((s) => s === 401), statuses.slice(40).every((s) => s === 429)], [true, true], statuses.join(' '));
    const fresh = await login(owner.email, owner.password, '192.0.2.250');
    assert.equal(fresh.statusCode, 429, 'a network never seen waits, even with the right password');
    assert.match(fresh.json().message, /networks it signed in from/);
    assert.ok(Number(fresh.headers['retry-after']) > 0);
    const again = await login(owner.email, owner.password, home);
    assert.equal(again.statusCode, 201, again.body);
    t.logs.secret(again.json().access_token as string);
    const neighbour = await registerUser(t);
    const unaffected = await login(neighbour.email, neighbour.password, '192.0.2.250');
    assert.equal(unaffected.statusCode, 201, 'other accounts are not under attack');
    t.logs.secret(unaffected.json().access_token as string);
  });

  test('the known networks are the account\'s: they follow an email change; the network an account registered from is one', async () => {
    const home = '203.0.113.90';
    const registered = await t.inject({ method: 'POST', url: '/user/register', remoteAddress: home, payload: { userName: 'Kn', email: uniqueEmail('kn'), password: 'known-network-pass-9' } });
    assert.equal(registered.statusCode, 201, registered.body);
    const token = t.logs.secret(registered.json().access_token as string);
    const me = (await t.inject({ method: 'GET', url: '/user', headers: bearer(token) })).json()[0] as { userId: string };
    const renamed = uniqueEmail('kn2');
    const changed = await t.inject({ method: 'PATCH', url: `/user/${me.userId}`, headers: bearer(token), remoteAddress: home, payload: { email: renamed, currentPassword: 'known-network-pass-9' } });
    assert.equal(changed.statusCode, 200, changed.body);
    // Registered anonymously: the account is in the default organisation, where anonymous logins go.
    const anonymousLogin = (password: string, remoteAddress: string) => t.inject({ method: 'POST', url: '/user/login', payload: { email: renamed, password }, remoteAddress });
    for (let i = 0; i < 41; i++) await anonymousLogin('wrong-password', `198.18.200.${i + 1}`);
    assert.equal((await anonymousLogin('known-network-pass-9', '192.0.2.251')).statusCode, 429, 'in lockdown');
    const atHome = await anonymousLogin('known-network-pass-9', home);
    assert.equal(atHome.statusCode, 201, atHome.body);
    t.logs.secret(atHome.json().access_token as string);
  });

  test('the attacking address is refused (429 with Retry-After), even with the right password', async () => {
    const owner = await registerUser(t);
    const attacker = '192.0.2.77';
    for (let i = 0; i < 5; i++) assert.equal((await login(owner.email, 'wrong-password', attacker)).statusCode, 401);
    const refused = await login(owner.email, owner.password, attacker);
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
  });

  test('a success refunds only its own attempt: earlier failures still count', async () => {
    const owner = await registerUser(t);
    const address = '192.0.2.88';
    for (let i = 0; i < 4; i++) await login(owner.email, 'wrong-password', address);
    const ok = await login(owner.email, owner.password, address);
    assert.equal(ok.statusCode, 201);
    t.logs.secret(ok.json().access_token as string);
    assert.equal((await login(owner.email, 'wrong-password', address)).statusCode, 401);
    assert.equal((await login(owner.email, 'wrong-password', address)).statusCode, 429, 'the fifth failure from here was already used');
  });
});

describe('finding 4: limiter memory is bounded', () => {
  test('150,000 refused logins with distinct emails keep the store at its cap, and a blocked address adds nothing', async () => {
    const counter = createMemoryAttemptCounter({ maxEntries: 1000 });
    const throttle = createLoginThrottle(counter, createKnownNetworksRepository(t.database.db), { maxFailuresPerAccount: 5, maxFailuresPerAddress: 10, lockdownFailures: 1000, windowSeconds: 60 }, { maxPerAddress: 5, windowSeconds: 60 });
    let refused = 0;
    for (let i = 0; i < 150_000; i++) {
      await throttle.beginAttempt('org', `victim-${i}@example.com`, '203.0.113.9').catch(() => (refused += 1));
    }
    assert.equal(refused, 150_000 - 10);
    assert.ok(counter.size <= 1 + 2 * 10, `blocked address adds no keys: ${counter.size}`);
    for (let i = 0; i < 5000; i++) await throttle.beginAttempt('org', `x${i}@example.com`, `10.0.${i >> 8}.${i & 255}`).catch(() => undefined);
    assert.ok(counter.size <= 3 * 1000, `each kind (address, pair, account) at its cap: ${counter.size}`);
  });

  const lockdownLimits = { maxFailuresPerAccount: 5, maxFailuresPerAddress: 1000, lockdownFailures: 20, windowSeconds: 600 };
  const registrationLimits = { maxPerAddress: 5, windowSeconds: 60 };
  const fresh = (i: number) => `198.19.${i >> 8}.${i & 255}`;

  test('a flood of fresh addresses against an account in lockdown cannot evict its counters: the lockdown holds, and its owner at home still gets in', async () => {
    const counter = createMemoryAttemptCounter({ maxEntries: 100 });
    const throttle = createLoginThrottle(counter, createKnownNetworksRepository(t.database.db), lockdownLimits, registrationLimits);
    const { id, email } = await registerUser(t);
    const [org, home] = [t.organisationId, '203.0.113.77'];
    await throttle.beginAttempt(org, email, home);
    await throttle.recordSuccess(org, email, home, id);
    for (let i = 0; i < 20; i++) await throttle.beginAttempt(org, email, fresh(i));
    let refused = 0;
    for (let i = 20; i < 2000; i++) await throttle.beginAttempt(org, email, fresh(i)).catch(() => (refused += 1));
    assert.equal(refused, 1980, 'every fresh address refused');
    await assert.rejects(throttle.beginAttempt(org, email, fresh(5000)), { statusCode: 429 }, 'still in lockdown after the flood');
    await throttle.beginAttempt(org, email, home);
  });

  test("a lockdown's Retry-After is the time left in the account's window, not a whole window", async () => {
    let now = 0;
    const throttle = createLoginThrottle(createMemoryAttemptCounter({ now: () => now }), createKnownNetworksRepository(t.database.db), lockdownLimits, registrationLimits);
    const { email } = await registerUser(t);
    for (let i = 0; i < 20; i++) await throttle.beginAttempt(t.organisationId, email, fresh(i));
    now = 400_000;
    await assert.rejects(throttle.beginAttempt(t.organisationId, email, fresh(300)), (error: { statusCode: number; headers?: Record<string, string> }) => {
      assert.equal(error.statusCode, 429);
      assert.equal(error.headers?.['retry-after'], '200');
      return true;
    });
  });

  test('one address alone cannot put an account into lockdown: its refused attempts are no failures against the account', async () => {
    const throttle = createLoginThrottle(createMemoryAttemptCounter(), createKnownNetworksRepository(t.database.db), lockdownLimits, registrationLimits);
    const [org, email] = ['org-single', uniqueEmail('single')];
    let refused = 0;
    for (let i = 0; i < 100; i++) await throttle.beginAttempt(org, email, '192.0.2.40').catch(() => (refused += 1));
    assert.equal(refused, 95, 'the address is refused after its five failures');
    await throttle.beginAttempt(org, email, '192.0.2.41'); // a network never seen: no lockdown
  });

  test('networks an account signed in from outlive a restart (a new counter store): its owner still gets in during a lockdown', async () => {
    const knownNetworks = createKnownNetworksRepository(t.database.db);
    const { id, email } = await registerUser(t);
    const [org, home] = [t.organisationId, '2001:db8:7:7::1'];
    const before = createLoginThrottle(createMemoryAttemptCounter(), knownNetworks, lockdownLimits, registrationLimits);
    await before.beginAttempt(org, email, home);
    await before.recordSuccess(org, email, home, id);
    const after = createLoginThrottle(createMemoryAttemptCounter(), knownNetworks, lockdownLimits, registrationLimits);
    for (let i = 0; i < 20; i++) await after.beginAttempt(org, email, fresh(i));
    await assert.rejects(after.beginAttempt(org, email, fresh(99)), { statusCode: 429 });
    await after.beginAttempt(org, email, '2001:db8:7:7::abcd'); // the same /64
  });

  test('concurrent guesses from many addresses cannot overrun the lockdown: at most lockdownFailures reach the password check', async () => {
    const throttle = createLoginThrottle(createMemoryAttemptCounter(), createKnownNetworksRepository(t.database.db), lockdownLimits, registrationLimits);
    const { email } = await registerUser(t);
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => throttle.beginAttempt(t.organisationId, email, fresh(1000 + i)).then(() => 'tried', () => 'refused')));
    assert.equal(outcomes.filter((o) => o === 'tried').length, lockdownLimits.lockdownFailures);
  });

  test("the owner who mistypes once at a network the account signed in from is not shut out while the account is under attack", async () => {
    const throttle = createLoginThrottle(createMemoryAttemptCounter(), createKnownNetworksRepository(t.database.db), lockdownLimits, registrationLimits);
    const { id, email } = await registerUser(t);
    const [org, home, attacker] = [t.organisationId, '203.0.113.88', '198.51.100.66'];
    await throttle.beginAttempt(org, email, home);
    await throttle.recordSuccess(org, email, home, id);
    await throttle.beginAttempt(org, email, home); // a typo: it stays a failure
    for (let i = 0; i < 4; i++) await throttle.beginAttempt(org, email, attacker); // with the typo, the account is past maxFailuresPerAccount: under attack
    await throttle.beginAttempt(org, email, home); // the right password now: it may be checked
    await assert.rejects(throttle.beginAttempt(org, email, attacker), { statusCode: 429 }, 'the attacker, who failed here, waits');
    const stranger = '192.0.2.123';
    await throttle.beginAttempt(org, email, stranger);
    await assert.rejects(throttle.beginAttempt(org, email, stranger), { statusCode: 429 }, 'a network the account never signed in from, which failed, waits');
  });

  test('a window ends after its seconds: the count starts again', async () => {
    let now = 0;
    const counter = createMemoryAttemptCounter({ now: () => now });
    for (let i = 0; i < 5; i++) await counter.increment('k', 1);
    assert.equal((await counter.peek('k')).count, 5);
    now = 1500;
    assert.equal((await counter.peek('k')).count, 0);
    assert.equal((await counter.increment('k', 1)).count, 1);
  });
});

describe('registration is rate limited per address, and can be closed per organisation', () => {
  test('anonymous registrations beyond the limit from one address are 429; another address still registers', async () => {
    const register = (remoteAddress: string) =>
      t.inject({ method: 'POST', url: '/user/register', remoteAddress, payload: { userName: 'Bot', email: uniqueEmail('bot'), password: 'a-fine-password-42' } });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const response = await register('198.18.0.1');
      if (response.statusCode === 201) t.logs.secret(response.json().access_token as string);
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
    const elsewhere = await register('198.18.0.2');
    assert.equal(elsewhere.statusCode, 201);
    t.logs.secret(elsewhere.json().access_token as string);
  });
});

describe('publicRegistration: an organisation closes anonymous self-registration', () => {
  test('PATCH /admin/settings {publicRegistration: false} refuses anonymous registrations with 403 REGISTRATION_CLOSED; API-key ones go on', async () => {
    const patch = await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(t.apiKey), payload: { publicRegistration: false } });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.equal(patch.json().publicRegistration, false);
    // Anonymous callers reach the default organisation, shared by every test on this database: the rule is asked directly for ours.
    const input = { userName: 'Anon', email: uniqueEmail('anon'), password: 'a-fine-password-42' };
    await assert.rejects(t.ctx.services.users.register(t.organisationId, input, { clientAddress: '198.18.1.1' }), { code: 'REGISTRATION_CLOSED', statusCode: 403 });
    await registerUser(t);
    const reopened = await t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(t.apiKey), payload: { publicRegistration: true } });
    assert.equal(reopened.json().publicRegistration, true);
  });
});
