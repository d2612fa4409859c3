import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { handleApi } from './api.js';
import { handleControl, type ControlRuntime } from './control.js';
import { apiError, StripeApiError, unrecognizedUrl } from './errors.js';
import { BodyTooLarge, readBody, sendError, tooLarge } from './http-io.js';
import { newRequestId } from './ids.js';

async function onRequest(rt: ControlRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  res.setHeader('Request-Id', requestId);
  const started = Date.now();
  let path = '';
  try {
    const raw = req.method === 'POST' ? await readBody(req) : '';
    if (req.method !== 'POST') req.resume();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    path = url.pathname;
    if (path === '/v1' || path.startsWith('/v1/')) handleApi(rt, req, res, requestId, url, raw);
    else if (path.startsWith('/_emulator/')) handleControl(rt, req, res, requestId, path, raw);
    else throw unrecognizedUrl(req.method ?? 'GET', path);
  } catch (err) {
    if (err instanceof BodyTooLarge) sendError(res, tooLarge(), { Connection: 'close' });
    else if (err instanceof StripeApiError) sendError(res, err);
    else {
      rt.log('error', 'unexpected emulator error', { requestId, path, error: err instanceof Error ? err.stack : String(err) });
      sendError(res, apiError('An internal error occurred in the Stripe emulator.'));
    }
  }
  res.once('finish', () => {
    const status = res.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    rt.log(level, 'request', { requestId, method: req.method, path, status, ms: Date.now() - started });
  });
}

export function createEmulatorServer(rt: ControlRuntime): http.Server {
  const server = http.createServer((req, res) => {
    void onRequest(rt, req, res);
  });
  // Longer than client keep-alive pools so an idle socket is not closed under a request in flight.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
