import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ShuttingDownError } from '../core/errors.js';

// While closing, connections with no request in flight are closed this often. Node's own idle
// check misses a client that connected and said nothing (or sent half a request), and stops timing
// such clients out once the server closes: one of them would hold the process open.
const IDLE_SWEEP_MS = 250;

/**
 * A graceful close that ends: requests in flight finish (for up to `graceMs`, then every connection
 * is closed), their answers say `Connection: close`, a request that still arrives on an open
 * connection is a SHUTTING_DOWN 503 in its face's envelope, and no connection without a request
 * in flight is kept.
 */
export function useGracefulClose(app: FastifyInstance, graceMs: number): void {
  // Every open connection, with the number of its requests not yet answered.
  const connections = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    connections.set(socket, 0);
    socket.once('close', () => connections.delete(socket));
  });
  app.server.on('request', (request: { socket: Socket }, response: { once(event: 'close', listener: () => void): void }) => {
    const { socket } = request;
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    response.once('close', () => connections.has(socket) && connections.set(socket, connections.get(socket)! - 1));
  });
  const closeIdle = () => {
    for (const [socket, unanswered] of connections) if (unanswered <= 0) socket.destroy();
  };

  let closing = false;
  let timers: NodeJS.Timeout[] = [];
  app.addHook('preClose', (done) => {
    closing = true;
    closeIdle();
    timers = [setInterval(closeIdle, IDLE_SWEEP_MS), setTimeout(() => app.server.closeAllConnections(), graceMs)];
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
