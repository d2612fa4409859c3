import type Stripe from 'stripe';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest, parameterMissing } from '../errors.js';
import { paginate } from '../list.js';
import { int, listShape, metadata, nested, object, oneOf, reqStr, str, type Parsed } from '../params.js';
import { route, type Route } from '../router.js';
import { cardFromInput, rawCardShape } from './card-details.js';
import { applyMetadata, requireCustomer } from './lookup.js';
import { attachPaymentMethod, createPaymentMethod, declineOnAttach, detachPaymentMethod, resolveInstrument } from './instruments.js';
import { consumeToken } from './tokens.js';

const billingShape = {
  name: str(), email: str(), phone: str(),
  address: object({ city: str(), country: str(), line1: str(), line2: str(), postal_code: str(), state: str() }),
};

function applyBilling(pm: Stripe.PaymentMethod, b: Parsed<typeof billingShape> | null | undefined): void {
  if (!b) return;
  const bd = pm.billing_details;
  if (b.name !== undefined) bd.name = b.name;
  if (b.email !== undefined) bd.email = b.email;
  if (b.phone !== undefined) bd.phone = b.phone;
  if (b.address !== undefined) {
    const a = b.address;
    bd.address = a ? { city: a.city ?? null, country: a.country ?? null, line1: a.line1 ?? null, line2: a.line2 ?? null, postal_code: a.postal_code ?? null, state: a.state ?? null } : null;
  }
}

/**
 * The PaymentMethod itself, for what Stripe always allows on one: retrieve, update, detach.
 * Only using it (pay, attach, set up) is refused once it was consumed or detached.
 */
function storedPaymentMethod(actor: Actor, id: string): Stripe.PaymentMethod {
  const stored = actor.state.store.get('payment_method', id);
  if (stored) return stored;
  const inst = resolveInstrument(actor, id, 'payment_method');
  if (!inst.paymentMethod) throw invalidRequest(`${id} is a card source, not a PaymentMethod.`);
  return inst.paymentMethod;
}

/** What makes a card PaymentMethod: `POST /v1/payment_methods`, and an intent's `payment_method_data`. */
export const paymentMethodDataShape = {
  type: oneOf(['card']), card: object({ ...rawCardShape, token: str() }), billing_details: object(billingShape), metadata: metadata(),
  allow_redisplay: oneOf(['always', 'limited', 'unspecified']),
};

export function paymentMethodFromData(actor: Actor, input: Parsed<typeof paymentMethodDataShape>, prefix = ''): Stripe.PaymentMethod {
  if (!input.type) throw parameterMissing(nested(prefix, 'type'));
  if (!input.card) throw parameterMissing(nested(prefix, 'card'));
  const details = input.card.token
    ? consumeToken(actor, input.card.token, nested(prefix, 'card[token]')).details
    : cardFromInput(input.card, nested(prefix, 'card'), actor.state.clock.now());
  const pm = createPaymentMethod(actor, details, {}, applyMetadata(null, input.metadata));
  applyBilling(pm, input.billing_details);
  if (input.allow_redisplay) pm.allow_redisplay = input.allow_redisplay;
  return pm;
}

export const paymentMethodRoutes: Route[] = [
  route('POST', '/v1/payment_methods', paymentMethodDataShape, (ctx, input) => paymentMethodFromData(actorOf(ctx), input)),
  route('GET', '/v1/payment_methods/:id', {}, (ctx, _input, [id = '']) => storedPaymentMethod(actorOf(ctx), id)),
  route('POST', '/v1/payment_methods/:id', {
    billing_details: object(billingShape), metadata: metadata(), card: object({ exp_month: int(), exp_year: int() }),
  }, (ctx, input, [id = '']) => {
    const pm = storedPaymentMethod(actorOf(ctx), id);
    const before = structuredClone(pm);
    applyBilling(pm, input.billing_details);
    if (input.metadata !== undefined) pm.metadata = applyMetadata(pm.metadata, input.metadata);
    if (pm.card && input.card?.exp_month) pm.card.exp_month = input.card.exp_month;
    if (pm.card && input.card?.exp_year) pm.card.exp_year = input.card.exp_year;
    ctx.state.emit('payment_method.updated', pm, actorOf(ctx).origin, before);
    return pm;
  }),
  route('POST', '/v1/payment_methods/:id/attach', { customer: reqStr() }, (ctx, input, [id = '']) => {
    const actor = actorOf(ctx);
    const customer = requireCustomer(ctx.state.store, input.customer, 'customer');
    const inst = resolveInstrument(actor, id, 'payment_method');
    if (!inst.paymentMethod) throw invalidRequest(`${id} is a card source, not a PaymentMethod.`);
    declineOnAttach(inst.testCard, { paymentMethod: inst.paymentMethod });
    attachPaymentMethod(actor, inst.paymentMethod, customer.id);
    return inst.paymentMethod;
  }),
  route('POST', '/v1/payment_methods/:id/detach', {}, (ctx, _input, [id = '']) => {
    const pm = storedPaymentMethod(actorOf(ctx), id);
    detachPaymentMethod(actorOf(ctx), pm);
    return pm;
  }),
  route('GET', '/v1/payment_methods', { ...listShape, customer: str(), type: str(), allow_redisplay: paymentMethodDataShape.allow_redisplay }, (ctx, input) => {
    if (input.customer) requireCustomer(ctx.state.store, input.customer, 'customer');
    const pms = ctx.state.store.list('payment_method', (pm) =>
      (!input.customer || pm.customer === input.customer) && (!input.type || pm.type === input.type)
      && (!input.allow_redisplay || pm.allow_redisplay === input.allow_redisplay));
    return paginate(pms, input, '/v1/payment_methods', 'PaymentMethod');
  }),
];
