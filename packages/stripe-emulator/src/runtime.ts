import type { ControlRuntime } from './control.js';
import { Clock } from './clock.js';
import type { EmulatorState, Logger } from './context.js';
import { createEvent } from './events.js';
import { Faults } from './faults.js';
import { IdempotencyStore } from './idempotency.js';
import { CLOCK_OFFSET, migrateLegacySnapshot } from './legacy-snapshot.js';
import { expireAuthorizations } from './resources/authorization-expiry.js';
import { allRoutes } from './resources/index.js';
import { Router } from './router.js';
import { Store } from './store.js';
import { WebhookDispatcher } from './webhooks.js';

const WEBHOOK_MAX_ATTEMPTS = 8;
const WEBHOOK_TIMEOUT_MS = 10_000;

export interface RuntimeOptions {
  log: Logger;
  dataDir?: string;
  webhookRetryBaseMs: number;
}

/** Commits changes made outside a request (webhook deliveries), logging a failure instead of losing it silently. */
function backgroundCommit(store: Store, log: Logger): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      store.commit().catch((err: unknown) => log('error', 'could not persist emulator state', { error: err instanceof Error ? err.message : String(err) }));
    });
  };
}

/**
 * Wires store, clock, idempotency, faults and webhook delivery together; with dataDir the store
 * is the log there (an earlier version's JSON snapshot is migrated into it first).
 */
export async function createRuntime(opts: RuntimeOptions): Promise<ControlRuntime> {
  const { log } = opts;
  const store = new Store(opts.dataDir);
  if (opts.dataDir) await migrateLegacySnapshot(store, opts.dataDir, log);
  const clock = new Clock(store.settings.get(CLOCK_OFFSET) ?? 0);
  const idempotency = new IdempotencyStore(store);
  const dispatcher = new WebhookDispatcher(store, {
    baseMs: opts.webhookRetryBaseMs, maxAttempts: WEBHOOK_MAX_ATTEMPTS, timeoutMs: WEBHOOK_TIMEOUT_MS, log, onChange: backgroundCommit(store, log),
  });
  const state: EmulatorState = {
    store, clock, baseUrl: '', log,
    emit: (type, object, origin, before) => void createEvent(store, clock, (e) => dispatcher.onEvent(e), type, object, origin, before),
  };
  const faults = new Faults();
  dispatcher.resume();
  return {
    state, router: new Router(allRoutes), idempotency, faults, hangs: new Set(), log, dispatcher, startedAt: Date.now(),
    reset() {
      void store.clear(); idempotency.clear(); dispatcher.clear(); faults.clear(); clock.reset();
    },
    advanceClock(seconds) {
      clock.advance(seconds);
      store.settings.set(CLOCK_OFFSET, clock.offset);
      expireAuthorizations(state);
    },
  };
}
