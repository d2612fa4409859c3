import type Stripe from 'stripe';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest } from '../errors.js';
import { clientSecretFor, newId } from '../ids.js';
import { paginate } from '../list.js';
import { reqCurrency } from '../currencies.js';
import { bool, createdRange, inCreatedRange, listShape, metadata, object, oneOf, opaqueObject, reqInt, str, strArray, type Parsed, type Parser } from '../params.js';
import { methodTypeArray } from '../payment-method-types.js';
import { cardOptionsShape } from './card-options.js';
import { paymentMethodDataShape, paymentMethodFromData } from './payment-methods.js';
import { route, type Route } from '../router.js';
import { setIntentPaymentMethod } from './instruments.js';
import { applyMetadata, requireCustomer, requireSetupIntent } from './lookup.js';
import { cancelSetupIntent, confirmSetupIntent, setupUnexpectedState } from './setup-intent-flow.js';

const returnUrl: Parser<string | null | undefined> = (value, param) => {
  const url = str(2048)(value, param);
  if (url && !URL.canParse(url)) throw invalidRequest('Not a valid URL', 'url_invalid', param);
  return url;
};

/** `payment_method_options[card]` of a SetupIntent, as the SDK sends it; `request_three_d_secure` and `network` are kept. */
const setupCardOptionsShape = {
  request_three_d_secure: oneOf(['automatic', 'any', 'challenge']),
  network: cardOptionsShape.network, moto: bool(), mandate_options: opaqueObject(), three_d_secure: opaqueObject(),
};

const mutableShape = {
  customer: str(), payment_method: str(), metadata: metadata(), description: str(1000),
  // `allowed_payment_method_types` is the pinned API version's name; `payment_method_types` is still accepted as before.
  allowed_payment_method_types: methodTypeArray(), payment_method_types: methodTypeArray(),
  payment_method_options: object({ card: object(setupCardOptionsShape) }), payment_method_data: object(paymentMethodDataShape),
  flow_directions: strArray(), excluded_payment_method_types: methodTypeArray(),
};
// Accepted as Stripe takes them; the emulator has no mandates or Connect, so they are not acted on.
const acceptedOnly = { mandate_data: opaqueObject(), use_stripe_sdk: bool() };
const createShape = {
  ...mutableShape, confirm: bool(), return_url: returnUrl, usage: oneOf(['on_session', 'off_session']),
  automatic_payment_methods: object({ enabled: bool(), allow_redirects: oneOf(['always', 'never']) }),
  // Stripe makes a single-use mandate of it; the emulator has no mandates, so it is validated and not kept.
  single_use: object({ amount: reqInt({ min: 1 }), currency: reqCurrency() }), attach_to_self: bool(), ...acceptedOnly,
};
const confirmShape = {
  client_secret: str(), payment_method: str(), return_url: returnUrl, payment_method_data: mutableShape.payment_method_data,
  payment_method_options: mutableShape.payment_method_options, ...acceptedOnly,
};

type SetupOptionsInput = Parsed<typeof mutableShape>['payment_method_options'];

function applySetupOptions(si: Stripe.SetupIntent, input: SetupOptionsInput): void {
  const card = input?.card;
  if (!card) return;
  const current = si.payment_method_options?.card ?? { mandate_options: null, network: null, request_three_d_secure: 'automatic' };
  si.payment_method_options = {
    card: { ...current, network: card.network !== undefined ? card.network : current.network, request_three_d_secure: card.request_three_d_secure ?? current.request_three_d_secure },
  };
}

/** `payment_method`, or one made from `payment_method_data` (not both). */
function chosenMethod(actor: Actor, input: { payment_method?: string | null; payment_method_data?: Parsed<typeof paymentMethodDataShape> | null }): string | null | undefined {
  if (!input.payment_method_data) return input.payment_method;
  if (input.payment_method) {
    throw invalidRequest('You may only specify one of these parameters: payment_method, payment_method_data.', 'parameters_exclusive', 'payment_method_data');
  }
  return paymentMethodFromData(actor, input.payment_method_data, 'payment_method_data').id;
}

function methodTypes(input: Parsed<typeof mutableShape>): string[] | null {
  return input.allowed_payment_method_types ?? input.payment_method_types ?? null;
}

