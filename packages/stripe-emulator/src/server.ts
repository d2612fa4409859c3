import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { handleApi } from './api.js';
import { handleControl, type ControlRuntime } from './control.js';
import { apiError, StripeApiError, unrecognizedUrl } from './errors.js';
import { BodyTooLarge, readBody, sendError, tooLarge } from './http-io.js';
import { newRequestId } from './ids.js';

/**
 * No answer leaves before what the request changed is on disk: every response ends through
 * here, which commits the store first. Should the write fail, the client gets no answer at all
 * (as on a crash), never an answer about state that was not kept.
 */
function endAfterCommit(rt: ControlRuntime, res: ServerResponse): void {
  const end = res.end.bind(res);
  const durableEnd = (chunk?: string): ServerResponse => {
    rt.state.store.commit().then(
      () => end(chunk),
      (err: unknown) => {
        rt.log('error', 'could not persist emulator state; answer withheld', { error: err instanceof Error ? err.message : String(err) });
        res.destroy();
      },
    );
    return res;
  };
  res.end = durableEnd as ServerResponse['end'];
}

async function onRequest(rt: ControlRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  endAfterCommit(rt, res);
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
    // The client went away before its body arrived: its own doing, nothing to answer or alert on.
    else if (req.destroyed || req.aborted) rt.log('info', 'client closed the connection before its request was read', { requestId });
    else {
      rt.log('error', 'unexpected emulator error', { requestId, path: loggablePath(path), error: err instanceof Error ? err.stack : String(err) });
      sendError(res, apiError('An internal error occurred in the Stripe emulator.'));
    }
  }
  res.once('finish', () => {
    const status = res.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    rt.log(level, 'request', { requestId, method: req.method, path: loggablePath(path), status, ms: Date.now() - started });
  });
}

/** A path as logged: a client secret or card token sent where an id belongs is a credential, withheld. */
const loggablePath = (path: string) => path.replace(/_secret_[A-Za-z0-9]+/g, '_secret_[withheld]').replace(/\btok_[A-Za-z0-9]+/g, 'tok_[withheld]');

export function createEmulatorServer(rt: ControlRuntime): http.Server {
  const server = http.createServer((req, res) => {
    void onRequest(rt, req, res);
  });
  // Longer than client keep-alive pools so an idle socket is not closed under a request in flight.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
