import type { ControlRuntime } from './control.js';
import { Clock } from './clock.js';
import type { EmulatorState, Logger } from './context.js';
import { createEvent } from './events.js';
import { Faults } from './faults.js';
import { IdempotencyStore } from './idempotency.js';
import { loadState, Persistence, type PersistedState } from './persistence.js';
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

export interface Runtime {
  rt: ControlRuntime;
  persistence: Persistence | null;
}

/** Wires store, clock, idempotency, faults and webhook delivery together, reloading saved state when asked to. */
export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { log } = opts;
  const clock = new Clock();
  const store = new Store();
  let persistence: Persistence | null = null;
  const markDirty = (): void => persistence?.markDirty();
  const idempotency = new IdempotencyStore(markDirty);
  const dispatcher = new WebhookDispatcher(store, {
    baseMs: opts.webhookRetryBaseMs, maxAttempts: WEBHOOK_MAX_ATTEMPTS, timeoutMs: WEBHOOK_TIMEOUT_MS, log, onChange: markDirty,
  });
  const state: EmulatorState = {
    store, clock, baseUrl: '', log,
    emit: (type, object, origin, before) => void createEvent(store, clock, (e) => dispatcher.onEvent(e), type, object, origin, before),
  };
  const faults = new Faults();
  const rt: ControlRuntime = {
    state, router: new Router(allRoutes), idempotency, faults, hangs: new Set(), log, dispatcher, startedAt: Date.now(), markDirty,
    reset() {
      store.clear(); idempotency.clear(); dispatcher.clear(); faults.clear(); clock.reset(); markDirty();
    },
  };
  if (opts.dataDir) {
    const saved = await loadState(opts.dataDir, log);
    if (saved) {
      store.restore(saved.store); idempotency.restore(saved.idempotency); clock.advance(saved.clockOffset); dispatcher.restore(saved.deliveries);
    }
    const collect = (): PersistedState => ({
      version: 1, clockOffset: clock.offset, store: store.snapshot(), idempotency: idempotency.snapshot(), deliveries: dispatcher.snapshot(),
    });
    persistence = new Persistence(opts.dataDir, collect, log);
  }
  store.setChangeListener(markDirty);
  return { rt, persistence };
}
