import type { Logger } from '../logger.js';
import type { PaymentProfileRepository } from '../payment-profiles/payment-profile.repository.js';
import type { PaymentGateway, ProviderEvent } from './payment-gateway.js';
import type { PaymentService } from './payment.service.js';
import type { Reconciler } from './reconcile.js';
import type { StripeEventRepository } from './stripe-event.repository.js';

export type EventOutcome = 'applied' | 'duplicate' | 'ignored';

/**
 * Applies Stripe events. Delivery is at least once and unordered, so each event id is applied
 * once, and an event is a prompt to read the object's current state rather than a state to
 * copy: an old event arriving late can never roll newer state back.
 */
export function createStripeEventService(deps: {
  events: StripeEventRepository;
  payments: PaymentService;
  reconciler: Reconciler;
  profiles: PaymentProfileRepository;
  gateway: PaymentGateway;
  log: Logger;
}) {
  async function apply(event: ProviderEvent): Promise<EventOutcome> {
    const { object } = event;
    if (object.object === 'payment_intent') {
      const updated = await deps.payments.refreshIntent(object.id);
      // An intent of ours with no row pointing at it is one a crash left half-recorded: finish that row.
      if (!updated) await deps.reconciler.settleCreation(object.metadata!.paybridge_payment_id!);
      return 'applied';
    }
    if (object.object === 'charge') {
      await deps.payments.refreshCharge(object.id);
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
   * looks exactly as stored: for the latter, the event that does bring news will come too.
   */
  async function bringsNoNews(event: ProviderEvent): Promise<boolean> {
    const { object } = event;
    if (object.object !== 'payment_intent') return false;
    if (!object.metadata?.paybridge_payment_id) return true;
    return deps.payments.isCurrent(object.id, object.status, object.paymentMethod);
  }

  return {
    /** Verifies a delivery's signature (InvalidSignatureError otherwise) and handles its event. */
    async receive(rawBody: Buffer, signatureHeader: string | undefined): Promise<{ eventId: string; outcome: EventOutcome }> {
      const event = deps.gateway.parseWebhookEvent(rawBody, signatureHeader);
      return { eventId: event.id, outcome: await this.handleEvent(event) };
    },

    async handleEvent(event: ProviderEvent): Promise<EventOutcome> {
      // Most deliveries (e.g. payment_intent.created right after our own create) bring no news.
      // Acknowledged without a write or a call to Stripe: a redelivery is just as harmless.
      if (await bringsNoNews(event)) return 'ignored';
      if (!(await deps.events.begin(event))) return 'duplicate';
      const outcome = await apply(event);
      await deps.events.finish(event.id);
      deps.log.info({ eventId: event.id, type: event.type, outcome }, 'stripe event handled');
      return outcome;
    },
  };
}

export type StripeEventService = ReturnType<typeof createStripeEventService>;
