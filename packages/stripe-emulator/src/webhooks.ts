import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type Stripe from 'stripe';
import type { Logger } from './context.js';
import { newId } from './ids.js';
import type { Store } from './store.js';

export interface Delivery {
  id: string;
  eventId: string;
  endpointId: string;
  attempt: number;
  /** Wall-clock ms; redelivery backoff is real time, not emulator time. */
  dueAt: number;
}

export interface DispatcherOptions {
  baseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  log: Logger;
  onChange: () => void;
}

/** `Stripe-Signature` as Stripe computes it; the timestamp is wall-clock so `constructEvent`'s 300 s tolerance holds. */
export function signatureHeader(secret: string, payload: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

const KEEP_ALIVE_IDLE_MS = 5_000;
const KEEP_ALIVE: http.AgentOptions = { keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS };

function endpointWants(we: Stripe.WebhookEndpoint, type: string): boolean {
  return we.status === 'enabled' && (we.enabled_events.includes('*') || we.enabled_events.includes(type));
}

/** Asynchronous, at-least-once, unordered delivery with exponential backoff; never blocks an API response. */
export class WebhookDispatcher {
  /** Pending deliveries live in the store, so they survive a restart. */
  private readonly pending: Map<string, Delivery>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Set<http.ClientRequest>();
  /**
   * Connections to endpoints are kept open between deliveries (a connection per event cost both
   * sides more than the delivery itself); an idle one is closed after KEEP_ALIVE_IDLE_MS.
   */
  private readonly agents = { 'http:': new http.Agent(KEEP_ALIVE), 'https:': new https.Agent(KEEP_ALIVE) };
  private closed = false;

  constructor(private readonly store: Store, private readonly opts: DispatcherOptions) {
    this.pending = store.deliveries;
  }

  onEvent(event: Stripe.EventBase): void {
    const endpoints = Array.from(this.store.list('webhook_endpoint', (we) => endpointWants(we, event.type)));
    event.pending_webhooks = endpoints.length;
    for (const we of endpoints) {
      this.schedule({ id: newId('dlv'), eventId: event.id, endpointId: we.id, attempt: 1, dueAt: Date.now() });
    }
  }

  snapshot(): Delivery[] {
    return Array.from(this.pending.values()).map((d) => ({ ...d }));
  }

  /** Schedules the deliveries the store reloaded. */
  resume(): void {
    for (const d of Array.from(this.pending.values())) this.schedule({ ...d });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Drops every queued delivery (reset). */
  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  private schedule(d: Delivery): void {
    if (this.closed) return;
    this.pending.set(d.id, d);
    const timer = setTimeout(() => {
      this.timers.delete(d.id);
      void this.attempt(d);
    }, Math.max(0, d.dueAt - Date.now()));
    timer.unref();
    this.timers.set(d.id, timer);
    this.opts.onChange();
  }

  private async attempt(d: Delivery): Promise<void> {
    const event = this.store.get('event', d.eventId);
    const we = this.store.get('webhook_endpoint', d.endpointId);
    const secret = this.store.webhookSecrets.get(d.endpointId);
    if (!event || !we || !secret || !this.pending.has(d.id)) {
      this.pending.delete(d.id);
      this.opts.onChange();
      return;
    }
    const payload = JSON.stringify(event, null, 2);
    const status = await this.post(we.url, payload, signatureHeader(secret, payload));
    if (this.closed || !this.pending.has(d.id)) return;
    if (status >= 200 && status < 300) {
      this.pending.delete(d.id);
      const current = this.store.get('event', d.eventId);
      if (current) current.pending_webhooks = Math.max(0, current.pending_webhooks - 1);
      this.opts.onChange();
      return;
    }
    this.retry(d, event.type, we.url, status);
  }

  private retry(d: Delivery, type: string, url: string, status: number): void {
    const outcome = status === 0 ? 'connection failed' : `HTTP ${status}`;
    if (d.attempt >= this.opts.maxAttempts) {
      this.pending.delete(d.id);
      this.opts.onChange();
      this.opts.log('warn', 'webhook delivery abandoned', { event: d.eventId, type, url, attempts: d.attempt, outcome });
      return;
    }
    const delay = Math.min(this.opts.baseMs * 2 ** (d.attempt - 1), 60 * 60 * 1000);
    this.opts.log('info', 'webhook delivery failed; will retry', { event: d.eventId, type, url, attempt: d.attempt, outcome, retryInMs: delay });
    this.schedule({ ...d, attempt: d.attempt + 1, dueAt: Date.now() + delay });
  }

  /** Resolves with the HTTP status, or 0 when the endpoint could not be reached. */
  private async post(url: string, payload: string, signature: string): Promise<number> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return 0;
    }
    const agent = target.protocol === 'https:' ? this.agents['https:'] : this.agents['http:'];
    const sent = await this.send(target, agent, payload, signature);
    // The endpoint closed a kept-open connection just as it was reused: nothing reached it, so the
    // delivery goes again at once on a new connection (not a failed attempt, and no backoff).
    return sent.staleConnection && !this.closed ? (await this.send(target, agent, payload, signature)).status : sent.status;
  }

  private send(target: URL, agent: http.Agent, payload: string, signature: string): Promise<{ status: number; staleConnection: boolean }> {
    return new Promise((resolve) => {
      const client = target.protocol === 'https:' ? https : http;
      const req = client.request(target, {
        method: 'POST', agent, timeout: this.opts.timeoutMs,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': signature, 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'Content-Length': Buffer.byteLength(payload) },
      }, (res) => {
        const settle = (status: number) => resolve({ status, staleConnection: false });
        res.resume();
        res.on('end', () => settle(res.statusCode ?? 0));
        res.on('error', () => settle(0));
        res.on('close', () => settle(res.complete ? (res.statusCode ?? 0) : 0));
      });
      this.inflight.add(req);
      req.on('timeout', () => req.destroy());
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, staleConnection: req.reusedSocket && error.code === 'ECONNRESET' }));
      req.on('close', () => this.inflight.delete(req));
      req.end(payload);
    });
  }
}
