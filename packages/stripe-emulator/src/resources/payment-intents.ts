import { checkChargeAmount } from '../amount-limits.js';
import { currency, reqCurrency } from '../currencies.js';
import type Stripe from 'stripe';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest, unexpectedState } from '../errors.js';
import type { FormValue } from '../form.js';
import { clientSecretFor, newId } from '../ids.js';
import { paginate } from '../list.js';
import {
  bool, createdRange, inCreatedRange, int, listShape, metadata, object, oneOf, opaqueObject, reqInt, str,
  type Parsed, type Parser,
} from '../params.js';
import { methodTypeArray } from '../payment-method-types.js';
import { route, type Route } from '../router.js';
import { shippingShape, toShipping } from './address.js';
import { applyCardOptions, defaultCardOptions, paymentMethodOptionsShape } from './card-options.js';
import { setIntentPaymentMethod } from './instruments.js';
import { applyMetadata, requireCustomer, requirePaymentIntent } from './lookup.js';
import { confirmPaymentIntent } from './payment-intent-flow.js';
import { paymentMethodDataShape, paymentMethodFromData } from './payment-methods.js';
import { cancelPaymentIntent, capturePaymentIntent } from './payment-intent-settle.js';

/** Stripe takes `off_session` as a boolean or as `one_off` / `recurring` (both meaning true). */
const offSessionParam: Parser<boolean | undefined> = (value: FormValue | undefined, param: string) => {
  if (value === 'one_off' || value === 'recurring') return true;
  return bool()(value, param) ?? undefined;
};

const returnUrl: Parser<string | null | undefined> = (value, param) => {
  const url = str(2048)(value, param);
  if (url && !URL.canParse(url)) throw invalidRequest('Not a valid URL', 'url_invalid', param);
  return url;
};

const mutableShape = {
  amount: int({ min: 1 }), currency: currency(), customer: str(), payment_method: str(), metadata: metadata(),
  description: str(1000), receipt_email: str(800), setup_future_usage: oneOf(['on_session', 'off_session']),
  capture_method: oneOf(['automatic', 'automatic_async', 'manual']),
  // `allowed_payment_method_types` is the pinned API version's name; `payment_method_types` is still accepted as before.
  allowed_payment_method_types: methodTypeArray(), payment_method_types: methodTypeArray(),
  statement_descriptor: str(22), statement_descriptor_suffix: str(22), transfer_group: str(), shipping: object(shippingShape),
  payment_method_options: object(paymentMethodOptionsShape), excluded_payment_method_types: methodTypeArray(),
};
const createShape = {
  ...mutableShape, amount: reqInt({ min: 1 }), currency: reqCurrency(), confirm: bool(), off_session: offSessionParam,
  return_url: returnUrl, confirmation_method: oneOf(['automatic', 'manual']), error_on_requires_action: bool(),
  automatic_payment_methods: object({ enabled: bool(), allow_redirects: oneOf(['always', 'never']) }),
  use_stripe_sdk: bool(), radar_options: opaqueObject(), mandate_data: opaqueObject(), payment_method_data: object(paymentMethodDataShape),
};
const confirmShape = {
  client_secret: str(), capture_method: mutableShape.capture_method, shipping: mutableShape.shipping,
  payment_method_options: mutableShape.payment_method_options, use_stripe_sdk: bool(),
  radar_options: opaqueObject(), mandate_data: opaqueObject(), payment_method_data: object(paymentMethodDataShape),
  allowed_payment_method_types: methodTypeArray(), payment_method: str(), return_url: returnUrl, off_session: offSessionParam, error_on_requires_action: bool(), receipt_email: str(800), setup_future_usage: oneOf(['on_session', 'off_session']),
};

/** The method an intent is confirmed with: `payment_method`, or a new one made from `payment_method_data` (not both). */
function chosenMethod(actor: Actor, input: { payment_method?: string | null; payment_method_data?: Parsed<typeof paymentMethodDataShape> | null }): string | null | undefined {
  if (!input.payment_method_data) return input.payment_method;
  if (input.payment_method) {
    throw invalidRequest('You may only specify one of these parameters: payment_method, payment_method_data.', 'parameters_exclusive', 'payment_method_data');
  }
  return paymentMethodFromData(actor, input.payment_method_data, 'payment_method_data').id;
}

function methodTypes(input: { allowed_payment_method_types?: string[] | null; payment_method_types?: string[] | null }): string[] | null {
  return input.allowed_payment_method_types ?? input.payment_method_types ?? null;
}