function build(actor: Actor, input: Parsed<typeof createShape>): Stripe.SetupIntent {
  const id = newId('seti');
  const types = methodTypes(input);
  const apm = types ? null : { enabled: input.automatic_payment_methods?.enabled ?? true, allow_redirects: input.automatic_payment_methods?.allow_redirects ?? 'always' };
  return {
    id, object: 'setup_intent', allowed_payment_method_types: types, application: null, automatic_payment_methods: apm,
    cancellation_reason: null, client_secret: clientSecretFor(id), created: actor.state.clock.now(), customer: null,
    customer_account: null, description: input.description ?? null, excluded_payment_method_types: input.excluded_payment_method_types ?? null,
    flow_directions: (input.flow_directions as Stripe.SetupIntent.FlowDirection[] | null | undefined) ?? null,
    last_setup_error: null, latest_attempt: null, livemode: false, mandate: null, metadata: applyMetadata(null, input.metadata),
    next_action: null, on_behalf_of: null, payment_method: null,
    payment_method_configuration_details: apm ? { id: 'pmc_emulator_default', parent: null } : null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: types ?? ['card'], single_use_mandate: null, status: 'requires_payment_method',
    usage: input.usage ?? 'off_session',
  };
}

function create(actor: Actor, input: Parsed<typeof createShape>): Stripe.SetupIntent {
  if (!input.confirm && input.return_url) throw invalidRequest('You can only pass return_url when confirm=true.', undefined, 'return_url');
  const si = build(actor, input);
  applySetupOptions(si, input.payment_method_options);
  if (input.customer) si.customer = requireCustomer(actor.state.store, input.customer, 'customer').id;
  const method = chosenMethod(actor, input);
  if (method) setIntentPaymentMethod(actor, si, method);
  actor.state.store.insert('setup_intent', si);
  actor.state.emit('setup_intent.created', si, actor.origin);
  return input.confirm ? confirmSetupIntent(actor, si, { returnUrl: input.return_url }) : si;
}

function update(actor: Actor, si: Stripe.SetupIntent, input: Parsed<typeof mutableShape>): Stripe.SetupIntent {
  const final = si.status === 'succeeded' || si.status === 'canceled';
  const types = methodTypes(input);
  if (final && (input.payment_method !== undefined || input.payment_method_data || input.customer !== undefined || types)) {
    throw setupUnexpectedState('update', si);
  }
  if (input.customer !== undefined) si.customer = input.customer ? requireCustomer(actor.state.store, input.customer, 'customer').id : null;
  const method = chosenMethod(actor, input);
  if (method !== undefined) setIntentPaymentMethod(actor, si, method);
  applySetupOptions(si, input.payment_method_options);
  if (input.flow_directions !== undefined) si.flow_directions = (input.flow_directions as Stripe.SetupIntent.FlowDirection[] | null);
  if (input.excluded_payment_method_types !== undefined) si.excluded_payment_method_types = input.excluded_payment_method_types;
  if (input.metadata !== undefined) si.metadata = applyMetadata(si.metadata, input.metadata);
  if (input.description !== undefined) si.description = input.description;
  if (types) {
    si.allowed_payment_method_types = types;
    si.payment_method_types = types;
    si.automatic_payment_methods = null;
    si.payment_method_configuration_details = null;
  }
  return si;
}

export const setupIntentRoutes: Route[] = [
  route('POST', '/v1/setup_intents', createShape, (ctx, input) => create(actorOf(ctx), input)),
  route('GET', '/v1/setup_intents/:id', { client_secret: str() }, (ctx, input, [id = '']) => {
    const si = requireSetupIntent(ctx.state.store, id);
    if (input.client_secret && input.client_secret !== si.client_secret) {
      throw invalidRequest('The client_secret provided does not match the client_secret associated with the SetupIntent.', undefined, 'client_secret');
    }
    return si;
  }),
  route('POST', '/v1/setup_intents/:id', mutableShape, (ctx, input, [id = '']) => update(actorOf(ctx), requireSetupIntent(ctx.state.store, id), input)),
  route('POST', '/v1/setup_intents/:id/confirm', confirmShape, (ctx, input, [id = '']) => {
    const actor = actorOf(ctx);
    const si = requireSetupIntent(ctx.state.store, id);
    applySetupOptions(si, input.payment_method_options);
    return confirmSetupIntent(actor, si, { paymentMethod: chosenMethod(actor, input), returnUrl: input.return_url });
  }),
  route('POST', '/v1/setup_intents/:id/cancel', { cancellation_reason: oneOf(['abandoned', 'requested_by_customer', 'duplicate']) }, (ctx, input, [id = '']) =>
    cancelSetupIntent(actorOf(ctx), requireSetupIntent(ctx.state.store, id), input.cancellation_reason)),
  route('GET', '/v1/setup_intents', { ...listShape, customer: str(), payment_method: str(), created: createdRange() }, (ctx, input) => {
    const items = ctx.state.store.list('setup_intent', (si) =>
      (!input.customer || si.customer === input.customer) && (!input.payment_method || si.payment_method === input.payment_method)
      && inCreatedRange(si.created, input.created));
    return paginate(items, input, '/v1/setup_intents', 'setupintent');
  }),
];
