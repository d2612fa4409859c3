import { performance } from 'node:perf_hooks';
import Stripe from 'stripe';
import type { Metrics } from '../metrics.js';
import { InvalidSignatureError, MalformedEventError, ServiceUnavailableError } from '../../core/errors.js';
import { findUnsafeText } from '../../core/text.js';
import type { PaymentGateway, ProviderEvent } from '../../core/payments/payment-gateway.js';
import { callStripe } from './errors.js';
import { idOf, toProviderCard, toProviderPaymentIntent, toProviderPaymentMethod, toProviderRefund } from './mappers.js';

export interface StripeGatewayOptions {
  client: Stripe;
  secretKey: string;
  /** Read per delivery: an emulated endpoint's secret is known only once it is registered. */
  webhookSecret: () => string | undefined;
  metrics?: Pick<Metrics, 'observeStripeCall' | 'countPayment'>;
}

/** The PaymentGateway on Stripe's SDK: the only module besides the client factory that knows Stripe. */
export function createStripeGateway({ client, secretKey, webhookSecret, metrics }: StripeGatewayOptions): PaymentGateway {
  const gateway: PaymentGateway = {
    mode: /^(sk|rk)_live_/.test(secretKey) ? 'live' : 'test',

    createCustomer: (input, idempotencyKey) =>
      callStripe(async () => {
        const customer = await client.customers.create({ email: input.email, name: input.name, metadata: input.metadata }, { idempotencyKey });
        return { id: customer.id };
      }),

    updateCustomer: (customerId, input) =>
      callStripe(async () => {
        await client.customers.update(customerId, { email: input.email, name: input.name });
      }),

    retrieveCustomer: (customerId) =>
      callStripe(async () => {
        try {
          const customer = await client.customers.retrieve(customerId);
          return customer.deleted ? undefined : { id: customer.id, metadata: customer.metadata };
        } catch (error) {
          if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing') return undefined;
          throw error;
        }
      }),

    createPaymentIntent: (input, idempotencyKey) =>
      callStripe(async () =>
        toProviderPaymentIntent(
          await client.paymentIntents.create(
            {
              amount: input.amount,
              currency: input.currency,
              customer: input.customerId,
              metadata: input.metadata,
              ...(input.description ? { description: input.description } : {}),
              ...(input.captureMethod ? { capture_method: input.captureMethod } : {}),
            },
            { idempotencyKey },
          ),
        ),
      ),

    retrievePaymentIntent: (id) => callStripe(async () => toProviderPaymentIntent(await client.paymentIntents.retrieve(id))),

    retrieveCharge: (id) =>
      callStripe(async () => {
        const charge = await client.charges.retrieve(id);
        return { id: charge.id, paymentIntentId: idOf(charge.payment_intent), amountRefunded: charge.amount_refunded };
      }),

    retrieveDispute: (id) =>
      callStripe(async () => {
        const dispute = await client.disputes.retrieve(id);
        const dueBy = dispute.evidence_details?.due_by;
        return {
          paymentIntentId: idOf(dispute.payment_intent),
          dispute: { id: dispute.id, status: dispute.status, amount: dispute.amount, reason: dispute.reason, evidenceDueBy: dueBy ? new Date(dueBy * 1000).toISOString() : null },
        };
      }),

    findPaymentIntents: (customerId, key, value, createdSince) =>
      callStripe(async () => {
        const found = [];
        // A minute of slack for clocks that disagree; the window keeps the walk short for busy customers.
        const created = { gte: Math.floor(createdSince.getTime() / 1000) - 60 };
        for await (const intent of client.paymentIntents.list({ customer: customerId, created, limit: 100 })) {
          if (intent.metadata[key] === value) found.push(toProviderPaymentIntent(intent));
        }
        return found;
      }),

    cancelPaymentIntent: (id, idempotencyKey, reason) =>
      callStripe(async () => toProviderPaymentIntent(await client.paymentIntents.cancel(id, reason ? { cancellation_reason: reason } : {}, { idempotencyKey }))),

    capturePaymentIntent: (id, amount, idempotencyKey) =>
      callStripe(async () => toProviderPaymentIntent(await client.paymentIntents.capture(id, amount === undefined ? {} : { amount_to_capture: amount }, { idempotencyKey }))),

    createRefund: (input, idempotencyKey) =>
      callStripe(async () => {
        const params = { payment_intent: input.paymentIntentId, metadata: input.metadata, ...(input.amount === undefined ? {} : { amount: input.amount }), ...(input.reason ? { reason: input.reason } : {}) };
        return toProviderRefund(await client.refunds.create(params, { idempotencyKey }));
      }),

    listRefunds: (paymentIntentId) =>
      callStripe(async () => {
        const found = [];
        for await (const refund of client.refunds.list({ payment_intent: paymentIntentId, limit: 100 })) found.push(toProviderRefund(refund));
        return found.reverse(); // Stripe lists newest first
      }),

    confirmPaymentIntent: (id, input, idempotencyKey) =>
      callStripe(async () =>
        toProviderPaymentIntent(
          await client.paymentIntents.confirm(id, { payment_method: input.paymentMethodId, return_url: input.returnUrl }, { idempotencyKey }),
        ),
      ),

    retrievePaymentMethod: (id) => callStripe(async () => toProviderPaymentMethod(await client.paymentMethods.retrieve(id))),

    attachPaymentMethod: (paymentMethodId, customerId) =>
      callStripe(async () => toProviderPaymentMethod(await client.paymentMethods.attach(paymentMethodId, { customer: customerId }))),

    removeCardSource: (customerId, cardId) =>
      callStripe(async () => {
        await client.customers.deleteSource(customerId, cardId);
      }),

    detachPaymentMethod: (paymentMethodId) =>
      callStripe(async () => {
        await client.paymentMethods.detach(paymentMethodId);
      }),

    setDefaultPaymentMethod: (customerId, paymentMethodId) =>
      callStripe(async () => {
        await client.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId } });
      }),

    retrieveSetupIntent: (id) =>
      callStripe(async () => {
        const intent = await client.setupIntents.retrieve(id);
        return { id: intent.id, status: intent.status, paymentMethodId: idOf(intent.payment_method), customerId: idOf(intent.customer) };
      }),

    addCardSource: (customerId, token, idempotencyKey) =>
      callStripe(async () => {
        const source = await client.customers.createSource(customerId, { source: token }, { idempotencyKey });
        await client.customers.update(customerId, { default_source: source.id });
        const card = source.object === 'card' ? toProviderCard(source) : null;
        return { cardId: source.id, card };
      }),

    parseWebhookEvent(rawBody, signatureHeader) {
      const secret = webhookSecret();
      // Our side's fault, not the sender's: a 503, which Stripe retries (e.g. an emulator redelivering as the service starts).
      if (!secret) throw new ServiceUnavailableError('No webhook secret is configured yet (STRIPE_WEBHOOK_SECRET); retry later', undefined, { headers: { 'retry-after': '5' } });
      if (!signatureHeader) throw new InvalidSignatureError('The Stripe-Signature header is missing');
      let event: unknown;
      try {
        event = client.webhooks.constructEvent(rawBody, signatureHeader, secret);
      } catch (error) {
        throw new InvalidSignatureError(undefined, undefined, { cause: error });
      }
      return toProviderEvent(event);
    },
  };
  return metrics ? instrument(gateway, metrics) : gateway;
}

