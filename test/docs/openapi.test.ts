import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { useTestApp } from '../helpers/test-app.js';

interface Media {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: { default?: unknown } }>;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description?: string; content?: Record<string, Media> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const formatsExport = addFormatsModule as unknown as { default: FormatsPlugin | { default: FormatsPlugin } };
const addFormats: FormatsPlugin = typeof formatsExport.default === 'function' ? formatsExport.default : formatsExport.default.default;

const t = useTestApp();
let cached: Spec | undefined;
async function spec(): Promise<Spec> {
  cached ??= (await t.inject({ method: 'GET', url: '/openapi.json' })).json<Spec>();
  return cached;
}

async function operations(): Promise<Array<{ key: string; path: string; method: string; op: Operation }>> {
  const { paths } = await spec();
  return Object.entries(paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })));
}

const examplesOf = (media: Media): unknown[] => (media.examples ? Object.values(media.examples).map((e) => e.value) : 'example' in media ? [media.example] : []);

/** Every example checked against its own schema, so an example cannot teach a shape the service refuses. */
async function validator(): Promise<(pointer: string, value: unknown) => string | undefined> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(await spec(), 'spec');
  return (pointer, value) => {
    const validate = ajv.compile({ $ref: `spec#${pointer}` });
    return validate(value) ? undefined : ajv.errorsText(validate.errors);
  };
}

const pointer = (...parts: string[]) => parts.map((p) => `/${p.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

describe('/openapi.json teaches by example', () => {
  test('every request body has a realistic example that its own schema accepts', async () => {
    const check = await validator();
    const problems: string[] = [];
    for (const { key, path, method, op } of await operations()) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        const examples = examplesOf(media);
        if (examples.length === 0) problems.push(`${key} ${type}: no request example`);
        for (const example of examples) {
          const error = check(pointer('paths', path, method, 'requestBody', 'content', type, 'schema'), example);
          if (error) problems.push(`${key} ${type}: example refused: ${error}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('every response has a description and, where it has a body, an example its schema accepts', async () => {
    const check = await validator();
    const problems: string[] = [];
    for (const { key, path, method, op } of await operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!response.description || response.description === 'Default Response') problems.push(`${key} ${status}: no description`);
        for (const [type, media] of Object.entries(response.content ?? {})) {
          const examples = examplesOf(media);
          if (examples.length === 0) problems.push(`${key} ${status} ${type}: no example`);
          for (const example of examples) {
            const error = check(pointer('paths', path, method, 'responses', status, 'content', type, 'schema'), example);
            if (error) problems.push(`${key} ${status}: example refused: ${error}`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the seeds’ example values (cuid, tok_123, the seed-004 address) are the ones shown', async () => {
    const { paths } = await spec();
    assert.deepEqual(paths['/payment/confirm']!.post!.requestBody!.content['application/json']!.example, {
      cuid: 'cjld2cjxh0000qzrmn831i7rn',
      paymentId: 'pi_TJmGgGoxbDlYCxBBBk3N3Y2S',
      paymentMethodId: 'pm_card_visa',
    });
    const stripeInfo = paths['/v1/users/user/current/stripe_info']!.post!;
    assert.deepEqual(stripeInfo.requestBody!.content['application/json']!.example, { coord_targeted_token: 'tok_123' });
    const cv = paths['/api/v1/users']!.post!.requestBody!.content['application/json']!.examples!;
    assert.equal((cv.UPDATE_PAYMENT_INFO!.value as { data: { shippingAddress: { city: string } } }).data.shippingAddress.city, 'Washington');
  });

  test('a query parameter with a default is not marked required', async () => {
    const wronglyRequired = (await operations()).flatMap(({ key, op }) =>
      (op.parameters ?? []).filter((p) => p.in === 'query' && p.schema?.default !== undefined && p.required).map((p) => `${key} ${p.name}`),
    );
    assert.deepEqual(wronglyRequired, []);
    const { paths } = await spec();
    assert.equal(paths['/payment']!.get!.parameters!.find((p) => p.name === 'limit')!.required, false);
  });

  test('each face has its own sections and its own auth scheme', async () => {
    const problems: string[] = [];
    for (const { key, path, op } of await operations()) {
      const schemes = new Set((op.security ?? []).flatMap((requirement) => Object.keys(requirement)));
      const tags = op.tags ?? [];
      if (path.startsWith('/api/v1/users')) {
        if (!tags.includes('CareValidate API') || [...schemes].join() !== 'cvApiKey') problems.push(`${key}: not a CareValidate operation`);
      } else if (path.startsWith('/v1/users')) {
        if (!tags.includes('Coord Users API') || [...schemes].some((s) => !s.startsWith('coord'))) problems.push(`${key}: not a Coord operation`);
      } else if ([...schemes].some((s) => !s.startsWith('native')) || tags.some((tag) => tag.startsWith('Co') || tag.startsWith('Ca'))) {
        problems.push(`${key}: not a native operation`);
      }
    }
    assert.deepEqual(problems, []);
    const current = (await spec()).paths['/v1/users/user/current']!.get!;
    assert.deepEqual(current.security, [{ coordAccessKey: [], coordJwt: [] }], 'a Coord user route needs the partner key and the user JWT together');
  });
});
