import { isAdmin, type Principal } from '../auth/principal.js';
import { ForbiddenError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { UserRepository } from '../users/user.repository.js';
import type { PaymentCreation } from './payment-creation.js';
import type { PaymentGateway } from './payment-gateway.js';
import type { PaymentRecord, PaymentRepository } from './payment.repository.js';
import type { PaymentService } from './payment.service.js';

export interface ReconcileReport {
  examined: number;
  completed: number;
  refreshed: number;
  failed: number;
}

/**
 * Brings the database into agreement with Stripe: finishes rows a crash left in 'creating'
 * and refreshes every unsettled intent. Safe on several instances at once: a row in creation
 * is claimed under a lease, and refreshing is idempotent.
 */
export function createReconciler(deps: {
  payments: PaymentRepository;
  creation: PaymentCreation;
  paymentService: PaymentService;
  users: UserRepository;
  gateway: PaymentGateway;
  leaseSeconds: number;
  log: Logger;
}) {
  async function settleCreation(paymentId: string): Promise<boolean> {
    const lapsed = await deps.payments.findById(paymentId);
    if (!lapsed || lapsed.stripePaymentIntentId) return false;
    const row = await deps.payments.claimLapsed(paymentId, deps.leaseSeconds);
    if (!row) return false;
    const user = await deps.users.findById(row.organisationId, row.userId);
    if (!user) {
      await deps.payments.releaseLease(row.id);
      return false;
    }
    await deps.creation.recoverCreation(row, user);
    return true;
  }

  async function settle(row: PaymentRecord, report: ReconcileReport): Promise<void> {
    try {
      if (!row.stripePaymentIntentId) {
        if (await settleCreation(row.id)) report.completed += 1;
      } else {
        await deps.paymentService.refreshIntent(row.stripePaymentIntentId);
        report.refreshed += 1;
      }
    } catch (error) {
      report.failed += 1;
      deps.log.warn({ err: error, paymentId: row.id }, 'reconciliation of a payment failed; it will be retried');
    }
  }

  return {
    settleCreation,

    /** Reconciliation on request (POST /admin/reconcile): administrators and API keys only. */
    async reconcileAs(principal: Principal): Promise<ReconcileReport> {
      if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can reconcile');
      return this.reconcile();
    },

    /** Walks every unsettled row, page by page: half-written creations first, then unsettled intents. */
    async reconcile(pageSize = 200): Promise<ReconcileReport> {
      const report: ReconcileReport = { examined: 0, completed: 0, refreshed: 0, failed: 0 };
      for (const kind of ['creations', 'intents'] as const) {
        for (let page = await deps.payments.findUnsettled(kind, pageSize); page.length > 0; page = await deps.payments.findUnsettled(kind, pageSize, page.at(-1)!.id)) {
          for (const row of page) {
            report.examined += 1;
            await settle(row, report);
          }
        }
      }
      if (report.examined > 0) deps.log.info({ ...report }, 'reconciliation finished');
      return report;
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
