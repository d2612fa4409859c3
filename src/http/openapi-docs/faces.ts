import type { Face } from './errors.docs.js';

export function faceOf(path: string): Face {
  if (path.startsWith('/api/v1/users')) return 'carevalidate';
  if (path.startsWith('/v1/users')) return 'coord';
  return 'native';
}

/** What route files name in `security`; each operation's is replaced by its face's own (securityOf). */
export const ROUTE_SECURITY_SCHEME = 'bearerAuth';

/** Each face authenticates its own way; the docs page's Authorize dialog offers each one by name. */
export const securitySchemes = {
  nativeJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Customers & Payments API: a user access token from POST /user/register or /user/login' },
  nativeApiKey: { type: 'http', scheme: 'bearer', description: 'Customers & Payments API: an organisation API key (pbk_…), for servers and operators' },
  coordAccessKey: { type: 'apiKey', in: 'query', name: 'access_key', description: "Coord Users API: the partner's organisation API key (also accepted as an X-Access-Key header)" },
  coordJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "Coord Users API: the user's jwt_token from create_jwt (or your identity provider's JWT)" },
  cvApiKey: { type: 'apiKey', in: 'header', name: 'cv-api-key', description: 'CareValidate API: an organisation API key' },
} as const;

export function securityOf(face: Face, path: string): Array<Record<string, string[]>> {
  if (face === 'carevalidate') return [{ cvApiKey: [] }];
  if (face === 'native') return [{ nativeJwt: [] }, { nativeApiKey: [] }];
  const userRoute = path.includes('/user/current') || path.endsWith('/link-account');
  return userRoute ? [{ coordAccessKey: [], coordJwt: [] }] : [{ coordAccessKey: [] }];
}

const NATIVE_TAGS = {
  Users: 'Customers & Payments API: users',
  Payments: 'Customers & Payments API: payments',
  'API keys': 'Administration: API keys',
  'Partner settings': 'Administration: partner settings',
  Operations: 'Administration: health',
  Stripe: 'Administration: Stripe webhooks',
} as const;

export function tagOf(face: Face, tag: string): string {
  const renamed: Record<string, string> = NATIVE_TAGS;
  return face === 'native' ? (renamed[tag] ?? tag) : tag;
}

/** The sections of the docs page, in order, each saying which face it belongs to and how it authenticates. */
export const tags = [
  { name: NATIVE_TAGS.Users, description: 'Seed 003: register, sign in, manage users. `Authorization: Bearer <access_token>` (or an organisation API key).' },
  { name: NATIVE_TAGS.Payments, description: 'Seed 003: idempotent payments keyed by a `cuid`. `Authorization: Bearer <access_token>`.' },
  { name: 'Coord Users API', description: 'Seeds 000-002, under /v1/users: the partner sends `access_key`; user routes add `Authorization: Bearer <jwt_token>`.' },
  { name: 'CareValidate API', description: 'Seed 004, under /api/v1/users: every call sends the `cv-api-key` header.' },
  { name: NATIVE_TAGS['API keys'], description: "The organisation's API keys. An API key or an admin user's token." },
  { name: NATIVE_TAGS['Partner settings'], description: 'What the Coord face offers: transactable systems, redirect URIs, identity provider.' },
  { name: NATIVE_TAGS.Operations, description: 'Liveness and readiness probes; no credential.' },
  { name: NATIVE_TAGS.Stripe, description: "Stripe's events, verified by their Stripe-Signature header." },
];
