import assert from 'node:assert/strict';
import type { TestApp } from './test-app.js';
import { bearer, uniqueEmail } from './test-app.js';


export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** Registers a user in the test's organisation (or the organisation of `apiKey`) and signs it in. */
export async function registerUser(t: TestApp, overrides: { email?: string; userName?: string; apiKey?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = t.logs.secret(`pw-${Math.random().toString(36).slice(2)}-Zq9!`);
  const response = await t.inject({
    method: 'POST',
    url: '/user/register',
    headers: bearer(overrides.apiKey ?? t.apiKey),
    payload: { userName: overrides.userName ?? 'Test User', email, password },
  });
  assert.equal(response.statusCode, 201, response.body);
  const token = t.logs.secret(response.json<{ access_token: string }>().access_token);
  return { id: tokenSubject(token), email: email.trim().toLowerCase(), password, token };
}

export function tokenSubject(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string };
  return payload.sub;
}
