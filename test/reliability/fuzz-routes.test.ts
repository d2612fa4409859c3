import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { arbitraryFor, hostileValue, type JsonSchema } from '../helpers/schema-arbitrary.js';
import { useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

interface Operation {
  method: string;
  path: string;
  parameters?: Array<{ in: string; name: string; schema: JsonSchema; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 25);
let credentials: string[];
let doc: { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, JsonSchema> } };
let requests = 0;
const t = useTestApp({}, async () => {
  const user = await registerUser(t);
  credentials = [t.apiKey, user.token, 'garbage', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', ''];
  doc = (await t.inject({ method: 'GET', url: '/openapi.json' })).json();
});
const outcomes = { success: 0, validated: 0, clientError: 0 };

after(async () => {
  console.log(`fuzzing sent ${requests} requests: ${outcomes.success} successes (${outcomes.validated} checked against their response schema), ${outcomes.clientError} client errors`);
});

const resolveRef = (ref: string): JsonSchema => doc.components?.schemas?.[ref.split('/').pop()!] ?? {};

// The documented error shape of each face.
function assertErrorEnvelope(path: string, status: number, body: Record<string, unknown>): void {
  if (path.startsWith('/api/v1/users')) {
    if (status === 401) return assert.deepEqual(body, { status: 401, error: 'Invalid API key' });
    assert.equal(body.status, status);
    assert.equal(body.success, false);
    assert.equal(typeof body.message, 'string');
    assert.equal(typeof body.error, 'string');
  } else if (path.startsWith('/v1/users')) {
    assert.equal(body.status, status);
    assert.equal(typeof body.code, 'string');
    assert.equal(typeof body.message, 'string');
  } else {
    assert.equal(body.statusCode, status);
    assert.match(String(body.code), /^[A-Z][A-Z0-9_]+$/);
    assert.equal(typeof body.message, 'string');
    assert.match(String(body.requestId), /^req_/);
  }
}

const ajv = new Ajv({ strict: false, allErrors: false });
const validators = new Map<string, ValidateFunction>();
function responseValidator(operation: Operation, status: number): ValidateFunction | undefined {
  const schema = operation.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) return undefined;
  const key = `${operation.method} ${operation.path} ${status}`;
  if (!validators.has(key)) {
    if (!ajv.getSchema('doc')) ajv.addSchema({ $id: 'doc', components: doc.components ?? {} });
    validators.set(key, ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components/g, '"doc#/components'))));
  }
  return validators.get(key);
}

function requestArbitrary(operation: Operation) {
  const params = operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  return fc.record({
    credential: fc.constantFrom(...credentials, undefined),
    pathValues: fc.tuple(...pathParams.map(() => fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('.', '..', '%2e%2e', 'pi_123', '0')))),
    query: fc.tuple(...queryParams.map((p) => fc.option(arbitraryFor(p.schema, resolveRef), { freq: 2 }))),
    duplicateQuery: fc.boolean(),
    body: bodySchema ? arbitraryFor(bodySchema, resolveRef) : fc.option(hostileValue, { freq: 3 }),
    rawBody: fc.option(fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from([0xff, 0xfe, ...b])), fc.constant(Buffer.from('{"a":'))), { freq: 8 }),
  }).map((r) => ({ ...r, pathParams, queryParams }));
}

function urlOf(operation: Operation, request: ReturnType<typeof requestArbitrary> extends fc.Arbitrary<infer R> ? R : never): string {
  let path = operation.path;
  request.pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, encodeURIComponent(String(request.pathValues[i] ?? '')) || 'x')));
  const query = new URLSearchParams();
  request.queryParams.forEach((p, i) => {
    const value = request.query[i];
    if (value === null || value === undefined) return;
    query.append(p.name, typeof value === 'string' ? value : JSON.stringify(value));
    if (request.duplicateQuery) query.append(p.name, '2');
  });
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

describe('every route of every face, fuzzed from its own schema', () => {
  test('never a 5xx; errors in the face\'s envelope; successes match the documented response', async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
    );
    assert.ok(operations.length >= 10, `routes found: ${operations.length}`);
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(operation), async (request) => {
          requests += 1;
          const url = urlOf(operation, request);
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (request.credential !== undefined) {
            headers.authorization = `Bearer ${request.credential}`;
            headers['cv-api-key'] = request.credential;
          }
          const payload = request.rawBody ?? (request.body === null || request.body === undefined ? undefined : JSON.stringify(request.body));
          const response = await t.inject({ method: operation.method as 'GET', url, headers, ...(payload !== undefined && operation.method !== 'GET' ? { payload } : {}) });
          const label = `${operation.method} ${url} → ${response.statusCode} ${response.body.slice(0, 300)}`;
          assert.ok(response.statusCode < 500, label);
          if (!String(response.headers['content-type'] ?? '').includes('application/json')) return;
          const body = response.json<Record<string, unknown>>();
          if (response.statusCode >= 400) {
            outcomes.clientError += 1;
            assertErrorEnvelope(operation.path, response.statusCode, body);
            return;
          }
          outcomes.success += 1;
          // A path value of dots ('.', '..') is a dot-segment: the URL is resolved to another route
          // (GET /user/. is GET /user/, the list), whose answer is not this operation's to check.
          if (new URL(url, 'http://paybridge.test').pathname !== url.split('?')[0]) return;
          const validate = responseValidator(operation, response.statusCode);
          if (validate) {
            outcomes.validated += 1;
            assert.ok(validate(body), `${label}\n${JSON.stringify(validate.errors)}`);
          }
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    assert.ok(outcomes.validated > RUNS_PER_ROUTE, `successes were reached and checked: ${JSON.stringify(outcomes)}`);
    assert.ok(outcomes.clientError > RUNS_PER_ROUTE, `errors were reached and checked: ${JSON.stringify(outcomes)}`);
  });
});
