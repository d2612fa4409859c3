import { randomUUID } from 'node:crypto';
import { waitForAny } from '../concurrency.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { signatureHeader } from './signature.js';
import type { DeliveryJob, WebhookAttemptRecord, WebhookDeliveryRepository } from './webhook-delivery.repository.js';
import type { WebhookSender } from './webhook-sender.js';

export interface DeliveryWorkerDeps {
  deliveries: WebhookDeliveryRepository;
  sender: WebhookSender;
  secretBox: SecretBox;
  log: Logger;
  retryBaseSeconds: number;
  maxAttempts: number;
}

// Longer than the sender's 10 s timeout, so a live claim never lapses while its request runs.
const LEASE_SECONDS = 30;
const BATCH = 10;
// Sends under way at once per worker: a slow receiver holds one slot, never the whole loop.
const MAX_IN_FLIGHT = 20;
// Of those, over every instance: a few per endpoint (one while it fails), and a share per organisation;
// and the last few of a worker's slots only for an organisation with nothing being sent, so however many
// organisations' receivers are slow or dead, another's events still go out at once.
const SHARE = { perEndpoint: 4, perOrganisation: 8 };
const KEPT_FOR_NEWCOMERS = 5;
const DISABLE_AFTER_SECONDS = 3 * 86_400;
const RETENTION_SECONDS = 30 * 86_400;
const PURGE_EVERY_MS = 3_600_000;

/**
 * Delivers the outbox: claims due deliveries (any instance may run one; SKIP LOCKED keeps them
 * apart), signs and sends each, logs the attempt and schedules the next one with exponential
 * backoff until maxAttempts. At least once: a crash after sending and before logging resends.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps) {
  const { deliveries, log } = deps;
  const pollMs = Math.min(1000, Math.max(25, (deps.retryBaseSeconds * 1000) / 4));
  let running: Promise<void> | undefined;
  let stopping: AbortController | undefined;
  let lastPurge = 0;

  /** The secrets that sign now: the current one, and the previous one during its grace period. */
  function signingSecrets(job: DeliveryJob): string[] {
    const secrets = [deps.secretBox.open(job.secret)];
    if (job.previousSecret && job.previousSecretExpiresAt && job.previousSecretExpiresAt.getTime() > Date.now()) {
      secrets.push(deps.secretBox.open(job.previousSecret));
    }
    return secrets;
  }

  const backoffMs = (attempt: number) => deps.retryBaseSeconds * 1000 * 2 ** (attempt - 1);

  async function deliver(job: DeliveryJob): Promise<WebhookAttemptRecord | undefined> {
    const headers = {
      'paybridge-signature': signatureHeader(signingSecrets(job), job.body, Math.floor(Date.now() / 1000)),
      'paybridge-event-id': job.eventId,
    };
    const response = await deps.sender.send({ url: job.url, body: job.body, headers });
    const attempt = job.attempts + 1;
    const succeeded = response.status !== null && response.status >= 200 && response.status < 300;
    const nextAttemptAt = succeeded || attempt >= deps.maxAttempts ? null : new Date(Date.now() + backoffMs(attempt));
    const outcome = { id: newId(), attempt, succeeded, responseStatus: response.status, error: response.error ?? null, durationMs: response.durationMs, nextAttemptAt };
    const logged = await deliveries.finishAttempt(job, outcome, DISABLE_AFTER_SECONDS);
    // The URL may carry the receiver's own token and the body personal data: neither is logged.
    log.info({ eventId: job.eventId, endpointId: job.endpointId, attempt, responseStatus: response.status, error: response.error, succeeded }, 'webhook delivery attempted');
    return logged;
  }

  async function purgeNowAndThen(): Promise<void> {
    if (Date.now() - lastPurge <= PURGE_EVERY_MS) return;
    lastPurge = Date.now();
    await deliveries.purgeFinished(RETENTION_SECONDS);
  }

  const inFlight = new Set<Promise<unknown>>();

  /** Claims what free slots allow and starts those sends without waiting for them. */
  async function claimIntoFreeSlots(): Promise<number> {
    const free = Math.min(BATCH, MAX_IN_FLIGHT - inFlight.size);
    if (free <= 0) return 0;
    const general = Math.min(free, Math.max(0, MAX_IN_FLIGHT - KEPT_FOR_NEWCOMERS - inFlight.size));
    const jobs = await deliveries.claimDue(randomUUID(), LEASE_SECONDS, { free, general }, SHARE);
    for (const job of jobs) {
      const send: Promise<unknown> = deliver(job)
        .catch((error: unknown) => log.error({ err: error, eventId: job.eventId }, 'webhook delivery failed'))
        .finally(() => inFlight.delete(send));
      inFlight.add(send);
    }
    await purgeNowAndThen();
    return jobs.length;
  }

  async function loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let claimed = 0;
      try {
        claimed = await claimIntoFreeSlots();
      } catch (error) {
        log.error({ err: error }, 'webhook delivery run failed');
      }
      // Poll again soon, or as soon as a slot frees up when all are taken.
      if (claimed === 0 || inFlight.size >= MAX_IN_FLIGHT) await waitForAny(pollMs, signal, inFlight);
    }
    await Promise.all(inFlight);
  }

  return {
    /** Sends one delivery again now (a manual retry); undefined while a worker is sending it. */
    async sendNow(deliveryId: string): Promise<WebhookAttemptRecord | undefined> {
      const job = await deliveries.claimOne(deliveryId, randomUUID(), LEASE_SECONDS);
      return job ? deliver(job) : undefined;
    },

    start(): void {
      if (running) return;
      stopping = new AbortController();
      running = loop(stopping.signal);
    },

    /** Stops claiming and waits for the sends in flight (at most the sender's timeout). */
    async stop(): Promise<void> {
      stopping?.abort();
      await running;
      running = undefined;
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
