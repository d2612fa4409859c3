import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, createTestApp, type TestApp, uniqueEmail } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

// The Redis variant runs where REDIS_URL names a server (.ci/run sets it).
// Redis counts per address across every process that uses it (another run, another file): each test takes addresses of its own.
const freshAddress = () => `10.${Array.from({ length: 3 }, () => Math.floor(Math.random() * 256)).join('.')}`;
const backends = process.env.REDIS_URL ? (['memory', 'redis'] as const) : (['memory'] as const);

for (const backend of backends) {
  describe(`login rate limit (${backend})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ env: {
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
        LOGIN_WINDOW_SECONDS: '60',
        ...(backend === 'redis' ? { REDIS_URL: process.env.REDIS_URL! } : {}),
      } });
    });
    after(async () => {
      t.logs.assertNoSecrets();
      await t.close();
    });

    const login = (email: string, password: string, address: string) =>
      t.inject({ method: 'POST', url: '/user/login', headers: bearer(t.apiKey), payload: { email, password }, remoteAddress: address });

    test('refuses the address that failed against an account, even for the right password, with Retry-After; the owner elsewhere signs in', async () => {
      const user = await registerUser(t);
      const [attacker, owner] = [freshAddress(), freshAddress()];
      for (let i = 0; i < 3; i++) assert.equal((await login(user.email, 'wrong-password', attacker)).statusCode, 401);
      const ownerLogin = await login(user.email, user.password, owner);
      assert.equal(ownerLogin.statusCode, 201, ownerLogin.body);
      t.logs.secret(ownerLogin.json().access_token as string);
      const locked = await login(user.email, user.password, attacker);
      assert.equal(locked.statusCode, 429);
      assert.equal(locked.json().code, 'RATE_LIMITED');
      const retryAfter = Number(locked.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    });

    test('a burst of concurrent guesses is capped too: only the first few are checked', async () => {
      const user = await registerUser(t);
      const address = freshAddress();
      const guesses = Array.from({ length: 20 }, () => login(user.email, 'wrong-password', address));
      const responses = await Promise.all([...guesses, login(user.email, user.password, address)]);
      const statuses = responses.map((r) => r.statusCode);
      assert.ok(statuses.filter((s) => s === 401).length <= 3, `at most 3 guesses were checked: ${statuses.join(',')}`);
      assert.ok(statuses.filter((s) => s === 429).length >= 17, statuses.join(','));
      for (const response of responses) if (response.statusCode === 201) t.logs.secret(response.json().access_token as string);
    });

    test('a successful login does not use up its address', async () => {
      const user = await registerUser(t);
      const address = freshAddress();
      for (let i = 0; i < 8; i++) {
        const ok = await login(user.email, user.password, address);
        assert.equal(ok.statusCode, 201, `login ${i}`);
        t.logs.secret(ok.json().access_token as string);
      }
    });

    test('other accounts are unaffected by one account being locked', async () => {
      const user = await registerUser(t);
      const ok = await login(user.email, user.password, freshAddress());
      assert.equal(ok.statusCode, 201);
      t.logs.secret(ok.json().access_token as string);
    });

    test('limits failures from one client address across accounts', async () => {
      const address = freshAddress();
      for (let i = 0; i < 6; i++) assert.equal((await login(uniqueEmail(), 'wrong-password', address)).statusCode, 401);
      assert.equal((await login(uniqueEmail(), 'wrong-password', address)).statusCode, 429);
    });
  });
}
