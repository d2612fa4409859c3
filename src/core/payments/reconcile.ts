import { isAdmin, type Principal } from '../auth/principal.js';
import { ForbiddenError, ProviderRejectedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { UserRepository } from '../users/user.repository.js';
import type { Pacer } from './pacer.js';
import type { PaymentCreation } from './payment-creation.js';
import type { PaymentGateway, ProviderPaymentIntent } from './payment-gateway.js';
import { CREATING, intentStateOf, type PaymentRecord, type PaymentRepository } from './payment.repository.js';

export interface ReconcileReport {
  /** Payments that were due and looked at. */
  examined: number;
  /** Whose state at Stripe had changed, now stored. */
  changed: number;
  /** That brought no news (or could not be read): their next check moves further out. */
  deferred: number;
  /** Left unpaid past PAYMENT_ABANDON_AFTER: cancelled at Stripe. */
  cancelled: number;
  /** Creations a crash left half-done, finished (or given up). */
  completed: number;
  failed: number;
  /** Calls made to Stripe, all paced under STRIPE_MAX_RPS. */
  stripeCalls: number;
}

export interface ReconcilerDeps {
  payments: PaymentRepository;
  /** Creation on the paced gateway. */
  creation: PaymentCreation;
  users: UserRepository;
  /** The paced gateway. */
  gateway: PaymentGateway;
  pacer: Pacer;
  /** Runs fn unless another instance is reconciling the same scope, all or one organisation (answers undefined then). */
  exclusive: <T>(fn: () => Promise<T>, organisationId?: string) => Promise<T | undefined>;
  abandonAfterSeconds: number;
  log: Logger;
}

function emptyReport(): ReconcileReport {
  return { examined: 0, changed: 0, deferred: 0, cancelled: 0, completed: 0, failed: 0, stripeCalls: 0 };
}

// A creation that failed this many checks in a row is given up (its client's key is freed).
const MAX_CREATION_CHECKS = 10;
const BATCH_SIZE = 200;
const CONCURRENCY = 8;

type Outcome = 'changed' | 'deferred' | 'cancelled' | 'completed';

/**
 * Brings the database into agreement with Stripe at a cost of O(what is due): each unsettled
 * payment carries its next check time, backed off exponentially while nothing changes; a pass
 * takes only the due ones, in batches, with every Stripe call paced; one instance at a time.
 */
export function createReconciler(deps: ReconcilerDeps) {
  const { payments, gateway } = deps;
  let running: Promise<ReconcileReport> | undefined;
  // Settlements of deleted users' payments under way: shutdown waits for them as for a pass.
  const settling = new Set<Promise<unknown>>();
  // Set on shutdown: a pass takes no further payment, so it ends before the database closes.
  let stopping = false;

  async function store(intent: ProviderPaymentIntent, observedAt: Date, before: PaymentRecord): Promise<Outcome> {
    await payments.applyState(intent.id, intentStateOf(intent), observedAt);
    return intent.status === before.status && intent.paymentMethodId === before.paymentMethodId ? 'deferred' : 'changed';
  }

  async function settleCreation(row: PaymentRecord): Promise<Outcome> {
    const ageSeconds = (Date.now() - row.createdAt.getTime()) / 1000;
    if (row.checks >= MAX_CREATION_CHECKS || ageSeconds > deps.abandonAfterSeconds) {
      if (await deps.creation.abandonCreation(row)) deps.log.warn({ paymentId: row.id }, 'a payment creation that kept failing was given up');
      return 'completed';
    }
    const user = await deps.users.findById(row.organisationId, row.userId);
    // A creation whose user was deleted meanwhile is not finished for them: given up once no live request holds it.
    if (!user) return (await deps.creation.abandonCreation(row)) ? 'completed' : 'deferred';
    return (await deps.creation.recoverCreation(row, user)) ? 'completed' : 'deferred';
  }

  /** Cancels at Stripe a payment left unpaid too long; one that moved on meanwhile is just stored. */
  async function abandon(row: PaymentRecord): Promise<Outcome> {
    const observedAt = await payments.now();
    try {
      await store(await gateway.cancelPaymentIntent(row.stripePaymentIntentId!, `paybridge-abandon-${row.id}`), observedAt, row);
      deps.log.info({ paymentId: row.id }, 'an abandoned payment was cancelled at Stripe');
      return 'cancelled';
    } catch (error) {
      if (!(error instanceof ProviderRejectedError)) throw error;
      return store(await gateway.retrievePaymentIntent(row.stripePaymentIntentId!), observedAt, row);
    }
  }

  /** A payment that succeeded is due only while a refund may still change (one just made, or one pending). */
  async function settleRefunds(row: PaymentRecord): Promise<Outcome> {
    const observedAt = await payments.now();
    const after = await payments.applyRefunds(row.stripePaymentIntentId!, await gateway.listRefunds(row.stripePaymentIntentId!), observedAt);
    return after && after.amountRefunded !== row.amountRefunded ? 'changed' : 'deferred';
  }

  async function settle(row: PaymentRecord): Promise<Outcome> {
    if (row.status === CREATING || !row.stripePaymentIntentId) return settleCreation(row);
    if (row.status === 'succeeded') return settleRefunds(row);
    const unpaidFor = (Date.now() - row.createdAt.getTime()) / 1000;
    // An authorisation is the merchant's to capture until Stripe itself lets it expire (it then shows canceled).
    const cancellable = row.status !== 'processing' && row.status !== 'requires_capture';
    // Nobody can sign in to pay for a deleted user any more, but the client secret could still confirm the intent.
    if (cancellable && (unpaidFor > deps.abandonAfterSeconds || !(await deps.users.findById(row.organisationId, row.userId)))) return abandon(row);
    const observedAt = await payments.now();
    return store(await gateway.retrievePaymentIntent(row.stripePaymentIntentId), observedAt, row);
  }

  async function settleBatch(batch: PaymentRecord[], report: ReconcileReport): Promise<void> {
    const backOff: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let row = batch[next++]; row && !stopping; row = batch[next++]) {
        const outcome = await settle(row).catch((error: unknown) => {
          report.failed += 1;
          deps.log.warn({ err: error, paymentId: row!.id }, 'reconciliation of a payment failed; it will be retried later');
          return 'deferred' as const;
        });
        report[outcome] += 1;
        backOff.push(row.id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batch.length) }, worker));
    await payments.deferChecks(backOff);
  }

  /**
   * One pass over what was due when it began, of one organisation if given. A payment checked in
   * this pass is next due seconds later at the soonest: on a long pass it must wait for the next
   * one, or the pass would keep re-reading what it just read.
   */
  async function pass(organisationId?: string): Promise<ReconcileReport> {
    const report = emptyReport();
    const callsBefore = deps.pacer.calls;
    const asOf = await payments.now();
    const due = () => payments.findDue(BATCH_SIZE, asOf, organisationId);
    for (let batch = await due(); batch.length > 0; batch = stopping ? [] : await due()) {
      report.examined += batch.length;
      await settleBatch(batch, report);
    }
    report.stripeCalls = deps.pacer.calls - callsBefore;
    if (report.examined > 0) deps.log.info({ ...report }, 'reconciliation finished');
    return report;
  }

  async function settleDeletedUser(organisationId: string, userId: string): Promise<ReconcileReport> {
    const report = emptyReport();
    const callsBefore = deps.pacer.calls;
    let afterId = '';
    for (let page = await payments.findUnsettledOfUser(organisationId, userId, BATCH_SIZE); page.length > 0 && !stopping; page = await payments.findUnsettledOfUser(organisationId, userId, BATCH_SIZE, afterId)) {
      afterId = page[page.length - 1]!.id;
      report.examined += page.length;
      await settleBatch(page, report);
    }
    report.stripeCalls = deps.pacer.calls - callsBefore;
    if (report.examined > 0) deps.log.info({ ...report, userId }, "a deleted user's payments were settled");
    return report;
  }

  return {
    /** Finishes a payment's half-done creation now (an event about its intent arrived). */
    async settleCreation(paymentId: string): Promise<boolean> {
      const row = await payments.findById(paymentId);
      if (!row || row.stripePaymentIntentId) return false;
      return (await settleCreation(row)) === 'completed';
    },

    /**
     * Settles a deleted user's payments now rather than at their next check: those still unpaid are
     * cancelled at Stripe (nobody can sign in to pay them, but a client secret could still confirm).
     * Paced like a pass; a payment it cannot settle stays due for the passes after.
     */
    settleDeletedUser(organisationId: string, userId: string): Promise<ReconcileReport> {
      const work = settleDeletedUser(organisationId, userId);
      settling.add(work);
      return work.finally(() => settling.delete(work));
    },

    /** Reconciliation on request (POST /admin/reconcile): administrators and API keys only. */
    async reconcileAs(principal: Principal): Promise<ReconcileReport> {
      if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can reconcile');
      // An organisation reconciles its own payments; only the operator (or the scheduler) reconciles all.
      return deps.exclusive(() => pass(principal.organisationId), principal.organisationId).then((report) => report ?? emptyReport());
    },

    /** Shutdown: the pass running here finishes the payments it holds and takes no more; resolves when it has ended. */
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all([running, ...settling].map((work) => work?.catch(() => undefined)));
    },

    /** One pass over what is due. A pass already running here is joined; one on another instance makes this a no-op. */
    reconcile(): Promise<ReconcileReport> {
      running ??= deps
        .exclusive(() => pass())
        .then((report) => report ?? emptyReport())
        .finally(() => {
          running = undefined;
        });
      return running;
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
