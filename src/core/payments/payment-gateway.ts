import type { PaymentDispute } from './payment-dispute.js';

/**
 * What the core needs from a payment provider, in the core's own words. The Stripe
 * gateway (src/adapters/stripe) implements it; nothing else knows Stripe's SDK.
 */
export interface ProviderPaymentIntent {
  id: string;
  amount: number;
  currency: string;
  status: string;
  paymentMethodId: string | null;
  clientSecret: string | null;
  customerId: string | null;
  metadata: Record<string, string>;
  nextActionUrl: string | null;
  lastErrorCode: string | null;
  /** Minor units taken: the amount, or the part captured. */
  amountReceived: number;
}

export interface ProviderRefund {
  id: string;
  paymentIntentId: string | null;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  failureReason: string | null;
  createdAt: Date;
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';
export type CancellationReason = 'duplicate' | 'fraudulent' | 'requested_by_customer' | 'abandoned';

export interface ProviderCard {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export interface ProviderPaymentMethod {
  id: string;
  customerId: string | null;
  card: ProviderCard | null;
}

export interface ProviderSetupIntent {
  id: string;
  status: string;
  paymentMethodId: string | null;
  customerId: string | null;
}

export interface ProviderEvent {
  id: string;
  type: string;
  createdAt: Date;
  /** The object the event is about, as it was when the event was made, e.g. {object: 'payment_intent', id: 'pi_…'}. */
  object: {
    object: string;
    id: string;
    metadata?: Record<string, string> | undefined;
    customer?: string | null | undefined;
    status?: string | undefined;
    paymentMethod?: string | null | undefined;
    /** Charges, refunds and disputes: the intent (and charge) they belong to. */
    paymentIntent?: string | null | undefined;
    charge?: string | null | undefined;
  };
}

export interface PaymentGateway {
  /** 'test' for Stripe test keys and the emulator, 'live' for live keys. */
  readonly mode: 'test' | 'live';
  createCustomer(input: { email: string; name: string; metadata: Record<string, string> }, idempotencyKey: string): Promise<{ id: string }>;
  updateCustomer(customerId: string, input: { email: string; name: string }): Promise<void>;
  /** A customer, or undefined when Stripe has none by that id (or it was deleted). */
  retrieveCustomer(customerId: string): Promise<{ id: string; metadata: Record<string, string> } | undefined>;
  createPaymentIntent(
    input: { amount: number; currency: string; customerId: string; description?: string | undefined; metadata: Record<string, string>; captureMethod?: 'manual' | undefined },
    idempotencyKey: string,
  ): Promise<ProviderPaymentIntent>;
  /** Captures an authorised intent: all of it, or `amount` (the rest is released). */
  capturePaymentIntent(id: string, amount: number | undefined, idempotencyKey: string): Promise<ProviderPaymentIntent>;
  /** Refunds an intent's charge: `amount`, or by default all that is left. */
  createRefund(
    input: { paymentIntentId: string; amount?: number | undefined; reason?: RefundReason | undefined; metadata: Record<string, string> },
    idempotencyKey: string,
  ): Promise<ProviderRefund>;
  /** Every refund of an intent, as Stripe shows it now. */
  /** An intent's refunds, oldest first. */
  listRefunds(paymentIntentId: string): Promise<ProviderRefund[]>;
  retrievePaymentIntent(id: string): Promise<ProviderPaymentIntent>;
  retrieveCharge(id: string): Promise<{ id: string; paymentIntentId: string | null; amountRefunded: number }>;
  /** A dispute as Stripe holds it now, with the intent it disputes (NotFoundError when Stripe has none). */
  retrieveDispute(id: string): Promise<{ paymentIntentId: string | null; dispute: PaymentDispute }>;
  /** PaymentIntents of a customer, created since createdSince, whose metadata[key] is value (finds what a crash left behind). */
  findPaymentIntents(customerId: string, key: string, value: string, createdSince: Date): Promise<ProviderPaymentIntent[]>;
  /** Cancels an intent (abandoned, or orphaned by a lost race); the key makes a repeat harmless. */
  cancelPaymentIntent(id: string, idempotencyKey: string, reason?: CancellationReason): Promise<ProviderPaymentIntent>;
  confirmPaymentIntent(id: string, input: { paymentMethodId: string; returnUrl: string }, idempotencyKey: string): Promise<ProviderPaymentIntent>;
  retrievePaymentMethod(id: string): Promise<ProviderPaymentMethod>;
  attachPaymentMethod(paymentMethodId: string, customerId: string): Promise<ProviderPaymentMethod>;
  /** Undoes addCardSource (compensation when a later step of the same request fails). */
  removeCardSource(customerId: string, cardId: string): Promise<void>;
  /** Undoes attachPaymentMethod (compensation when a later step of the same request fails). */
  detachPaymentMethod(paymentMethodId: string): Promise<void>;
  setDefaultPaymentMethod(customerId: string, paymentMethodId: string): Promise<void>;
  retrieveSetupIntent(id: string): Promise<ProviderSetupIntent>;
  /** Adds a card token as a source of the customer and makes it the default. */
  addCardSource(customerId: string, token: string, idempotencyKey: string): Promise<{ cardId: string; card: ProviderCard | null }>;
  /** Verifies the signature and timestamp; throws InvalidSignatureError otherwise. */
  parseWebhookEvent(rawBody: Buffer, signatureHeader: string | undefined): ProviderEvent;
}
