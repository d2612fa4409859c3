import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PaymentProfileRepository } from '../payment-profiles/payment-profile.repository.js';
import type { PaymentGateway, ProviderEvent } from './payment-gateway.js';
import type { PaymentRepository } from './payment.repository.js';
import type { PaymentService } from './payment.service.js';
import type { Reconciler } from './reconcile.js';
import type { StripeEventRepository } from './stripe-event.repository.js';

export type EventOutcome = 'queued' | 'duplicate' | 'ignored';
export type AppliedOutcome = 'applied' | 'ignored' | 'unknown';

export interface StripeEventDeps {
  events: StripeEventRepository;
  payments: PaymentService;
  paymentRecords: PaymentRepository;
  reconciler: Reconciler;
  profiles: PaymentProfileRepository;
  gateway: PaymentGateway;
  log: Logger;
  /** Called with a stored event's id: the worker processes it now. */
  onQueued: (eventId: string) => void;
}

/** The event as stored in the queue (JSON) and back. */
export const eventToJson = (event: ProviderEvent): Record<string, unknown> => JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
export function eventFromJson(payload: Record<string, unknown>): ProviderEvent {
  const event = payload as unknown as ProviderEvent & { createdAt: string };
  return { ...event, createdAt: new Date(event.createdAt) };
}

/**
 * Stripe events. Delivery is at least once and unordered: each event is stored on receipt and
 * acknowledged, and a worker applies it once, as a prompt to re-read the object's current state
 * rather than a state to copy, so an old event arriving late can never roll newer state back.
 */
export function createStripeEventService(deps: StripeEventDeps) {
  async function applyIntentEvent(event: ProviderEvent): Promise<AppliedOutcome> {
    const { object } = event;
    let updated;
    try {
      updated = await deps.payments.refreshIntent(object.id);
    } catch (error) {
      // Stripe has no such intent (an event of another account signed with our secret, or forged by a holder of it).
      if (error instanceof NotFoundError) return 'unknown';
      throw error;
    }
    if (updated) return 'applied';
    // An intent of ours with no row pointing at it is one a crash left half-recorded: finish that row.
    if (await deps.reconciler.settleCreation(object.metadata?.paybridge_payment_id ?? '')) return 'applied';
    return 'unknown';
  }

  /**
   * A dispute event is a prompt like any other: the dispute is re-read from Stripe and recorded as
   * Stripe holds it, so neither a late event nor a body signed by someone holding the secret can set
   * what the payment shows. Of two re-reads, the one that started later is kept.
   */
  async function applyDisputeEvent(event: ProviderEvent): Promise<AppliedOutcome> {
    const observedAt = await deps.paymentRecords.now();
    let current;
    try {
      current = await deps.gateway.retrieveDispute(event.object.id);
    } catch (error) {
      if (error instanceof NotFoundError) return 'unknown';
      throw error;
    }
    if (!current.paymentIntentId) return 'unknown';
    return (await deps.paymentRecords.applyDispute(current.paymentIntentId, current.dispute, observedAt)) ? 'applied' : 'unknown';
  }

  async function apply(event: ProviderEvent): Promise<AppliedOutcome> {
    const { object } = event;
    if (object.object === 'payment_intent') return applyIntentEvent(event);
    if (object.object === 'dispute' || event.type.startsWith('charge.dispute.')) return applyDisputeEvent(event);
    if (object.object === 'charge' || object.object === 'refund') {
      // A refund event (created, updated, failed, reversed) or a charge event: re-read the intent's refunds.
      if (object.paymentIntent) await deps.payments.refreshRefunds(object.paymentIntent);
      else if (object.object === 'charge' || object.charge) await deps.payments.refreshCharge(object.object === 'charge' ? object.id : object.charge!);
      else return 'unknown';
      return 'applied';
    }
    if (event.type === 'customer.deleted') {
      await deps.profiles.forgetStripeCustomer(object.id);
      return 'applied';
    }
    if (event.type === 'payment_method.detached') {
      await deps.profiles.forgetDefaultPaymentMethod(object.id);
      return 'applied';
    }
    return 'ignored';
  }

  /**
   * An intent paybridge did not create (the account may serve other software too), or one that
   * looks exactly as stored (or as its live creation is about to store it): for the latter, the
   * event that does bring news will come too.
   */
  async function bringsNoNews(event: ProviderEvent): Promise<boolean> {
    const { object } = event;
    if (object.object !== 'payment_intent') return false;
    const paymentId = object.metadata?.paybridge_payment_id;
    if (!paymentId) return true;
    return deps.payments.isCurrent(paymentId, { id: object.id, status: object.status, paymentMethodId: object.paymentMethod }, event.type);
  }

  return {
    /** Verifies a delivery (400 otherwise), stores its event and acknowledges it; the worker applies it. */
    async receive(rawBody: Buffer, signatureHeader: string | undefined): Promise<{ eventId: string; outcome: EventOutcome }> {
      const event = deps.gateway.parseWebhookEvent(rawBody, signatureHeader);
      // Most deliveries (e.g. payment_intent.created right after our own create) bring no news:
      // acknowledged without a write; a redelivery is just as harmless.
      if (await bringsNoNews(event)) return { eventId: event.id, outcome: 'ignored' };
      const stored = await deps.events.enqueue({ id: event.id, type: event.type, createdAt: event.createdAt, payload: eventToJson(event) }, 5);
      if (stored) deps.onQueued(event.id);
      return { eventId: event.id, outcome: stored ? 'queued' : 'duplicate' };
    },

    /** Applies one event (the worker's job). A Stripe object that does not exist is retried, then dead-lettered. */
    async process(event: ProviderEvent): Promise<AppliedOutcome> {
      const outcome = await apply(event);
      if (outcome === 'unknown') deps.log.info({ eventId: event.id, type: event.type }, 'stripe event about no payment of ours acknowledged');
      return outcome;
    },
  };
}

export type StripeEventService = ReturnType<typeof createStripeEventService>;
