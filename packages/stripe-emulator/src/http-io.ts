import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorJson, invalidRequest, type StripeApiError } from './errors.js';
import { MAX_BODY_BYTES } from './form.js';

export class BodyTooLarge extends Error {}

/** Reads the request body, refusing more than MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function tooLarge(): StripeApiError {
  return invalidRequest(`Request body too large: at most ${MAX_BODY_BYTES} bytes are accepted.`);
}

export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, no-store',
    ...headers,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, err: StripeApiError, headers: Record<string, string> = {}): void {
  const requestId = res.getHeader('Request-Id');
  sendJson(res, err.status, errorJson(err, typeof requestId === 'string' ? requestId : undefined), headers);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(303, { Location: location, 'Content-Length': 0 });
  res.end();
}
