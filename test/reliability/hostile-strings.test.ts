import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { userJwt } from '../coord/helpers.js';
import { validFor, type JsonSchema } from '../helpers/schema-arbitrary.js';
import { uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser, type TestUser } from '../helpers/users.js';

/**
 * Every field of every route of every face, one hostile string at a time: the answer is never a
 * 5xx, and a refused request leaves the organisation's rows exactly as they were.
 */

interface Operation {
  method: string;
  path: string;
  parameters?: Array<{ in: string; name: string; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

const RUNS_PER_ROUTE = Number(process.env.HOSTILE_RUNS ?? 10);
const MEGABYTE = 'x'.repeat(1024 * 1024);
const HOSTILE = [
  'nul\u0000byte', '\u0000', 'lone \ud800 high', 'lone \udfff low', '\udc00\ud800', MEGABYTE,
  '\u202eevil\u202c right-to-left', 'שלום عربى', '👩🏽‍💻🔥𝕏', "'; drop table users; --", "' or '1'='1", '__proto__', 'constructor', '%00', '../../etc/passwd', '',
];

let user: TestUser;
let coordJwt: string;
let doc: { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, JsonSchema> } };
const t = useTestApp({}, async () => {
  user = await registerUser(t);
  coordJwt = await userJwt(t, { email: uniqueEmail('hostile') });
  doc = (await t.inject({ method: 'GET', url: '/openapi.json' })).json();
});
const tally = { sent: 0, refused: 0, accepted: 0 };
after(() => console.log(`hostile strings: ${JSON.stringify(tally)}`));

const resolveRef = (ref: string): JsonSchema => doc.components?.schemas?.[ref.split('/').pop()!] ?? {};

// Everything this test's organisation owns, as one digest per table: a refused request must not change it.
const OWNED = ['users', 'api_keys', 'payment_profiles', 'payments', 'transactable_systems', 'organisation_settings'];
const USER_OWNED = ['sessions', 'idempotency_keys', 'account_links'];
async function snapshot(): Promise<string> {
  const org = t.organisationId;
  const parts = await Promise.all([
    ...OWNED.map((table) => sql`select md5(coalesce(string_agg(r::text, ',' order by r::text), '')) as d from ${sql.identifier(table)} r where organisation_id = ${org}`),
    ...USER_OWNED.map((table) => sql`select md5(coalesce(string_agg(r::text, ',' order by r::text), '')) as d from ${sql.identifier(table)} r join users u on u.id = r.user_id where u.organisation_id = ${org}`),
  ].map(async (query) => {
    const { rows } = (await t.ctx.database.db.execute(query)) as unknown as { rows: Array<{ d: string }> };
    return rows[0]!.d;
  }));
  return parts.join(' ');
}

/** JSON pointers of the leaves (and containers) of a value, where a hostile string can go. */
function fieldsOf(value: unknown, path: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return path.length ? [path] : [];
  const children = Object.entries(value).flatMap(([key, item]) => fieldsOf(item, [...path, key]));
  return path.length ? [path, ...children] : children;
}

function withValue(base: unknown, path: string[], hostile: string): unknown {
  if (path.length === 0) return hostile;
  const copy: Record<string, unknown> = Array.isArray(base) ? ([...base] as unknown as Record<string, unknown>) : { ...(base as object) };
  copy[path[0]!] = withValue(copy[path[0]!], path.slice(1), hostile);
  return copy;
}

// encodeURIComponent refuses lone surrogates; a client would send their (invalid) UTF-8 bytes.
function encodeHostile(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80';
  }
}

type Target = { kind: 'body'; path: string[] } | { kind: 'path' | 'query'; name: string };

function targetsOf(operation: Operation, body: unknown): Target[] {
  const params = (operation.parameters ?? []).map((p) => ({ kind: p.in as 'path' | 'query', name: p.name })).filter((p) => p.kind === 'path' || p.kind === 'query');
  const fields = body === undefined ? [] : [{ kind: 'body' as const, path: [] }, ...fieldsOf(body).map((path) => ({ kind: 'body' as const, path }))];
  return [...params, ...fields];
}

function requestFor(operation: Operation, body: unknown, target: Target, hostile: string, credential: string) {
  let path = operation.path.replace(/\{id\}/g, user.id).replace(/\{(\w+)\}/g, 'x1');
  let rawQuery = '';
  for (const p of operation.parameters ?? []) {
    if (target.kind !== 'body' && target.kind === p.in && target.name === p.name) {
      if (p.in === 'path') path = operation.path.replace(`{${p.name}}`, encodeHostile(hostile)).replace(/\{id\}/g, user.id).replace(/\{(\w+)\}/g, 'x1');
      else rawQuery = `${encodeURIComponent(p.name)}=${encodeHostile(hostile)}`;
    }
  }
  const payload = target.kind === 'body' ? withValue(body, target.path, hostile) : body;
  return {
    method: operation.method as 'GET',
    url: rawQuery ? `${path}?${rawQuery}` : path,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, 'cv-api-key': t.apiKey },
    ...(payload !== undefined && operation.method !== 'GET' ? { payload: JSON.stringify(payload) } : {}),
  };
}

describe('hostile strings in every field of every route of every face', () => {
  test('never a 5xx, and a refused request writes nothing', async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })));
    assert.ok(operations.length >= 20, `routes found: ${operations.length}`);
    for (const operation of operations) {
      const bodySchema = operation.requestBody?.content['application/json']?.schema;
      const credentials = operation.path.startsWith('/v1/users') ? [coordJwt, t.apiKey] : [user.token, t.apiKey];
      const arbitrary = fc.record({
        body: bodySchema ? validFor(bodySchema, resolveRef) : fc.constant(undefined),
        pick: fc.nat(),
        hostile: fc.constantFrom(...HOSTILE),
        credential: fc.constantFrom(...credentials),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ body, pick, hostile, credential }) => {
          const targets = targetsOf(operation, body);
          if (targets.length === 0) return;
          const target = targets[pick % targets.length]!;
          const before = await snapshot();
          const request = requestFor(operation, body, target, hostile, credential);
          const response = await t.inject(request);
          tally.sent += 1;
          const label = `${request.method} ${request.url.slice(0, 120)} ${JSON.stringify(target)} ${JSON.stringify(hostile.slice(0, 20))} → ${response.statusCode} ${response.body.slice(0, 200)}`;
          assert.ok(response.statusCode < 500, label);
          if (response.statusCode >= 400) {
            tally.refused += 1;
            assert.equal(await snapshot(), before, `a refused request changed stored rows: ${label}`);
          } else tally.accepted += 1;
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    assert.ok(tally.refused > operations.length, JSON.stringify(tally));
    assert.ok(tally.accepted > 0, JSON.stringify(tally));
  });
});
