import type Stripe from 'stripe';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest } from '../errors.js';
import { clientSecretFor, newId } from '../ids.js';
import { paginate } from '../list.js';
import { bool, createdRange, inCreatedRange, listShape, metadata, object, oneOf, str, strArray, type Parsed, type Parser } from '../params.js';
import { route, type Route } from '../router.js';
import { setIntentPaymentMethod } from './instruments.js';
import { applyMetadata, requireCustomer, requireSetupIntent } from './lookup.js';
import { cancelSetupIntent, confirmSetupIntent, setupUnexpectedState } from './setup-intent-flow.js';

const returnUrl: Parser<string | null | undefined> = (value, param) => {
  const url = str(2048)(value, param);
  if (url && !URL.canParse(url)) throw invalidRequest('Not a valid URL', 'url_invalid', param);
  return url;
};

const mutableShape = {
  customer: str(), payment_method: str(), metadata: metadata(), description: str(1000),
  // `allowed_payment_method_types` is the pinned API version's name; `payment_method_types` is still accepted as before.
  allowed_payment_method_types: strArray(), payment_method_types: strArray(),
};
const createShape = {
  ...mutableShape, confirm: bool(), return_url: returnUrl, usage: oneOf(['on_session', 'off_session']),
  automatic_payment_methods: object({ enabled: bool(), allow_redirects: oneOf(['always', 'never']) }),
};

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
    customer_account: null, description: input.description ?? null, excluded_payment_method_types: null, flow_directions: null,
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
  if (input.customer) si.customer = requireCustomer(actor.state.store, input.customer, 'customer').id;
  if (input.payment_method) setIntentPaymentMethod(actor, si, input.payment_method);
  actor.state.store.insert('setup_intent', si);
  actor.state.emit('setup_intent.created', si, actor.origin);
  return input.confirm ? confirmSetupIntent(actor, si, { returnUrl: input.return_url }) : si;
}

function update(actor: Actor, si: Stripe.SetupIntent, input: Parsed<typeof mutableShape>): Stripe.SetupIntent {
  const final = si.status === 'succeeded' || si.status === 'canceled';
  const types = methodTypes(input);
  if (final && (input.payment_method !== undefined || input.customer !== undefined || types)) {
    throw setupUnexpectedState('update', si);
  }
  if (input.customer !== undefined) si.customer = input.customer ? requireCustomer(actor.state.store, input.customer, 'customer').id : null;
  if (input.payment_method !== undefined) setIntentPaymentMethod(actor, si, input.payment_method);
  if (input.metadata !== undefined) si.metadata = applyMetadata(si.metadata, input.metadata);
  if (input.description !== undefined) si.description = input.description;
  if (types) {
    si.allowed_payment_method_types = types;
    si.payment_method_types = types;
    si.automatic_payment_methods = null;
    si.payment_method_configuration_details = null;
  }
  actor.state.store.touch();
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
  route('POST', '/v1/setup_intents/:id/confirm', { payment_method: str(), return_url: returnUrl }, (ctx, input, [id = '']) =>
    confirmSetupIntent(actorOf(ctx), requireSetupIntent(ctx.state.store, id), { paymentMethod: input.payment_method, returnUrl: input.return_url })),
  route('POST', '/v1/setup_intents/:id/cancel', { cancellation_reason: oneOf(['abandoned', 'requested_by_customer', 'duplicate']) }, (ctx, input, [id = '']) =>
    cancelSetupIntent(actorOf(ctx), requireSetupIntent(ctx.state.store, id), input.cancellation_reason)),
  route('GET', '/v1/setup_intents', { ...listShape, customer: str(), payment_method: str(), created: createdRange() }, (ctx, input) => {
    const items = ctx.state.store.list('setup_intent', (si) =>
      (!input.customer || si.customer === input.customer) && (!input.payment_method || si.payment_method === input.payment_method)
      && inCreatedRange(si.created, input.created));
    return paginate(items, input, '/v1/setup_intents', 'setupintent');
  }),
];
