import type Stripe from 'stripe';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { newId } from '../ids.js';
import { paginate } from '../list.js';
import { bool, createdRange, email, inCreatedRange, int, listShape, metadata, object, objectArray, oneOf, opaqueObject, reqStr, str, strArray, type Parsed } from '../params.js';
import { addressShape, toAddress } from './address.js';
import { route, type Route } from '../router.js';
import { declineOnAttach, attachPaymentMethod, resolveInstrument } from './instruments.js';
import { applyMetadata, idOf, requireCustomer } from './lookup.js';
import { buildCardObject } from './card-details.js';
import { consumeToken } from './tokens.js';

const customerShippingShape = { name: str(), phone: str(), address: object(addressShape) };

const customerShape = {
  email: email(), name: str(256), description: str(), phone: str(20), metadata: metadata(),
  source: str(), payment_method: str(), address: object(addressShape), shipping: object(customerShippingShape),
  invoice_settings: object({
    default_payment_method: str(), custom_fields: objectArray({ name: reqStr(40), value: reqStr(140) }, 4), footer: str(5000),
    rendering_options: object({ amount_tax_display: oneOf(['exclude_tax', 'include_inclusive_tax']), template: str() }),
  }),
  preferred_locales: strArray(), business_name: str(150), individual_name: str(150),
  // Tax location, cash balance and tax-id validation settings: Stripe acts on them for Tax and invoicing, which the emulator has not.
  tax: opaqueObject(), cash_balance: opaqueObject(), validate: bool(),
  balance: int(), tax_exempt: oneOf(['none', 'exempt', 'reverse']), test_clock: str(), invoice_prefix: str(12),
  next_invoice_sequence: int({ min: 1 }),
};
type CustomerInput = Parsed<typeof customerShape>;

function toCustomerShipping(s: Parsed<typeof customerShippingShape> | null | undefined): Stripe.Customer.Shipping | null {
  if (!s) return null;
  return { name: s.name ?? '', phone: s.phone ?? null, address: toAddress(s.address) ?? undefined };
}

/** Attaches a token's card as a customer source; the first source becomes `default_source`. */
export function addSource(actor: Actor, customer: Stripe.Customer, tokenId: string, param: string): Stripe.Card {
  const { store } = actor.state;
  const { details, cardId } = consumeToken(actor, tokenId, param);
  declineOnAttach(details.testCard);
  const card = buildCardObject(cardId, details, customer.id);
  store.instruments.set(card.id, { testCard: details.testCard.key, setUp: false });
  store.insert('card', card);
  if (!customer.default_source) customer.default_source = card.id;
  actor.state.emit('customer.source.created', card, actor.origin);
  return card;
}

function setDefaultPaymentMethod(actor: Actor, customer: Stripe.Customer, pmId: string | null): void {
  if (pmId !== null) {
    const pm = actor.state.store.get('payment_method', pmId);
    if (!pm || idOf(pm.customer) !== customer.id) {
      throw invalidRequest(`The customer does not have a payment method with the ID ${pmId}. The payment method must be attached to the customer.`, 'resource_missing', 'invoice_settings[default_payment_method]');
    }
  }
  customer.invoice_settings.default_payment_method = pmId;
}

