import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { coord, patchSettings, putCatalogue, systemsOf, userJwt } from './helpers.js';

let otherKey: string;
const t = useTestApp({}, async () => {
  const { organisations } = t.ctx.services;
  const organisation = await organisations.createOrganisation('another partner');
  otherKey = t.logs.secret((await organisations.issueApiKey(organisation.id, 'other')).key);
});

const admin = (method: 'GET' | 'PUT' | 'DELETE' | 'PATCH', url: string, payload?: unknown, key = t.apiKey) =>
  t.inject({ method, url, headers: bearer(key), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

describe('the transactable systems catalogue (administrators and API keys)', () => {
  test('one system is created with defaults, listed on the Coord face with its transaction_info, replaced, and removed', async () => {
    const created = await admin('PUT', '/admin/transactable-systems/CitiBike', { name: 'Citi Bike', linkedAccountRequired: true, usersApiFields: ['vehicle.license_plate'] });
    assert.equal(created.statusCode, 200, created.body);
    assert.deepEqual(created.json(), {
      systemId: 'CitiBike',
      name: 'Citi Bike',
      linkedAccountRequired: true,
      linkUrl: null,
      jwtClaims: [],
      usersApiFields: ['vehicle.license_plate'],
    });
    const listed = await coord(t, { method: 'GET', path: '/transactable_systems', accessKey: t.apiKey });
    assert.deepEqual(listed.json(), {
      transactable_systems: [
        { system_id: 'CitiBike', name: 'Citi Bike', transaction_info: { jwt_claims: [], linked_account: true, users_api_fields: ['vehicle.license_plate'] } },
      ],
    });
    const renamed = await admin('PUT', '/admin/transactable-systems/CitiBike', { name: 'Citi Bike NYC' });
    assert.equal(renamed.json().linkedAccountRequired, false, 'PUT replaces the whole system');
    assert.equal((await admin('DELETE', '/admin/transactable-systems/CitiBike')).statusCode, 204);
    assert.equal((await admin('DELETE', '/admin/transactable-systems/CitiBike')).statusCode, 404);
  });

  test('replacing the catalogue removes the systems left out, and users\' links to them', async () => {
    await putCatalogue(t, [{ systemId: 'Keep', linkedAccountRequired: true }, { systemId: 'Drop', linkedAccountRequired: true }]);
    const jwt = await userJwt(t, { email: uniqueEmail('links') }, 'test');
    for (const systemId of ['Keep', 'Drop']) {
      await coord(t, { method: 'POST', path: '/testing/user/current/transactable_systems', jwt, payload: { system_id: systemId, linked_account: true } });
    }
    await putCatalogue(t, [{ systemId: 'Keep', linkedAccountRequired: true }]);
    assert.deepEqual([...(await systemsOf(t, jwt)).keys()], ['Keep']);
    assert.equal((await systemsOf(t, jwt)).get('Keep')!.linked_account, true, 'links to kept systems stay');
    await putCatalogue(t, [{ systemId: 'Keep', linkedAccountRequired: true }, { systemId: 'Drop', linkedAccountRequired: true }]);
    assert.equal((await systemsOf(t, jwt)).get('Drop')!.linked_account, false, 'a re-created system does not inherit old links');
  });

  test('invalid systems are refused with every faulty field named, and nothing is changed', async () => {
    await putCatalogue(t, [{ systemId: 'Stable' }]);
    const bad = await admin('PUT', '/admin/transactable-systems', [
      { systemId: 'ok-1', name: 'OK', linkUrl: 'javascript:alert(1)' },
      { systemId: 'ok-2', name: 'OK', jwtClaims: ['email', 'email'] },
      { systemId: 'ok-2', name: 'Twice' },
    ]);
    assert.equal(bad.statusCode, 400, bad.body);
    assert.deepEqual(bad.json().details.map((d: { path: string }) => d.path), ['/0/linkUrl', '/1/jwtClaims', '/']);
    // The browser carries the signed linking state to the link URL: plain http only to this machine.
    const plain = await admin('PUT', '/admin/transactable-systems/X', { name: 'X', linkUrl: 'http://evil.example/link' });
    assert.equal(plain.statusCode, 400, plain.body);
    assert.equal(plain.json().details[0].path, '/linkUrl');
    assert.equal((await admin('PUT', '/admin/transactable-systems/X', { name: 'X', linkUrl: 'http://127.0.0.1:9000/link' })).statusCode, 200);
    assert.equal((await admin('DELETE', '/admin/transactable-systems/X')).statusCode, 204);
    const unknownField = await admin('PUT', '/admin/transactable-systems/X', { name: 'X', usersApiFields: ['stripe_info.card_number'] });
    assert.equal(unknownField.statusCode, 400);
    assert.equal(unknownField.json().details[0].path, '/usersApiFields/0');
    // The name is shown to users (the permission page): held to the rule for names.
    for (const name of ['Citi\u202EekiB', '\u200B', 'Citi\u200BBike']) {
      const disguised = await admin('PUT', '/admin/transactable-systems/X', { name });
      assert.equal(disguised.statusCode, 400, `${JSON.stringify(name)}: ${disguised.body}`);
      assert.equal(disguised.json().details[0].path, '/name');
    }
    const badId = await admin('PUT', '/admin/transactable-systems/bad%20id', { name: 'X' });
    assert.equal(badId.statusCode, 400);
    assert.deepEqual((await admin('GET', '/admin/transactable-systems')).json().map((s: { systemId: string }) => s.systemId), ['Stable']);
  });

  test('users may not manage the catalogue; another organisation sees and changes only its own', async () => {
    await putCatalogue(t, [{ systemId: 'Mine' }]);
    const user = await userJwt(t, { email: uniqueEmail('not-admin') });
    assert.equal((await admin('GET', '/admin/transactable-systems', undefined, user)).statusCode, 403);
    assert.equal((await admin('PUT', '/admin/transactable-systems/Mine', { name: 'Hijack' }, user)).statusCode, 403);
    assert.deepEqual((await admin('GET', '/admin/transactable-systems', undefined, otherKey)).json(), []);
    assert.equal((await admin('DELETE', '/admin/transactable-systems/Mine', undefined, otherKey)).statusCode, 404);
    assert.equal((await admin('GET', '/admin/transactable-systems')).json()[0].name, 'Mine');
    assert.equal((await admin('GET', '/admin/transactable-systems', undefined, 'pbk_wrong')).statusCode, 401);
  });
});

describe('redirect URI settings', () => {
  test('only absolute, fragment-free URIs of safe schemes are registered; a patch keeps what it does not name', async () => {
    const good = await patchSettings(t, { redirectUris: ['https://partner.example/done', 'myapp://linked'] });
    assert.equal(good.statusCode, 200, good.body);
    assert.deepEqual(good.json(), { redirectUris: ['https://partner.example/done', 'myapp://linked'], identityProvider: null, publicRegistration: true });
    const refused = ['/relative', 'javascript:alert(1)', 'https://x.example/#frag', 'https://u:p@x.example/', 'http://evil.example/x', 'WS://evil.example', 'ftp://evil.example', 'view-source:https://x.example', 'https://x.example/#', 'jar:https://x.example/a.jar!/', 'chrome://settings', 'ms-settings:privacy', 'intent://scan/#Intent;scheme=zxing;end', 'microsoft-edge:https://x', 'itms-services://?action=download-manifest', 'x-apple.systempreferences:x', 'steam://run/1', 'ssh://x', 'https://:@ok.example/cb', 'https://ok.example/cb\u202e', 'https://ok.example/ cb', 'hcp://x', 'shortcuts://run', 'googlechrome://x', 'https:\\\\evil.example', 'https:evil.example', 'https:///evil.example', 'https://x\u3002com/', 'https://ex\u0430mple.com/'];
    const bad = await patchSettings(t, { redirectUris: refused.slice(0, 20) });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().details.map((d: { path: string }) => d.path), refused.slice(0, 20).map((_, index) => `/redirectUris/${index}`));
    for (const uri of refused.slice(20)) {
      const one = await patchSettings(t, { redirectUris: [uri] });
      assert.equal(one.statusCode, 400, uri);
      assert.equal(one.json().details[0].path, '/redirectUris/0');
    }
    assert.equal((await patchSettings(t, {})).statusCode, 400, 'an empty patch says nothing');
    const settings = await admin('GET', '/admin/settings');
    assert.deepEqual(settings.json().redirectUris, ['https://partner.example/done', 'myapp://linked']);
    assert.equal((await patchSettings(t, { redirectUris: ['http://127.0.0.1:8080/cb', 'http://localhost/cb'] })).statusCode, 200, 'http to this machine, for development');
  });
});

describe('OpenAPI', () => {
  test('documents every Coord path under its own tag, with the Coord error body', async () => {
    const doc = (await t.inject({ method: 'GET', url: '/openapi.json' })).json();
    const coordPaths = [
      ['post', '/v1/users/create_jwt'],
      ['post', '/v1/users/testing/create_jwt'],
      ['post', '/v1/users/testing/user'],
      ['get', '/v1/users/user/current'],
      ['put', '/v1/users/user/current/vehicle'],
      ['post', '/v1/users/user/current/update_vehicle'],
      ['post', '/v1/users/user/current/stripe_info'],
      ['get', '/v1/users/transactable_systems'],
      ['get', '/v1/users/user/current/transactable_systems'],
      ['post', '/v1/users/testing/user/current/transactable_systems'],
      ['get', '/v1/users/link-account'],
      ['get', '/v1/users/user/current/link_account'],
      ['post', '/v1/users/link-account/decision'],
      ['get', '/v1/users/link-account/callback'],
    ] as const;
    for (const [method, path] of coordPaths) {
      const operation = doc.paths[path]?.[method];
      assert.ok(operation, `${method} ${path} is documented`);
      assert.deepEqual(operation.tags, ['Coord Users API'], path);
      const errors = Object.entries(operation.responses as Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>).filter(([status]) => status >= '400');
      assert.ok(errors.length > 0, `${path} documents its errors`);
      for (const [, response] of errors) assert.equal(response.content?.['application/json']?.schema.$ref, '#/components/schemas/CoordError', path);
    }
    assert.ok(doc.components.schemas.CoordError.properties.code);
    const stripeInfo = doc.paths['/v1/users/user/current/stripe_info'].post;
    assert.ok(stripeInfo.parameters.some((p: { in: string; name: string }) => p.in === 'query' && p.name === 'access_key'), 'access_key is documented');
    assert.ok(doc.paths['/admin/transactable-systems'].put);
    assert.ok(doc.paths['/admin/settings'].patch);
  });
});
