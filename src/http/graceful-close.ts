import type { FastifyInstance } from 'fastify';
import { ShuttingDownError } from '../core/errors.js';

// While closing, connections with no request under way are closed this often: Node closes the idle
// ones once, when the server closes, and stops timing out silent ones, so one opened just then (or a
// client that connects and says nothing) would hold the process open for ever.
const IDLE_SWEEP_MS = 500;

/**
 * A graceful close that ends: requests in flight finish (for up to `graceMs`, then every connection
 * is closed), their answers say `Connection: close`, a request that still arrives on an open
 * connection is a SHUTTING_DOWN 503 in its face's envelope, and no connection without a request
 * in flight is kept.
 */
export function useGracefulClose(app: FastifyInstance, graceMs: number): void {
  let closing = false;
  let timers: NodeJS.Timeout[] = [];
  app.addHook('preClose', (done) => {
    closing = true;
    timers = [setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS), setTimeout(() => app.server.closeAllConnections(), graceMs)];
    for (const timer of timers) timer.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    for (const timer of timers) clearTimeout(timer);
    done();
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    void reply.header('connection', 'close');
    done(new ShuttingDownError());
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
}
