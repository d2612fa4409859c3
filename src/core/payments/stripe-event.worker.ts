import { createLimiter } from '../concurrency.js';
import type { Logger } from '../logger.js';
import type { OperationRepository } from './operation.repository.js';
import type { StripeEventRepository, StoredEvent } from './stripe-event.repository.js';
import { eventFromJson, type StripeEventService } from './stripe-event.service.js';

export interface EventWorkerDeps {
  events: StripeEventRepository;
  operations: OperationRepository;
  service: StripeEventService;
  log: Logger;
  /** Attempts before an event is dead-lettered. */
  maxAttempts: number;
  /** Processed events and finished operations' keys are kept this long. */
  retentionDays: number;
  /** How often due events (retries, and events whose receiver died) are looked for. */
  pollMs: number;
}

/**
 * Events applied at once by one instance, however many arrive: fewer than half the default
 * database pool (10), so a burst of deliveries (Stripe sends its backlog at once after an outage)
 * leaves the pool to API requests instead of queueing them behind event work. A poll takes no
 * more than that at a time, so no event it holds waits for a slot while its lock runs out.
 */
const CONCURRENCY = 4;
/**
 * How long a taken event stays held. Its holder renews the lock every third of that while the
 * event waits for a slot or is being applied (a few Stripe calls with their retries can take
 * longer), so the lock runs out only when the holder stopped: a killed instance's events, already
 * acknowledged to Stripe and so never sent again, are taken by another instance (or by the same
 * one restarted) within LOCK_SECONDS and a poll.
 */
const LOCK_SECONDS = 15;
const RENEW_EVERY_MS = (LOCK_SECONDS * 1000) / 3;
const RETENTION_EVERY_MS = 3600_000;

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);

/**
 * Applies queued Stripe events: the receiving instance takes its event at once; every instance
 * polls for due ones (retries, or events a crashed receiver left) with FOR UPDATE SKIP LOCKED,
 * so several instances never take the same event. At most CONCURRENCY events are applied at
 * once; an event received while they all are waits for the poll. Failures back off (1 s, 2 s,
 * 4 s, … up to an hour) and are dead-lettered with a log line after maxAttempts; one failing
 * event blocks no other.
 */
export function createEventWorker(deps: EventWorkerDeps) {
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | undefined;
  const inFlight = new Set<Promise<void>>();
  let lastRetention = 0;
  let stopped = false;
  const applying = createLimiter(CONCURRENCY);

  async function handle(row: StoredEvent): Promise<void> {
    try {
      if (!row.payload) throw new Error('the event has no stored payload');
      const outcome = await deps.service.process(eventFromJson(row.payload));
      await deps.events.markProcessed(row.id);
      deps.log.info({ eventId: row.id, type: row.type, outcome, attempt: row.attempts }, 'stripe event handled');
    } catch (error) {
      if (row.attempts >= deps.maxAttempts) {
        await deps.events.markDead(row.id, errorText(error));
        deps.log.error({ err: error, eventId: row.id, type: row.type, attempts: row.attempts }, 'stripe event dead-lettered after repeated failures');
        return;
      }
      const delay = Math.min(2 ** (row.attempts - 1), 3600);
      await deps.events.scheduleRetry(row.id, errorText(error), delay);
      deps.log.warn({ err: error, eventId: row.id, type: row.type, attempt: row.attempts, retryInSeconds: delay }, 'stripe event failed; it will be retried');
    }
  }

  async function applyRetention(): Promise<void> {
    if (Date.now() - lastRetention < RETENTION_EVERY_MS) return;
    lastRetention = Date.now();
    await retain();
  }

  /** Deletes processed events and finished operations' keys older than the retention window. */
  async function retain(): Promise<void> {
    const cutoff = new Date(Date.now() - deps.retentionDays * 86_400_000);
    const removed = await deps.events.deleteBefore(cutoff);
    const operations = await deps.operations.deleteFinishedBefore(cutoff);
    if (removed.events + removed.keys + operations > 0) deps.log.info({ ...removed, operations }, 'retention: old events and keys deleted');
  }

  /** Runs job while keeping the events taken for it held; a failed renewal is logged (the lock may then run out). */
  async function whileHeld(ids: string[], job: () => Promise<void>): Promise<void> {
    const renew = () => deps.events.extendLocks(ids, LOCK_SECONDS).catch((error: unknown) => deps.log.warn({ err: error, eventIds: ids }, 'the lock of stripe events being applied could not be renewed'));
    const renewal = setInterval(() => void renew(), RENEW_EVERY_MS);
    try {
      await job();
    } finally {
      clearInterval(renewal);
    }
  }

  async function drainDue(): Promise<void> {
    for (let batch = await deps.events.takeDue(CONCURRENCY, LOCK_SECONDS); batch.length > 0 && !stopped; batch = await deps.events.takeDue(CONCURRENCY, LOCK_SECONDS)) {
      const ids = batch.map((row) => row.id);
      await whileHeld(ids, async () => {
        await Promise.all(batch.map((row) => applying(() => handle(row))));
      });
    }
    await applyRetention();
  }

  /** Tracks a job so stop() can wait for it, logging (never throwing) a failure of the queue itself. */
  function track(job: () => Promise<void>): Promise<void> {
    const run = job().catch((error: unknown) => deps.log.error({ err: error }, 'the stripe event worker failed; it will try again'));
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    return run;
  }

  /** One drain at a time per instance; a poll during a drain joins it. */
  function drain(): Promise<void> {
    draining ??= track(drainDue).finally(() => {
      draining = undefined;
    });
    return draining;
  }

  return {
    start(): void {
      stopped = false;
      if (timer || deps.pollMs === 0) return;
      timer = setInterval(() => void drain(), deps.pollMs);
      timer.unref();
    },

    /**
     * The receiver's own event: processed now, without waiting for a poll, when a slot is free;
     * otherwise the poll takes it once the receiver's grace ends (it is stored either way).
     */
    processNow(eventId: string): Promise<void> {
      if (stopped || applying.full) return Promise.resolve();
      return track(() =>
        applying(async () => {
          for (const row of await deps.events.takeById(eventId, LOCK_SECONDS)) await whileHeld([row.id], () => handle(row));
        }),
      );
    },

    /** Processes everything due now (tests, the reconcile command). */
    drain,
    retain,

    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.all([...inFlight]);
    },
  };
}

export type EventWorker = ReturnType<typeof createEventWorker>;
