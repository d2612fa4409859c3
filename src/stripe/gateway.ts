import Stripe from 'stripe';
import { InvalidSignatureError } from '../core/errors.js';
import type { PaymentGateway, ProviderEvent } from '../core/payments/payment-gateway.js';
import { callStripe } from './errors.js';
import { idOf, toProviderCard, toProviderPaymentIntent, toProviderPaymentMethod } from './mappers.js';

export interface StripeGatewayOptions {
  client: Stripe;
  secretKey: string;
  /** Read per delivery: an emulated endpoint's secret is known only once it is registered. */
  webhookSecret: () => string | undefined;
}

/** The PaymentGateway on Stripe's SDK: the only module besides the client factory that knows Stripe. */
export function createStripeGateway({ client, secretKey, webhookSecret }: StripeGatewayOptions): PaymentGateway {
  return {
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

    confirmPaymentIntent: (id, input, idempotencyKey) =>
      callStripe(async () =>
        toProviderPaymentIntent(
          await client.paymentIntents.confirm(id, { payment_method: input.paymentMethodId, return_url: input.returnUrl }, { idempotencyKey }),
        ),
      ),

    retrievePaymentMethod: (id) => callStripe(async () => toProviderPaymentMethod(await client.paymentMethods.retrieve(id))),

    attachPaymentMethod: (paymentMethodId, customerId) =>
      callStripe(async () => toProviderPaymentMethod(await client.paymentMethods.attach(paymentMethodId, { customer: customerId }))),

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
      if (!secret) throw new InvalidSignatureError('No webhook secret is configured (STRIPE_WEBHOOK_SECRET)');
      if (!signatureHeader) throw new InvalidSignatureError('The Stripe-Signature header is missing');
      let event: Stripe.Event;
      try {
        event = client.webhooks.constructEvent(rawBody, signatureHeader, secret);
      } catch (error) {
        throw new InvalidSignatureError(undefined, undefined, { cause: error });
      }
      return toProviderEvent(event);
    },
  };
}

function toProviderEvent(event: Stripe.Event): ProviderEvent {
  const object = event.data.object as unknown as {
    object: string;
    id: string;
    metadata?: Record<string, string>;
    customer?: string | { id: string } | null;
    status?: string;
    payment_method?: string | { id: string } | null;
  };
  return {
    id: event.id,
    type: event.type,
    createdAt: new Date(event.created * 1000),
    object: {
      object: object.object,
      id: object.id,
      metadata: object.metadata,
      customer: idOf(object.customer ?? null),
      status: object.status,
      paymentMethod: idOf(object.payment_method ?? null),
    },
  };
}

/** Registers (or re-registers) the endpoint Stripe should deliver events to, and returns its signing secret. */
export async function registerWebhookEndpoint(client: Stripe, url: string): Promise<string> {
  return callStripe(async () => {
    // The secret is only readable at creation, so an old endpoint with our URL is replaced.
    for await (const endpoint of client.webhookEndpoints.list({ limit: 100 })) {
      if (endpoint.url === url) await client.webhookEndpoints.del(endpoint.id);
    }
    const created = await client.webhookEndpoints.create({ url, enabled_events: ['*'] });
    if (!created.secret) throw new Error('the webhook endpoint was created without a secret');
    return created.secret;
  });
}