function applyFields(actor: Actor, c: Stripe.Customer, input: CustomerInput): void {
  if (input.email !== undefined) c.email = input.email;
  if (input.name !== undefined) c.name = input.name;
  if (input.description !== undefined) c.description = input.description;
  if (input.phone !== undefined) c.phone = input.phone;
  if (input.address !== undefined) c.address = toAddress(input.address);
  if (input.shipping !== undefined) c.shipping = toCustomerShipping(input.shipping);
  if (input.metadata !== undefined) c.metadata = applyMetadata(c.metadata, input.metadata);
  if (input.preferred_locales !== undefined) c.preferred_locales = input.preferred_locales ?? [];
  if (input.balance !== undefined) c.balance = input.balance ?? 0;
  if (input.tax_exempt !== undefined) c.tax_exempt = input.tax_exempt ?? 'none';
  if (input.test_clock !== undefined) c.test_clock = input.test_clock;
  if (input.invoice_prefix) c.invoice_prefix = input.invoice_prefix;
  if (input.next_invoice_sequence) c.next_invoice_sequence = input.next_invoice_sequence;
  if (input.payment_method) {
    const inst = resolveInstrument(actor, input.payment_method, 'payment_method');
    declineOnAttach(inst.testCard);
    if (inst.paymentMethod) attachPaymentMethod(actor, inst.paymentMethod, c.id);
  }
  applyInvoiceSettings(c, input.invoice_settings);
  if (input.business_name !== undefined) c.business_name = input.business_name ?? undefined;
  if (input.individual_name !== undefined) c.individual_name = input.individual_name ?? undefined;
  if (input.invoice_settings?.default_payment_method !== undefined) {
    setDefaultPaymentMethod(actor, c, input.invoice_settings.default_payment_method);
  }
}

function applyInvoiceSettings(c: Stripe.Customer, settings: CustomerInput['invoice_settings']): void {
  if (!settings) return;
  const target = c.invoice_settings;
  if (settings.custom_fields !== undefined) target.custom_fields = settings.custom_fields;
  if (settings.footer !== undefined) target.footer = settings.footer;
  if (settings.rendering_options !== undefined) {
    const r = settings.rendering_options;
    target.rendering_options = r ? { amount_tax_display: r.amount_tax_display ?? null, template: r.template ?? null } : null;
  }
}

function buildCustomer(id: string, created: number): Stripe.Customer {
  return {
    id, object: 'customer', address: null, balance: 0, created, currency: null, default_source: null, delinquent: false,
    description: null, discount: null, email: null, invoice_prefix: id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false, metadata: {}, name: null, next_invoice_sequence: 1, phone: null, preferred_locales: [],
    shipping: null, tax_exempt: 'none', test_clock: null,
  };
}

function replaceDefaultSource(actor: Actor, c: Stripe.Customer, tokenId: string): void {
  const old = idOf(c.default_source);
  c.default_source = null;
  const card = addSource(actor, c, tokenId, 'source');
  if (old && old !== card.id) actor.state.store.remove('card', old);
}

function deleteCustomer(actor: Actor, c: Stripe.Customer): Stripe.DeletedCustomer {
  const { store } = actor.state;
  for (const card of Array.from(store.list('card', (x) => x.customer === c.id))) store.remove('card', card.id);
  // Stripe detaches a deleted customer's payment methods, so they do not look owned by a ghost.
  for (const pm of store.list('payment_method', (x) => x.customer === c.id)) pm.customer = null;
  store.remove('customer', c.id);
  store.deletedCustomers.set(c.id, true);
  actor.state.emit('customer.deleted', c, actor.origin);
  return { id: c.id, object: 'customer', deleted: true };
}

function liveCustomer(actor: Actor, id: string): Stripe.Customer {
  return requireCustomer(actor.state.store, id);
}