// The gateway methods whose answer is a payment's outcome.
const PAYMENT_OPERATIONS: Partial<Record<keyof PaymentGateway, string>> = {
  createPaymentIntent: 'create',
  confirmPaymentIntent: 'confirm',
  capturePaymentIntent: 'capture',
  createRefund: 'refund',
};

/** Every call to Stripe timed and counted here, once, whatever the method. */
function instrument(gateway: PaymentGateway, metrics: NonNullable<StripeGatewayOptions['metrics']>): PaymentGateway {
  const wrapped: Record<string, unknown> = { ...gateway };
  for (const [name, method] of Object.entries(gateway)) {
    // parseWebhookEvent checks a signature locally; it calls no one.
    if (typeof method !== 'function' || name === 'parseWebhookEvent') continue;
    const call = method as (...args: unknown[]) => Promise<unknown>;
    const operation = PAYMENT_OPERATIONS[name as keyof PaymentGateway];
    wrapped[name] = async (...args: unknown[]) => {
      const started = performance.now();
      const settle = (result: string) => {
        metrics.observeStripeCall(name, result, (performance.now() - started) / 1000);
      };
      try {
        const answer = await call(...args);
        settle('ok');
        if (operation) metrics.countPayment(operation, (answer as { status: string }).status);
        return answer;
      } catch (error) {
        const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'error';
        settle(code);
        if (operation) metrics.countPayment(operation, code);
        throw error;
      }
    };
  }
  return wrapped as unknown as PaymentGateway;
}

