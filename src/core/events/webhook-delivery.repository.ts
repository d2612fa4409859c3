import { and, asc, count, desc, eq, inArray, isNull, lt, lte, notExists, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { outboxEvents, webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema.js';
import type { DeliveryStatus } from './delivery-status.js';

export type WebhookAttemptRecord = typeof webhookAttempts.$inferSelect;

/** A claimed delivery with what sending it needs. */
export interface DeliveryJob {
  deliveryId: string;
  claimToken: string;
  attempts: number;
  eventId: string;
  eventType: string;
  body: string;
  endpointId: string;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

export interface AttemptOutcome {
  /** The log entry's id. */
  id: string;
  attempt: number;
  succeeded: boolean;
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
  /** When the next attempt is due; null when the delivery is finished (succeeded or given up). */
  nextAttemptAt: Date | null;
}

/** The claimer's free send slots, and how many of them any organisation may take (the rest are kept for newcomers). */
export interface ClaimSlots {
  free: number;
  general: number;
}

/** How many deliveries may be sent at once, over every instance: to one endpoint, and to one organisation's. */
export interface DeliveryShare {
  perEndpoint: number;
  perOrganisation: number;
}

export function createWebhookDeliveryRepository(db: Database) {
  const leaseUntil = (seconds: number) => sql`now() + make_interval(secs => ${seconds})`;

  async function loadJobs(claimed: Array<{ id: string; attempts: number }>, claimToken: string): Promise<DeliveryJob[]> {
    if (claimed.length === 0) return [];
    const rows = await db
      .select({
        deliveryId: webhookDeliveries.id,
        attempts: webhookDeliveries.attempts,
        eventId: outboxEvents.id,
        eventType: outboxEvents.type,
        body: outboxEvents.body,
        endpointId: webhookEndpoints.id,
        url: webhookEndpoints.url,
        secret: webhookEndpoints.secret,
        previousSecret: webhookEndpoints.previousSecret,
        previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
      })
      .from(webhookDeliveries)
      .innerJoin(outboxEvents, eq(outboxEvents.id, webhookDeliveries.eventId))
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(inArray(webhookDeliveries.id, claimed.map((c) => c.id)))
      .orderBy(asc(webhookDeliveries.seq));
    return rows.map((row) => ({ ...row, claimToken }));
  }

  return {
    /**
     * Claims due deliveries of enabled endpoints for leaseSeconds, fairly. SKIP LOCKED lets instances
     * claim side by side, each row by one of them; a claimer that dies lets its lease lapse, and
     * the row is due again. A delivery waits while an earlier event of the same object to the
     * same endpoint has not been tried once, so an object's events go out in order.
     *
     * Fairness, so one organisation's slow or dead receivers never hold up another's events: an
     * endpoint has at most `share.perEndpoint` deliveries being sent at once (one, a probe, while it
     * is failing), an organisation at most `share.perOrganisation`, counted over every instance;
     * a claim takes each endpoint's earliest in turn, first attempts before retries. Of the claimer's
     * free slots, those beyond `slots.general` go only to an organisation with nothing being sent,
     * so however many organisations' receivers hang, one whose events start flowing finds a slot.
     */
    async claimDue(claimToken: string, leaseSeconds: number, slots: ClaimSlots, share: DeliveryShare): Promise<DeliveryJob[]> {
      const result = (await db.execute(sql`
        with sending as (
          select d.endpoint_id, count(*)::int as n from ${webhookDeliveries} as d
          where d.status = 'pending' and d.claim_token is not null and d.next_attempt_at > now()
          group by d.endpoint_id
        ),
        endpoint_room as (
          select e.id, e.organisation_id,
            (case when e.failing_since is null then ${share.perEndpoint}::int else 1 end) - coalesce(s.n, 0) as room
          from ${webhookEndpoints} as e left join sending as s on s.endpoint_id = e.id
          where e.enabled
        ),
        organisation_sending as (
          select e.organisation_id, sum(s.n)::int as n from sending as s join ${webhookEndpoints} as e on e.id = s.endpoint_id
          group by e.organisation_id
        ),
        candidates as (
          select c.id, r.organisation_id, c.turn, c.attempts, c.next_attempt_at
          from endpoint_room as r cross join lateral (
            select d.id, d.attempts, d.next_attempt_at, row_number() over (order by d.next_attempt_at) as turn
            from ${webhookDeliveries} as d
            where d.endpoint_id = r.id and d.status = 'pending' and d.next_attempt_at <= now()
              and not exists (
                select 1 from ${webhookDeliveries} as earlier
                where earlier.endpoint_id = d.endpoint_id and earlier.object_id = d.object_id and earlier.status = 'pending'
                  and earlier.attempts = 0 and earlier.seq < d.seq
              )
            order by d.next_attempt_at
            limit r.room
          ) as c
          where r.room > 0
        ),
        ranked as (
          select c.*, row_number() over (partition by c.organisation_id order by c.turn, c.attempts > 0, c.next_attempt_at) as organisation_turn
          from candidates as c
        ),
        eligible as (
          select r.id, r.turn, r.attempts, r.next_attempt_at, coalesce(o.n, 0) = 0 and r.organisation_turn = 1 as newcomer
          from ranked as r left join organisation_sending as o on o.organisation_id = r.organisation_id
          where r.organisation_turn <= ${share.perOrganisation}::int - coalesce(o.n, 0)
        ),
        ordered as (
          select id, newcomer, row_number() over turns as position, sum(case when newcomer then 0 else 1 end) over turns as others
          from eligible
          window turns as (order by newcomer desc, turn, attempts > 0, next_attempt_at)
        ),
        chosen as (
          select id from ordered where position <= ${slots.free}::int and (newcomer or others <= ${slots.general}::int)
        )
        update ${webhookDeliveries} as d set claim_token = ${claimToken}, next_attempt_at = ${leaseUntil(leaseSeconds)}
        where d.id in (
          select l.id from ${webhookDeliveries} as l
          where l.id in (select id from chosen) and l.status = 'pending' and l.next_attempt_at <= now()
          for update skip locked
        )
        returning d.id, d.attempts`)) as unknown as { rows: Array<{ id: string; attempts: number }> };
      return loadJobs(result.rows, claimToken);
    },

    /** Claims one delivery to send it now (a manual retry), unless a worker is sending it right now. */
    async claimOne(deliveryId: string, claimToken: string, leaseSeconds: number): Promise<DeliveryJob | undefined> {
      const claimed = await db
        .update(webhookDeliveries)
        .set({ status: 'pending', claimToken, nextAttemptAt: leaseUntil(leaseSeconds) })
        .where(
          and(
            eq(webhookDeliveries.id, deliveryId),
            or(isNull(webhookDeliveries.claimToken), lte(webhookDeliveries.nextAttemptAt, sql`now()`), eq(webhookDeliveries.status, 'succeeded'), eq(webhookDeliveries.status, 'failed')),
          ),
        )
        .returning({ id: webhookDeliveries.id, attempts: webhookDeliveries.attempts });
      return (await loadJobs(claimed, claimToken))[0];
    },

    /**
     * Logs an attempt and moves the delivery on, if the claim is still ours. The endpoint's
     * failing streak starts at its first failure after a success; a streak older than
     * disableAfterSeconds disables it.
     */
    async finishAttempt(job: DeliveryJob, outcome: AttemptOutcome, disableAfterSeconds: number): Promise<WebhookAttemptRecord | undefined> {
      const status: DeliveryStatus = outcome.succeeded ? 'succeeded' : outcome.nextAttemptAt ? 'pending' : 'failed';
      return db.transaction(async (tx) => {
        const [held] = await tx
          .update(webhookDeliveries)
          .set({ status, attempts: outcome.attempt, nextAttemptAt: outcome.nextAttemptAt ?? sql`now()`, claimToken: null })
          .where(and(eq(webhookDeliveries.id, job.deliveryId), eq(webhookDeliveries.claimToken, job.claimToken)))
          .returning({ id: webhookDeliveries.id });
        if (!held) return undefined;
        const [attempt] = await tx
          .insert(webhookAttempts)
          .values({ deliveryId: job.deliveryId, endpointId: job.endpointId, eventId: job.eventId, eventType: job.eventType, status: outcome.succeeded ? 'succeeded' : 'failed', ...logged(outcome) })
          .returning();
        await tx.update(webhookEndpoints).set(endpointHealth(outcome.succeeded, disableAfterSeconds)).where(eq(webhookEndpoints.id, job.endpointId));
        return attempt;
      });
    },

    /** The endpoint's log, newest first; pages continue after `startingAfter` (an attempt id). */
    listAttempts(endpointId: string, page: { limit: number; startingAfter?: string | undefined }): Promise<WebhookAttemptRecord[]> {
      const conditions = [eq(webhookAttempts.endpointId, endpointId)];
      if (page.startingAfter) conditions.push(lt(webhookAttempts.id, page.startingAfter));
      return db.select().from(webhookAttempts).where(and(...conditions)).orderBy(desc(webhookAttempts.id)).limit(page.limit);
    },

    async findAttempt(endpointId: string, attemptId: string): Promise<WebhookAttemptRecord | undefined> {
      const [row] = await db.select().from(webhookAttempts).where(and(eq(webhookAttempts.endpointId, endpointId), eq(webhookAttempts.id, attemptId))).limit(1);
      return row;
    },

    /**
     * Deliveries still owed to enabled endpoints and how long the oldest has waited since it was queued
     * (database clock), for the metrics gauges. A disabled endpoint's are left out: nothing sends them.
     */
    async backlog(): Promise<{ count: number; oldestAgeSeconds: number }> {
      const [row] = await db
        .select({ count: count(), oldest: sql<number>`coalesce(extract(epoch from now() - min(${webhookDeliveries.createdAt})), 0)::float8` })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(and(eq(webhookDeliveries.status, 'pending'), eq(webhookEndpoints.enabled, true)));
      return { count: row?.count ?? 0, oldestAgeSeconds: Number(row?.oldest ?? 0) };
    },

    /** Events older than the retention whose deliveries are all finished (or that never had one). */
    async purgeFinished(olderThanSeconds: number): Promise<void> {
      const stillOwed = db.select({ one: sql`1` }).from(webhookDeliveries).where(and(eq(webhookDeliveries.eventId, outboxEvents.id), eq(webhookDeliveries.status, 'pending')));
      await db.delete(outboxEvents).where(and(lt(outboxEvents.createdAt, sql`now() - make_interval(secs => ${olderThanSeconds})`), notExists(stillOwed)));
    },
  };
}

function logged(outcome: AttemptOutcome) {
  return { id: outcome.id, attempt: outcome.attempt, responseStatus: outcome.responseStatus, error: outcome.error, durationMs: outcome.durationMs, nextAttemptAt: outcome.nextAttemptAt };
}

function endpointHealth(succeeded: boolean, disableAfterSeconds: number) {
  if (succeeded) return { failingSince: null };
  const tooLong = sql`coalesce(${webhookEndpoints.failingSince}, now()) < now() - make_interval(secs => ${disableAfterSeconds})`;
  return {
    failingSince: sql`coalesce(${webhookEndpoints.failingSince}, now())`,
    enabled: sql`${webhookEndpoints.enabled} and not (${tooLong})`,
    disabledReason: sql`case when ${webhookEndpoints.enabled} and ${tooLong} then ${DISABLED_REASON} else ${webhookEndpoints.disabledReason} end`,
    updatedAt: new Date(),
  };
}

export const DISABLED_REASON = 'Disabled automatically: every delivery failed for 3 days. Fix the receiver, then PATCH {"enabled": true}.';

export type WebhookDeliveryRepository = ReturnType<typeof createWebhookDeliveryRepository>;
