import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import type { ErrorEnvelope } from './error-handler.js';

/**
 * What any route can answer before it is reached: a request sent too slowly (408), with headers
 * too large (431), or in a transfer coding we do not decode (501, src/http/header-rules.ts).
 */
export const PARSER_STATUSES = [408, 431, 501];

// Node hands a Buffer as rawPacket; Fastify's typing describes its JSON form.
type ClientError = Error & { code?: string; rawPacket?: unknown };

function appErrorFor(error: ClientError): AppError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new AppError('REQUEST_TIMEOUT', 408, 'The request was not sent in time');
  if (error.code === 'HPE_HEADER_OVERFLOW') return new AppError('HEADERS_TOO_LARGE', 431, 'The request headers are too large');
  return new AppError('MALFORMED_REQUEST', 400, 'The request is not valid HTTP (e.g. a raw non-ASCII byte in the URL; percent-encode it)');
}

/** Node's parser on a socket, with the request whose body it is reading (Node's own field, not in its typings). */
type ParsingSocket = Socket & { parser?: { incoming?: { url?: string } | null } | null; _httpMessage?: { headersSent?: boolean } | null };

/**
 * The URL of the request the error is about: from the bytes the parser refused, or (a request
 * timed out while its body was arriving) from the request being read. Headers that never
 * finished arriving name no URL: those get the native envelope.
 */
function urlOf(error: ClientError, socket: ParsingSocket): string {
  if (Buffer.isBuffer(error.rawPacket)) return error.rawPacket.toString('latin1').split(' ')[1] ?? '/';
  return socket.parser?.incoming?.url ?? '/';
}

/** An answer given outside Fastify: a request id of its own, and the body in the envelope of the face the URL names. */
function answerOutsideRouting(envelopeFor: (url: string) => ErrorEnvelope, nextId: () => string, url: string, appError: AppError): { id: string; body: string } {
  const id = nextId();
  return { id, body: JSON.stringify(envelopeFor(url)(appError, { id } as FastifyRequest)) };
}

/**
 * Calls `then` once the answers of the requests already read from this socket are all sent: a
 * client that pipelined a good request before bad bytes gets that request's answer first (the
 * request was carried out). Node hands the socket to each queued answer in turn.
 */
function afterPendingAnswers(socket: ParsingSocket, then: () => void): void {
  const pending = socket._httpMessage as ServerResponse | null | undefined;
  if (!pending || pending.writableFinished || socket.destroyed) return then();
  let waited = false;
  const next = () => {
    if (waited) return;
    waited = true;
    setImmediate(() => afterPendingAnswers(socket, then));
  };
  pending.once('finish', next).once('close', next);
}

/**
 * Requests Node's HTTP parser refuses never reach Fastify's routing, so no face's error handler
 * sees them. They still get the envelope of the face their URL names (read from the raw bytes),
 * so a client of any face can parse every answer it gets. Requests read before the faulty bytes
 * (pipelined in the same packet) are answered first.
 */
export function clientErrorHandler(envelopeFor: (url: string) => ErrorEnvelope, nextId: () => string) {
  return (error: ClientError, socket: ParsingSocket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // Bytes after a request that closes the connection (Connection: close, HTTP/1.0) are no request: nothing to answer.
    if (error.code === 'HPE_CLOSED_CONNECTION') return afterPendingAnswers(socket, () => socket.end());
    const current = socket._httpMessage as (ServerResponse & { req?: IncomingMessage }) | null | undefined;
    if (current?.req && !current.req.complete) {
      // The fault is the request being read (its body stopped arriving). If its answer has begun (an
      // early refusal), a second one would be read as the answer to the next request (Node's own rule).
      if (current.headersSent) return void socket.destroy();
      return answerClientError(error, socket, envelopeFor, nextId);
    }
    afterPendingAnswers(socket, () => answerClientError(error, socket, envelopeFor, nextId));
  };
}

function answerClientError(error: ClientError, socket: ParsingSocket, envelopeFor: (url: string) => ErrorEnvelope, nextId: () => string): void {
  const appError = appErrorFor(error);
  writeAndClose(socket, answerOutsideRouting(envelopeFor, nextId, urlOf(error, socket), appError), appError);
}


/** An answer written straight to the socket (no ServerResponse exists for it), and the connection closed. */
function writeAndClose(socket: Socket, { id, body }: { id: string; body: string }, appError: AppError): void {
  if (socket.destroyed) return;
  if (socket.writable) {
    const status = `${appError.statusCode} ${STATUS_CODES[appError.statusCode] ?? ''}`;
    socket.write(`HTTP/1.1 ${status}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/**
 * CONNECT (a proxy tunnel) is no request this service answers: Node would close the connection
 * without a word. It is a 405 in the native envelope (its target names no face), and the
 * connection closes.
 */
export function connectRefusedHandler(envelopeFor: (url: string) => ErrorEnvelope, nextId: () => string) {
  return (_request: IncomingMessage, socket: Socket): void => {
    const appError = new AppError('METHOD_NOT_ALLOWED', 405, 'CONNECT is not supported: this is not a proxy');
    writeAndClose(socket, answerOutsideRouting(envelopeFor, nextId, '/', appError), appError);
  };
}

/**
 * A request whose `Expect` is anything but 100-continue alone (continueWhenBodyIsRead) is a 417
 * in the envelope of its face, and its connection is closed: its body may never come, and Node's
 * own bare 417 kept the connection, so a request timeout later answered the same request again.
 */
export function expectationFailedHandler(envelopeFor: (url: string) => ErrorEnvelope, nextId: () => string) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const appError = new AppError('EXPECTATION_FAILED', 417, 'Only "Expect: 100-continue" is supported');
    const { id, body } = answerOutsideRouting(envelopeFor, nextId, request.url ?? '/', appError);
    response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': id, connection: 'close' });
    response.end(body);
  };
}
