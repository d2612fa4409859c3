/**
 * What the core needs from a payment provider, in the core's own words. The Stripe
 * gateway (src/stripe) implements it; nothing else knows Stripe's SDK.
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
}

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
  };
}

export interface PaymentGateway {
  /** 'test' for Stripe test keys and the emulator, 'live' for live keys. */
  readonly mode: 'test' | 'live';
  createCustomer(input: { email: string; name: string; metadata: Record<string, string> }, idempotencyKey: string): Promise<{ id: string }>;
  updateCustomer(customerId: string, input: { email: string; name: string }): Promise<void>;
  createPaymentIntent(
    input: { amount: number; currency: string; customerId: string; description?: string | undefined; metadata: Record<string, string> },
    idempotencyKey: string,
  ): Promise<ProviderPaymentIntent>;
  retrievePaymentIntent(id: string): Promise<ProviderPaymentIntent>;
  retrieveCharge(id: string): Promise<{ id: string; paymentIntentId: string | null; amountRefunded: number }>;
  /** PaymentIntents of a customer, created since createdSince, whose metadata[key] is value (finds what a crash left behind). */
  findPaymentIntents(customerId: string, key: string, value: string, createdSince: Date): Promise<ProviderPaymentIntent[]>;
  confirmPaymentIntent(id: string, input: { paymentMethodId: string; returnUrl: string }, idempotencyKey: string): Promise<ProviderPaymentIntent>;
  retrievePaymentMethod(id: string): Promise<ProviderPaymentMethod>;
  attachPaymentMethod(paymentMethodId: string, customerId: string): Promise<ProviderPaymentMethod>;
  setDefaultPaymentMethod(customerId: string, paymentMethodId: string): Promise<void>;
  retrieveSetupIntent(id: string): Promise<ProviderSetupIntent>;
  /** Adds a card token as a source of the customer and makes it the default. */
  addCardSource(customerId: string, token: string, idempotencyKey: string): Promise<{ cardId: string; card: ProviderCard | null }>;
  /** Verifies the signature and timestamp; throws InvalidSignatureError otherwise. */
  parseWebhookEvent(rawBody: Buffer, signatureHeader: string | undefined): ProviderEvent;
}
