import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { bearer, type TestApp } from '../helpers/test-app.js';

export interface SystemInput {
  systemId: string;
  name?: string;
  linkedAccountRequired?: boolean;
  linkUrl?: string | null;
  jwtClaims?: string[];
  usersApiFields?: string[];
}

/** A call to the Coord face: the user JWT as bearer, the access key (if any) as Coord sends it, in the query. */
export function coord(
  t: TestApp,
  options: { method: InjectOptions['method']; path: string; jwt?: string; accessKey?: string; payload?: unknown; headers?: Record<string, string> },
): Promise<LightMyRequestResponse> {
  const query = options.accessKey ? `${options.path.includes('?') ? '&' : '?'}access_key=${encodeURIComponent(options.accessKey)}` : '';
  return t.inject({
    method: options.method,
    url: `/v1/users${options.path}${query}`,
    headers: { ...(options.jwt ? bearer(options.jwt) : {}), ...options.headers },
    ...(options.payload !== undefined ? { payload: options.payload as InjectOptions['payload'] } : {}),
  });
}

/** A user JWT from create_jwt (server token as bearer) or testing/create_jwt (access_key). */
export async function userJwt(t: TestApp, body: { email: string; external_uid?: string; name?: string }, kind: 'live' | 'test' = 'live'): Promise<string> {
  const response =
    kind === 'live'
      ? await coord(t, { method: 'POST', path: '/create_jwt', headers: bearer(t.apiKey), payload: body })
      : await coord(t, { method: 'POST', path: '/testing/create_jwt', accessKey: t.apiKey, payload: body });
  assert.equal(response.statusCode, 200, response.body);
  return t.logs.secret(response.json<{ jwt_token: string }>().jwt_token);
}

export async function putCatalogue(t: TestApp, systems: SystemInput[]): Promise<void> {
  const response = await t.inject({ method: 'PUT', url: '/admin/transactable-systems', headers: bearer(t.apiKey), payload: systems.map((s) => ({ name: s.systemId, ...s })) });
  assert.equal(response.statusCode, 200, response.body);
}

export async function patchSettings(t: TestApp, settings: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return t.inject({ method: 'PATCH', url: '/admin/settings', headers: bearer(t.apiKey), payload: settings });
}

export interface UserSystem {
  system_id: string;
  transactable: boolean;
  linked_account: boolean;
  missing: { jwt_claims: string[]; users_api_fields: string[]; linked_account: boolean };
}

export async function systemsOf(t: TestApp, jwt: string): Promise<Map<string, UserSystem>> {
  const response = await coord(t, { method: 'GET', path: '/user/current/transactable_systems', jwt });
  assert.equal(response.statusCode, 200, response.body);
  const list = response.json<{ transactable_systems: UserSystem[] }>().transactable_systems;
  return new Map(list.map((s) => [s.system_id, s]));
}

export const PLATE = { license_plate: { text: 'ABC 1234', country: 'US', subdivision: 'NY' } };