export const customerRoutes: Route[] = [
  route('POST', '/v1/customers', customerShape, (ctx, input) => {
    const actor = actorOf(ctx);
    const c = buildCustomer(newId('cus'), ctx.state.clock.now());
    if (input.source) addSource(actor, c, input.source, 'source');
    applyFields(actor, c, input);
    ctx.state.store.insert('customer', c);
    ctx.state.emit('customer.created', c, actor.origin);
    return c;
  }),
  route('GET', '/v1/customers/:id', {}, (ctx, _input, [id = '']) => {
    if (ctx.state.store.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
    return liveCustomer(actorOf(ctx), id);
  }),
  route('POST', '/v1/customers/:id', { ...customerShape, default_source: str() }, (ctx, input, [id = '']) => {
    const actor = actorOf(ctx);
    const c = liveCustomer(actor, id);
    const before = structuredClone(c);
    if (input.source) replaceDefaultSource(actor, c, input.source);
    if (input.default_source) {
      const card = ctx.state.store.get('card', input.default_source);
      if (!card || card.customer !== c.id) throw resourceMissing('source', input.default_source, 'default_source');
      c.default_source = card.id;
    }
    applyFields(actor, c, input);
    ctx.state.emit('customer.updated', c, actor.origin, before);
    return c;
  }),
  route('DELETE', '/v1/customers/:id', {}, (ctx, _input, [id = '']) => deleteCustomer(actorOf(ctx), liveCustomer(actorOf(ctx), id))),
  route('GET', '/v1/customers', { ...listShape, email: str(512), created: createdRange() }, (ctx, input) => {
    const items = ctx.state.store.list('customer', (c) =>
      (input.email == null || c.email === input.email) && inCreatedRange(c.created, input.created));
    return paginate(items, input, '/v1/customers', 'customer');
  }),
  route('POST', '/v1/customers/:id/sources', { source: str(), metadata: metadata() }, (ctx, input, [id = '']) => {
    const actor = actorOf(ctx);
    const c = liveCustomer(actor, id);
    if (!input.source) throw invalidRequest('Missing required param: source.', 'parameter_missing', 'source');
    const before = structuredClone(c);
    const card = addSource(actor, c, input.source, 'source');
    if (input.metadata) card.metadata = applyMetadata(card.metadata, input.metadata);
    if (before.default_source !== c.default_source) ctx.state.emit('customer.updated', c, actor.origin, before);
    return card;
  }),
  route('GET', '/v1/customers/:id/sources', { ...listShape, object: oneOf(['card']) }, (ctx, input, [id = '']) => {
    liveCustomer(actorOf(ctx), id);
    const cards = ctx.state.store.list('card', (card) => card.customer === id);
    return paginate(cards, input, `/v1/customers/${id}/sources`, 'source');
  }),
  route('GET', '/v1/customers/:id/sources/:id', {}, (ctx, _input, [id = '', cardId = '']) => {
    liveCustomer(actorOf(ctx), id);
    const card = ctx.state.store.get('card', cardId);
    if (!card || card.customer !== id) throw resourceMissing('source', cardId);
    return card;
  }),
  route('DELETE', '/v1/customers/:id/sources/:id', {}, (ctx, _input, [id = '', cardId = '']) => {
    const c = liveCustomer(actorOf(ctx), id);
    const card = ctx.state.store.get('card', cardId);
    if (!card || card.customer !== id) throw resourceMissing('source', cardId);
    const before = structuredClone(c);
    ctx.state.store.remove('card', cardId);
    ctx.state.emit('customer.source.deleted', card, actorOf(ctx).origin);
    if (idOf(c.default_source) === cardId) {
      c.default_source = ctx.state.store.list('card', (x) => x.customer === id).next().value?.id ?? null;
      ctx.state.emit('customer.updated', c, actorOf(ctx).origin, before);
    }
    return { id: cardId, object: 'card', deleted: true };
  }),
  route('GET', '/v1/customers/:id/payment_methods/:id', {}, (ctx, _input, [id = '', pmId = '']) => {
    liveCustomer(actorOf(ctx), id);
    const pm = ctx.state.store.get('payment_method', pmId);
    if (!pm || idOf(pm.customer) !== id) throw resourceMissing('PaymentMethod', pmId);
    return pm;
  }),
  route('GET', '/v1/customers/:id/payment_methods', { ...listShape, type: str(), allow_redisplay: oneOf(['always', 'limited', 'unspecified']) }, (ctx, input, [id = '']) => {
    liveCustomer(actorOf(ctx), id);
    const pms = ctx.state.store.list('payment_method', (pm) => pm.customer === id && (!input.type || pm.type === input.type)
      && (!input.allow_redisplay || pm.allow_redisplay === input.allow_redisplay));
    return paginate(pms, input, `/v1/customers/${id}/payment_methods`, 'PaymentMethod');
  }),
];