function build(actor: Actor, input: Parsed<typeof createShape>): Stripe.PaymentIntent {
  const id = newId('pi');
  const types = methodTypes(input);
  const apm = types ? null : { enabled: input.automatic_payment_methods?.enabled ?? true, allow_redirects: input.automatic_payment_methods?.allow_redirects ?? 'always' };
  return {
    id, object: 'payment_intent', allowed_payment_method_types: types, amount: input.amount, amount_capturable: 0,
    amount_details: { tip: {} }, amount_received: 0, application: null, application_fee_amount: null, automatic_payment_methods: apm,
    canceled_at: null, cancellation_reason: null, capture_method: input.capture_method ?? 'automatic_async', client_secret: clientSecretFor(id),
    confirmation_method: input.confirmation_method ?? 'automatic', created: actor.state.clock.now(), currency: input.currency.toLowerCase(),
    customer: null, customer_account: null, description: input.description ?? null,
    last_payment_error: null, latest_charge: null, livemode: false, managed_payments: null, metadata: applyMetadata(null, input.metadata),
    next_action: null, on_behalf_of: null, payment_method: null, payment_method_configuration_details: apm ? { id: 'pmc_emulator_default', parent: null } : null,
    payment_method_options: { card: defaultCardOptions() },
    payment_method_types: types ?? ['card'], payment_record: null, processing: null,
    receipt_email: input.receipt_email ?? null, review: null, excluded_payment_method_types: input.excluded_payment_method_types ?? null, setup_future_usage: input.setup_future_usage ?? null, shipping: null, source: null,
    statement_descriptor: input.statement_descriptor ?? null, statement_descriptor_suffix: input.statement_descriptor_suffix ?? null,
    status: 'requires_payment_method', transfer_data: null, transfer_group: input.transfer_group ?? null,
  };
}

function create(actor: Actor, input: Parsed<typeof createShape>): Stripe.PaymentIntent {
  if (!input.confirm && input.return_url) throw invalidRequest('You can only pass return_url when confirm=true.', undefined, 'return_url');
  if (!input.confirm && input.off_session !== undefined) throw invalidRequest('You can only pass off_session when confirm=true.', undefined, 'off_session');
  if (methodTypes(input) && input.automatic_payment_methods) {
    throw invalidRequest('You may only specify one of these parameters: allowed_payment_method_types, automatic_payment_methods.', 'parameters_exclusive', 'automatic_payment_methods');
  }
  checkChargeAmount(input.amount, input.currency.toLowerCase());
  const pi = build(actor, input);
  applyOptions(pi, input);
  if (input.customer) pi.customer = requireCustomer(actor.state.store, input.customer, 'customer').id;
  const method = chosenMethod(actor, input);
  if (method) setIntentPaymentMethod(actor, pi, method);
  actor.state.store.insert('payment_intent', pi);
  actor.state.emit('payment_intent.created', pi, actor.origin);
  if (!input.confirm) return pi;
  return confirmPaymentIntent(actor, pi, {
    returnUrl: input.return_url, offSession: input.off_session, errorOnRequiresAction: input.error_on_requires_action ?? false,
  });
}

const FINAL = ['succeeded', 'canceled'];
const PAYMENT_FIELDS = ['amount', 'currency', 'customer', 'payment_method', 'capture_method', 'setup_future_usage', 'allowed_payment_method_types', 'payment_method_types'] as const;

function update(actor: Actor, pi: Stripe.PaymentIntent, input: Parsed<typeof mutableShape>): Stripe.PaymentIntent {
  const changing = PAYMENT_FIELDS.find((f) => input[f] !== undefined);
  if (changing && (FINAL.includes(pi.status) || pi.status === 'requires_capture')) {
    throw unexpectedState(pi, `This PaymentIntent's ${changing} could not be updated because it has a status of ${pi.status}. You may only update the ${changing} of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.`);
  }
  if (input.amount != null) pi.amount = input.amount;
  if (input.currency) pi.currency = input.currency.toLowerCase();
  if (input.amount != null || input.currency) checkChargeAmount(pi.amount, pi.currency);
  if (input.customer !== undefined) pi.customer = input.customer ? requireCustomer(actor.state.store, input.customer, 'customer').id : null;
  if (input.payment_method !== undefined) setIntentPaymentMethod(actor, pi, input.payment_method);
  if (input.metadata !== undefined) pi.metadata = applyMetadata(pi.metadata, input.metadata);
  if (input.description !== undefined) pi.description = input.description;
  if (input.receipt_email !== undefined) pi.receipt_email = input.receipt_email;
  if (input.setup_future_usage !== undefined) pi.setup_future_usage = input.setup_future_usage;
  if (input.capture_method) pi.capture_method = input.capture_method;
  setMethodTypes(pi, methodTypes(input));
  if (input.statement_descriptor !== undefined) pi.statement_descriptor = input.statement_descriptor;
  if (input.statement_descriptor_suffix !== undefined) pi.statement_descriptor_suffix = input.statement_descriptor_suffix;
  if (input.transfer_group !== undefined) pi.transfer_group = input.transfer_group;
  if (input.excluded_payment_method_types !== undefined) pi.excluded_payment_method_types = input.excluded_payment_method_types;
  applyOptions(pi, input);
  return pi;
}

