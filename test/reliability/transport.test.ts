import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer, uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const t = useTestApp({ env: { REQUEST_TIMEOUT_MS: '1500' } });

/** Sends bytes exactly as given over a socket and returns what the server answered (or '' if it closed). */
function rawRequest(bytes: Buffer | string, options: { trickle?: boolean } = {}): Promise<{ text: string; closedAfterMs: number }> {
  const { port } = new URL(t.url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.once('connect', () => {
      if (!options.trickle) return void socket.write(bytes);
      // One byte a quarter second, forever: only the request timeout ends it.
      const data = Buffer.from(bytes);
      let i = 0;
      const timer = setInterval(() => (i < data.length && !socket.destroyed ? socket.write(data.subarray(i, ++i)) : clearInterval(timer)), 250);
      socket.once('close', () => clearInterval(timer));
    });
  });
}

const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('what reaches the server before any route', () => {
  test('text/plain with a JSON body is 415 UNSUPPORTED_MEDIA_TYPE, as the README documents', async () => {
    const payload = JSON.stringify({ userName: 'A', email: uniqueEmail(), password: 'long-enough-pass-9' });
    const response = await t.inject({ method: 'POST', url: '/user/register', headers: { 'content-type': 'text/plain' }, payload });
    assert.equal(response.statusCode, 415, response.body);
    assert.equal(response.json<{ code: string }>().code, 'UNSUPPORTED_MEDIA_TYPE');
    const cv = await t.inject({ method: 'POST', url: '/api/v1/users', headers: { 'content-type': 'text/plain', 'cv-api-key': t.apiKey }, payload: '{"action":"CREATE_USER"}' });
    assert.equal(cv.statusCode, 415, cv.body);
    assert.equal(cv.json<{ message: string }>().message, 'Unsupported media type');
  });

  test('a compressed body is 415 naming content-encoding, never parsed as if plain nor a 400 MALFORMED_BODY', async () => {
    const payload = JSON.stringify({ userName: 'A', email: uniqueEmail(), password: 'long-enough-pass-9' });
    for (const encoding of ['br', 'gzip', 'deflate, gzip']) {
      const response = await t.inject({ method: 'POST', url: '/user/register', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, payload });
      assert.equal(response.statusCode, 415, `${encoding}: ${response.body}`);
      assert.deepEqual(response.json<{ details: unknown }>().details, [{ path: '/headers/content-encoding', message: 'must be absent (or identity)' }]);
    }
    const plain = await t.inject({ method: 'POST', url: '/user/register', headers: { 'content-type': 'application/json', 'content-encoding': 'identity' }, payload });
    assert.equal(plain.statusCode, 201, plain.body);
  });

  test('a credential header sent twice (two keys, say) is a 400 naming it, not served as the first', async () => {
    const user = await registerUser(t);
    for (const header of ['Authorization: Bearer x', 'authorization: Bearer y']) {
      const { text } = await rawRequest(`GET /user/${user.id} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n${header}\r\nConnection: close\r\n\r\n`);
      assert.match(text, /^HTTP\/1\.1 400 /, text);
      assert.deepEqual(bodyOf(text).details, [{ path: '/headers/authorization', message: 'must be sent once' }]);
    }
    const { text } = await rawRequest(`GET /api/v1/users HTTP/1.1\r\nHost: x\r\ncv-api-key: ${t.apiKey}\r\ncv-api-key: other\r\nConnection: close\r\n\r\n`);
    assert.match(text, /^HTTP\/1\.1 400 /, text);
    const once = await rawRequest(`GET /user/${user.id} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nConnection: close\r\n\r\n`);
    assert.match(once.text, /^HTTP\/1\.1 200 /, once.text);
  });

  test('an HTTP/1.1 request without a Host, or with two, is a 400 naming it in the face\'s envelope (not a bare 400, not served)', async () => {
    const user = await registerUser(t);
    const noHost = await rawRequest(`GET /user/${user.id} HTTP/1.1\r\nAuthorization: Bearer ${user.token}\r\nConnection: close\r\n\r\n`);
    assert.match(noHost.text, /^HTTP\/1\.1 400 /, noHost.text);
    assert.deepEqual(bodyOf(noHost.text).details, [{ path: '/headers/host', message: 'must be sent' }]);
    assert.match(noHost.text, /x-request-id: req_/i);
    const twoHosts = await rawRequest(`GET /user/${user.id} HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nAuthorization: Bearer ${user.token}\r\nConnection: close\r\n\r\n`);
    assert.match(twoHosts.text, /^HTTP\/1\.1 400 /, twoHosts.text);
    assert.deepEqual(bodyOf(twoHosts.text).details, [{ path: '/headers/host', message: 'must be sent once' }]);
    const cv = await rawRequest('GET /api/v1/users?email=a@example.com HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(cv.text, /^HTTP\/1\.1 400 /, cv.text);
    assert.equal(bodyOf(cv.text).success, false);
    for (const value of ['a, b', '', 'a b', 'user@evil.example', 'evil.example/x', 'a:99999', 'é.example']) {
      const bad = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: ${value}\r\nConnection: close\r\n\r\n`);
      assert.match(bad.text, /^HTTP\/1\.1 400 /, `Host: ${value}: ${bad.text}`);
    }
    for (const value of ['paybridge.example', 'paybridge.example:8443', '127.0.0.1:3000', '[::1]:3000', 'localhost', 'xn--bcher-kva.example', 'pay_bridge:3000']) {
      const good = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: ${value}\r\nConnection: close\r\n\r\n`);
      assert.match(good.text, /^HTTP\/1\.1 200 /, `Host: ${value}: ${good.text}`);
    }
    const http10 = await rawRequest('GET /healthz HTTP/1.0\r\n\r\n');
    assert.match(http10.text, /^HTTP\/1\.1 200 /, 'HTTP/1.0 needs no Host');
  });

  test('a transfer coding other than chunked is a 501 naming it, never read as if plain', async () => {
    const body = JSON.stringify({ userName: 'A', email: uniqueEmail(), password: 'long-enough-pass-9' });
    const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    for (const path of ['/user/register', '/api/v1/users']) {
      const { text } = await rawRequest(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n${chunked}`);
      assert.match(text, /^HTTP\/1\.1 501 /, text);
      if (path === '/user/register') assert.deepEqual(bodyOf(text).details, [{ path: '/headers/transfer-encoding', message: 'must be chunked (or absent)' }]);
      else assert.deepEqual({ ...bodyOf(text) }, { status: 501, success: false, message: 'Not implemented', error: 'Only the chunked transfer coding is supported: send the body as it is, or chunked' });
    }
    const loggedAsOurs = t.logs.lines.map((line) => JSON.parse(line) as { level: number; code?: string }).filter((line) => line.code === 'TRANSFER_CODING_NOT_SUPPORTED' && line.level >= 50);
    assert.deepEqual(loggedAsOurs, [], "the client's fault: logged at warn, never as a server error");
    const plain = await rawRequest(`POST /user/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`);
    assert.match(plain.text, /^HTTP\/1\.1 201 /, plain.text);
  });

  test("a raw non-ASCII byte in the URL gets the face's envelope, not Fastify's", async () => {
    const cases: Array<[string, (body: Record<string, unknown>) => void]> = [
      ['/payment/\xff', (body) => assert.match(String(body.requestId), /^req_/)],
      ['/v1/users/user/\xff', (body) => assert.match(String(body.request_id), /^req_/)],
      ['/api/v1/users/\xff', (body) => assert.equal(body.success, false)],
    ];
    for (const [path, check] of cases) {
      const { text } = await rawRequest(Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'));
      assert.match(text, /^HTTP\/1\.1 4\d\d /, text);
      const body = bodyOf(text);
      assert.notEqual(body.code, 'FST_ERR_BAD_URL', text);
      assert.equal(body.error === 'Bad Request', false, text);
      check(body);
    }
  });

  test('a body trickled slower than REQUEST_TIMEOUT_MS is cut off', async () => {
    const head = 'POST /user/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    const slow = rawRequest(`${head}{"email":"a@example.com","password":"${'x'.repeat(60)}"}`, { trickle: true });
    const { closedAfterMs } = await Promise.race([slow, sleep(15_000).then(() => ({ closedAfterMs: Infinity }))]);
    assert.ok(closedAfterMs < 10_000, `the connection was held for ${closedAfterMs} ms`);
  });

  test("a body that stops arriving is a 408 in the envelope of the request's face", async () => {
    const stalled = (path: string, headers = '') => rawRequest(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n${headers}\r\n{"a":`);
    const [native, coord, careValidate] = await Promise.all([
      stalled('/user/login'), stalled('/v1/users/create_jwt', `x-access-key: ${t.apiKey}\r\n`), stalled('/api/v1/users', `cv-api-key: ${t.apiKey}\r\n`),
    ]);
    for (const { text } of [native, coord, careValidate]) assert.match(text, /^HTTP\/1\.1 408 /, text);
    assert.equal(bodyOf(native.text).code, 'REQUEST_TIMEOUT');
    assert.match(String(bodyOf(native.text).requestId), /^req_/);
    assert.match(native.text, new RegExp(`\\r\\nx-request-id: ${String(bodyOf(native.text).requestId)}\\r\\n`, 'i'), 'the id the body quotes, as on every answer');
    assert.match(String(bodyOf(coord.text).request_id), /^req_/, coord.text);
    assert.equal(bodyOf(careValidate.text).success, false, careValidate.text);
    assert.equal(bodyOf(careValidate.text).status, 408, careValidate.text);
  });

  test('an answer given before the body arrived is the only answer on its connection: the connection closes after it', async () => {
    const early = (path: string, headers: string) => rawRequest(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n${headers}\r\n{"a":`);
    const [careValidate, native] = await Promise.all([
      early('/api/v1/users', 'cv-api-key: not-a-key\r\n'), // refused in onRequest: no key check waits for a body
      early('/user/login', 'Authorization: Bearer a\r\nAuthorization: Bearer b\r\n'), // two credentials: refused before the body
    ]);
    for (const [{ text, closedAfterMs }, status] of [[careValidate, 401], [native, 400]] as const) {
      assert.equal(text.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, `one answer, not a 408 after it:\n${text}`);
      assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), text);
      assert.match(text, /\r\nconnection: close\r\n/i, text);
      assert.ok(closedAfterMs < 1500, `closed after ${closedAfterMs} ms, not at the request timeout`);
    }
  });

  test('an Expect other than 100-continue alone is one 417 in the face\'s envelope, and the connection closes', async () => {
    const expecting = (path: string, headers = '', expect = 'foo') =>
      rawRequest(`POST ${path} HTTP/1.1\r\nHost: x\r\nExpect: ${expect}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n${headers}\r\n{`);
    const [native, coord, careValidate, continueAndMore] = await Promise.all([
      expecting('/user/login'), expecting('/v1/users/create_jwt'), expecting('/api/v1/users', `cv-api-key: ${t.apiKey}\r\n`), expecting('/user/login', '', '100-continue, foo'),
    ]);
    for (const { text, closedAfterMs } of [native, coord, careValidate, continueAndMore]) {
      assert.equal(text.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, `one answer, not a 408 after it:\n${text}`);
      assert.match(text, /^HTTP\/1\.1 417 /, text);
      assert.match(text, /\r\nconnection: close\r\n/i, text);
      assert.ok(closedAfterMs < 1500, `closed after ${closedAfterMs} ms`);
    }
    assert.equal(bodyOf(native.text).code, 'EXPECTATION_FAILED');
    // A path that only starts like a face's prefix is not that face's, here as at the router.
    assert.equal(bodyOf((await expecting('/v1/usersX')).text).code, 'EXPECTATION_FAILED');
    // An absolute-form target is the face of its path, as the router serves it.
    assert.match(String(bodyOf((await expecting('http://x/v1/users/create_jwt')).text).request_id), /^req_/);
    assert.match(native.text, new RegExp(`\\r\\nx-request-id: ${String(bodyOf(native.text).requestId)}\\r\\n`, 'i'), 'the id the body quotes');
    assert.match(String(bodyOf(coord.text).request_id), /^req_/, coord.text);
    assert.equal(bodyOf(careValidate.text).status, 417, careValidate.text);
  });

  test('Expect: 100-continue gets its 100 only once the body is to be read: a request refused first gets one final answer and no 100', async () => {
    const refusedFromHeaders: Array<[string, number]> = [
      ['POST /api/v1/users HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 30', 401], // no cv-api-key
      ['POST /user/login HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 30', 415],
      ['POST /user/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 99999999', 413],
    ];
    for (const [head, status] of refusedFromHeaders) {
      const { text, closedAfterMs } = await rawRequest(`${head}\r\nHost: x\r\nExpect: 100-continue\r\n\r\n`);
      assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), `no 100 Continue before the refusal:\n${text}`);
      assert.equal(text.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, text);
      assert.ok(closedAfterMs < 1500, `closed after ${closedAfterMs} ms`);
    }

    // A request that is to be served: 100 Continue, then the body, then the answer.
    const body = JSON.stringify({ email: uniqueEmail('continue'), password: 'not-the-password-9' });
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(t.url).port), '127.0.0.1');
      let received = '';
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if (received === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write(body);
        else if (/\r\n\r\n[^]*\}$/.test(received)) socket.end();
      });
      socket.on('close', () => resolve(received));
      socket.once('connect', () => socket.write(`POST /user/login HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`));
    });
    assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 401 /, answer);
    assert.equal(bodyOf(answer.slice(answer.indexOf('HTTP/1.1 401'))).code, 'INVALID_CREDENTIALS');
  });

  test('a request pipelined before bytes the parser refuses is answered first (it was carried out), then the 400', async () => {
    const body = JSON.stringify({ userName: 'Pipe', email: uniqueEmail('pipe'), password: 'long-enough-pass-9' });
    const good = `POST /user/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const { text } = await rawRequest(`${good}XYZ\r\n\r\n`);
    assert.deepEqual(text.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 201', 'HTTP/1.1 400'], text);
    // After a request that closes the connection, what follows is no request: its answer, and nothing more.
    const closing = await rawRequest('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(closing.text.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 200'], closing.text);
  });

  test('CONNECT is a 405 in the native envelope, not a silent close', async () => {
    const { text } = await rawRequest('CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 405 /, text);
    assert.match(text, /\r\nconnection: close\r\n/i, text);
    assert.equal(bodyOf(text).code, 'METHOD_NOT_ALLOWED');
  });

  test('headers trickled slower than REQUEST_TIMEOUT_MS are cut off', async () => {
    const slow = rawRequest(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'y'.repeat(200)}\r\n\r\n`, { trickle: true });
    const { closedAfterMs } = await Promise.race([slow, sleep(15_000).then(() => ({ closedAfterMs: Infinity }))]);
    assert.ok(closedAfterMs < 10_000, `the connection was held for ${closedAfterMs} ms`);
  });
});

describe('a bodiless POST labelled application/json', () => {
  test('is a request with no body: logout answers 204 and the session ends', async () => {
    const user = await registerUser(t);
    const logout = await t.inject({ method: 'POST', url: '/user/logout', headers: { ...bearer(user.token), 'content-type': 'application/json' }, payload: '' });
    assert.equal(logout.statusCode, 204, logout.body);
    assert.equal((await t.inject({ method: 'GET', url: `/user/${user.id}`, headers: bearer(user.token) })).statusCode, 401);
  });

  test('where a body is expected, an empty one is still 400 MALFORMED_BODY', async () => {
    const response = await t.inject({ method: 'POST', url: '/user/login', headers: { 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'MALFORMED_BODY');
  });
});

describe('a client that goes away mid-body', () => {
  test('is its own doing: logged as a warning (never a 503 at error level)', async () => {
    const before = t.logs.lines.length;
    const { port } = new URL(t.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(`POST /user/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":"a`);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
      socket.resume();
    });
    await sleep(200);
    const lines = t.logs.lines.slice(before).map((line) => JSON.parse(line) as { level: number; code?: string });
    assert.ok(lines.every((line) => line.level < 50), JSON.stringify(lines));
    assert.ok(!lines.some((line) => line.code === 'SERVICE_UNAVAILABLE'));
  });
});
