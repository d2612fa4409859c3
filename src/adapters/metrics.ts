import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Gauges, QueueBacklog } from '../core/gauges.js';

/**
 * The service's Prometheus metrics, one registry per app (tests run several apps in one process).
 * Modules that own a queue (outbound webhooks, event processing) add their own series through
 * gaugeOnScrape and histogram; every name is prefixed `paybridge_`.
 */
export interface Metrics extends Gauges {
  readonly contentType: string;
  /** The exposition text, with every on-scrape gauge read now. */
  text(): Promise<string>;
  observeHttpRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
  observeStripeCall(method: string, result: string, seconds: number): void;
  countPayment(operation: string, outcome: string): void;
  /** A histogram, e.g. of how long events wait in a queue; observe with seconds. */
  histogram(name: string, help: string, labelNames?: string[], buckets?: number[]): Histogram;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'paybridge_' });
  const http = new Histogram({
    name: 'paybridge_http_request_duration_seconds',
    help: 'HTTP requests by method, route (its pattern, not the raw URL) and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const stripe = new Histogram({
    name: 'paybridge_stripe_request_duration_seconds',
    help: 'Calls to Stripe by gateway method and result (ok, or the error code)',
    labelNames: ['method', 'result'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const payments = new Counter({
    name: 'paybridge_payments_total',
    help: 'Payment operations answered by Stripe, by operation (create, confirm) and outcome (the intent status, or the error code)',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  function gaugeOnScrape(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        // A failed read (the database is down) shows as NaN rather than failing the whole scrape.
        this.set(await Promise.resolve(read()).catch(() => Number.NaN));
      },
    });
  }
  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    observeHttpRequest: ({ method, route, status }, seconds) => http.observe({ method, route, status_code: String(status) }, seconds),
    observeStripeCall: (method, result, seconds) => stripe.observe({ method, result }, seconds),
    countPayment: (operation, outcome) => payments.inc({ operation, outcome }),
    gaugeOnScrape,
    queueOnScrape(name, what, read) {
      // Both gauges are collected in the same scrape: they share one read (one query).
      let reading: Promise<QueueBacklog> | undefined;
      const shared = () => (reading ??= read().finally(() => (reading = undefined)));
      gaugeOnScrape(`${name}_backlog`, `${what}: how many are waiting`, async () => (await shared()).count);
      gaugeOnScrape(`${name}_lag_seconds`, `${what}: how long the oldest has waited, seconds (0 when none)`, async () => (await shared()).oldestAgeSeconds);
    },
    histogram: (name, help, labelNames = [], buckets = LATENCY_BUCKETS) => new Histogram({ name, help, labelNames, buckets, registers: [registry] }),
  };
}