/** Shipping and `payment_method_options[card][request_three_d_secure]` (any/challenge forces 3-D Secure on-session). */
type OptionsInput = Pick<Parsed<typeof mutableShape>, 'shipping' | 'payment_method_options'>;

function applyOptions(pi: Stripe.PaymentIntent, input: OptionsInput): void {
  if (input.shipping !== undefined) pi.shipping = toShipping(input.shipping);
  if (input.payment_method_options !== undefined) {
    pi.payment_method_options = { card: applyCardOptions(pi.payment_method_options?.card, input.payment_method_options?.card) };
  }
}

function setMethodTypes(pi: Stripe.PaymentIntent, types: string[] | null): void {
  if (!types) return;
  pi.allowed_payment_method_types = types;
  pi.payment_method_types = types;
  pi.automatic_payment_methods = null;
  pi.payment_method_configuration_details = null;
}

function retrieve(store: Parameters<typeof requirePaymentIntent>[0], id: string, clientSecret: string | null | undefined): Stripe.PaymentIntent {
  const pi = requirePaymentIntent(store, id);
  if (clientSecret && clientSecret !== pi.client_secret) throw invalidRequest('The client_secret provided does not match the client_secret associated with the PaymentIntent.', undefined, 'client_secret');
  return pi;
}

export const paymentIntentRoutes: Route[] = [
  route('POST', '/v1/payment_intents', createShape, (ctx, input) => create(actorOf(ctx), input)),
  route('GET', '/v1/payment_intents/:id', { client_secret: str() }, (ctx, input, [id = '']) => retrieve(ctx.state.store, id, input.client_secret)),
  route('POST', '/v1/payment_intents/:id', mutableShape, (ctx, input, [id = '']) => update(actorOf(ctx), requirePaymentIntent(ctx.state.store, id), input)),
  route('POST', '/v1/payment_intents/:id/confirm', confirmShape, (ctx, input, [id = '']) => {
    const actor = actorOf(ctx);
    const pi = requirePaymentIntent(ctx.state.store, id);
    if (input.receipt_email !== undefined) pi.receipt_email = input.receipt_email;
    if (input.setup_future_usage !== undefined) pi.setup_future_usage = input.setup_future_usage;
    if (input.capture_method) pi.capture_method = input.capture_method;
    applyOptions(pi, input);
    setMethodTypes(pi, methodTypes(input));
    return confirmPaymentIntent(actor, pi, {
      paymentMethod: chosenMethod(actor, input), returnUrl: input.return_url, offSession: input.off_session,
      errorOnRequiresAction: input.error_on_requires_action ?? false,
    });
  }),
  route('POST', '/v1/payment_intents/:id/capture', {
    amount_to_capture: int({ min: 1 }), metadata: metadata(), statement_descriptor: str(22), statement_descriptor_suffix: str(22),
    final_capture: bool(), application_fee_amount: int({ min: 0 }),
  }, (ctx, input, [id = '']) => {
    const pi = requirePaymentIntent(ctx.state.store, id);
    if (input.metadata !== undefined) pi.metadata = applyMetadata(pi.metadata, input.metadata);
    if (input.statement_descriptor !== undefined) pi.statement_descriptor = input.statement_descriptor;
    if (input.statement_descriptor_suffix !== undefined) pi.statement_descriptor_suffix = input.statement_descriptor_suffix;
    return capturePaymentIntent(actorOf(ctx), pi, input.amount_to_capture);
  }),
  route('POST', '/v1/payment_intents/:id/cancel', {
    cancellation_reason: oneOf(['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']),
  }, (ctx, input, [id = '']) => cancelPaymentIntent(actorOf(ctx), requirePaymentIntent(ctx.state.store, id), input.cancellation_reason)),
  route('GET', '/v1/payment_intents', { ...listShape, customer: str(), created: createdRange() }, (ctx, input) => {
    const items = ctx.state.store.list('payment_intent', (pi) =>
      (!input.customer || pi.customer === input.customer) && inCreatedRange(pi.created, input.created));
    return paginate(items, input, '/v1/payment_intents', 'payment_intent');
  }),
];