type RawObject = Record<string, unknown>;
const isObject = (value: unknown): value is RawObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const refOf = (value: unknown): string | null => (typeof value === 'string' ? value : isObject(value) && typeof value.id === 'string' ? value.id : null);

/** A verified body as the core's event; a signed body that is not a Stripe event is a 400, never a crash. */
function toProviderEvent(event: unknown): ProviderEvent {
  const data = isObject(event) ? event.data : undefined;
  const object = isObject(data) ? data.object : undefined;
  if (!isObject(event) || typeof event.id !== 'string' || typeof event.type !== 'string' || !Number.isInteger(event.created) || !isObject(object)
    || typeof object.object !== 'string' || typeof object.id !== 'string') {
    throw new MalformedEventError();
  }
  const metadata = isObject(object.metadata) ? (Object.fromEntries(Object.entries(object.metadata).filter(([, v]) => typeof v === 'string')) as Record<string, string>) : undefined;
  const parsed: ProviderEvent = {
    id: event.id,
    type: event.type,
    createdAt: new Date((event.created as number) * 1000),
    object: {
      object: object.object,
      id: object.id,
      metadata,
      customer: refOf(object.customer),
      status: optionalString(object.status),
      paymentMethod: refOf(object.payment_method),
      paymentIntent: refOf(object.payment_intent),
      charge: refOf(object.charge),
    },
  };
  // What is stored must be text a record can hold; Stripe never signs anything else.
  if (findUnsafeText(parsed).length > 0) throw new MalformedEventError();
  return parsed;
}

/** Registers (or re-registers) the endpoint Stripe should deliver events to, and returns its signing secret. */
/** An endpoint registered with (emulated) Stripe, with the secret it signs with. */
export interface RegisteredEndpoint {
  id: string;
  url: string;
  secret: string;
}

/**
 * Registers url as a webhook endpoint. The one registered before (`previous`, kept by the caller:
 * the secret is only readable at creation) is kept when it still exists with this url, so the
 * deliveries still owed to it (e.g. events of before a crash) keep coming; any other endpoint
 * with our url is replaced.
 */
export async function registerWebhookEndpoint(client: Stripe, url: string, previous?: RegisteredEndpoint): Promise<RegisteredEndpoint> {
  return callStripe(async () => {
    let kept: RegisteredEndpoint | undefined;
    for await (const endpoint of client.webhookEndpoints.list({ limit: 100 })) {
      if (endpoint.url !== url) continue;
      if (previous && endpoint.id === previous.id && previous.url === url && !kept) kept = previous;
      else await client.webhookEndpoints.del(endpoint.id);
    }
    if (kept) return kept;
    const created = await client.webhookEndpoints.create({ url, enabled_events: ['*'] });
    if (!created.secret) throw new Error('the webhook endpoint was created without a secret');
    return { id: created.id, url, secret: created.secret };
  });
}
