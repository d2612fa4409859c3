import type Stripe from 'stripe';
import type { Actor } from '../context.js';
import { cardError, invalidRequest, resourceMissing, unexpectedState } from '../errors.js';
import { newId } from '../ids.js';
import type { InstrumentMeta } from '../store.js';
import { testCardByKey, testCardByName, type TestCard } from '../test-cards.js';
import { buildPaymentMethodCard, cardFromTestCard, detailsFromCardObject, type CardDetails } from './card-details.js';
import { idOf } from './lookup.js';

/** A chargeable card: a PaymentMethod (pm_) or a customer's legacy source card (card_). */
export interface Instrument {
  id: string;
  customer: string | null;
  testCard: TestCard;
  meta: InstrumentMeta;
  details: CardDetails;
  paymentMethod: Stripe.PaymentMethod | null;
}

export interface BillingDetailsInput {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
}

export function createPaymentMethod(
  actor: Actor, details: CardDetails, billing: BillingDetailsInput = {}, metadata: Stripe.Metadata = {},
): Stripe.PaymentMethod {
  const { store, clock } = actor.state;
  const pm: Stripe.PaymentMethod = {
    id: newId('pm'), object: 'payment_method', allow_redisplay: 'unspecified',
    billing_details: { address: null, email: billing.email ?? null, name: billing.name ?? details.name, phone: billing.phone ?? null, tax_id: null },
    card: buildPaymentMethodCard(details), created: clock.now(), customer: null, customer_account: null,
    livemode: false, metadata, type: 'card',
  };
  store.instruments.set(pm.id, { testCard: details.testCard.key, setUp: false });
  return store.insert('payment_method', pm);
}

function metaFor(actor: Actor, id: string): { meta: InstrumentMeta; testCard: TestCard } {
  const meta = actor.state.store.instruments.get(id);
  const testCard = meta ? testCardByKey(meta.testCard) : undefined;
  if (!meta || !testCard) throw invalidRequest(`The emulator has no card behaviour recorded for ${id}.`);
  return { meta, testCard };
}

export function instrumentFromPaymentMethod(actor: Actor, pm: Stripe.PaymentMethod): Instrument {
  const { meta, testCard } = metaFor(actor, pm.id);
  if (!pm.card) throw invalidRequest(`The PaymentMethod ${pm.id} is not a card.`);
  return { id: pm.id, customer: idOf(pm.customer), testCard, meta, details: detailsFromCardObject(pm.card, testCard), paymentMethod: pm };
}

/** The instrument the 3-D Secure page authenticates, for a PaymentIntent or SetupIntent awaiting it. */
export function challengedInstrument(actor: Actor, intent: Stripe.PaymentIntent | Stripe.SetupIntent): Instrument {
  const noun = intent.object === 'payment_intent' ? 'PaymentIntent' : 'SetupIntent';
  if (intent.status !== 'requires_action') throw unexpectedState(intent, `This ${noun} has a status of ${intent.status}; there is no authentication to complete.`);
  const pmId = idOf(intent.payment_method);
  if (!pmId) throw unexpectedState(intent, `This ${noun} has no payment method to authenticate.`);
  return resolveInstrument(actor, pmId, 'payment_method');
}

/** Resolves a `payment_method` parameter; `pm_card_*` test values materialise a real `pm_…` object. */
export function resolveInstrument(actor: Actor, value: string, param: string): Instrument {
  const { store, clock } = actor.state;
  const testCard = testCardByName(value, 'pm_card_');
  if (testCard) return instrumentFromPaymentMethod(actor, createPaymentMethod(actor, cardFromTestCard(testCard, clock.now())));
  if (value.startsWith('card_')) {
    const card = store.get('card', value);
    if (!card) throw resourceMissing('PaymentMethod', value, param);
    const { meta, testCard: tc } = metaFor(actor, card.id);
    return { id: card.id, customer: idOf(card.customer), testCard: tc, meta, details: detailsFromCardObject(card, tc), paymentMethod: null };
  }
  const pm = store.get('payment_method', value);
  if (!pm) throw resourceMissing('PaymentMethod', value, param);
  const inst = instrumentFromPaymentMethod(actor, pm);
  if (inst.meta.consumed) {
    throw invalidRequest('This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.', undefined, param);
  }
  return inst;
}

/** The issuer check Stripe runs when a card is attached or set up: decline cards (but not 0341) fail here. */
export function declineOnAttach(testCard: TestCard, extra: { setupIntent?: unknown; paymentMethod?: unknown } = {}): void {
  const b = testCard.behaviour;
  if (b.kind === 'decline' && b.onAttach) {
    throw cardError({ code: b.code, declineCode: b.declineCode, message: b.message, ...extra });
  }
}

export function attachPaymentMethod(actor: Actor, pm: Stripe.PaymentMethod, customerId: string): void {
  const current = idOf(pm.customer);
  if (current === customerId) return;
  if (current) throw invalidRequest('The payment method you provided has already been attached to a customer.', 'payment_method_unexpected_state', 'payment_method');
  const before = structuredClone(pm);
  pm.customer = customerId;
  actor.state.emit('payment_method.attached', pm, actor.origin, before);
}

export function detachPaymentMethod(actor: Actor, pm: Stripe.PaymentMethod): void {
  if (!pm.customer) {
    throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', 'payment_method_unexpected_state', 'payment_method');
  }
  const before = structuredClone(pm);
  const customerId = idOf(pm.customer);
  pm.customer = null;
  const meta = actor.state.store.instruments.get(pm.id);
  if (meta) meta.consumed = true;
  const customer = customerId ? actor.state.store.get('customer', customerId) : undefined;
  if (customer && customer.invoice_settings.default_payment_method === pm.id) {
    customer.invoice_settings.default_payment_method = null;
  }
  actor.state.emit('payment_method.detached', pm, actor.origin, before);
}

/**
 * Stripe refuses to use a method that belongs to another customer, or a customer's method
 * on an intent without that customer.
 */
export function checkOwnership(instrument: Instrument, customerId: string | null): void {
  if (!instrument.customer) return;
  if (!customerId) {
    throw invalidRequest(`The provided PaymentMethod ${instrument.id} belongs to a Customer, but you did not provide a Customer. Provide the Customer (${instrument.customer}) when using this PaymentMethod.`, undefined, 'payment_method');
  }
  if (instrument.customer !== customerId) {
    throw invalidRequest(`The provided PaymentMethod ${instrument.id} is attached to a different Customer than the one provided (${customerId}).`, undefined, 'payment_method');
  }
}

/** Sets (or clears) the payment method of a PaymentIntent or SetupIntent, as both do it alike. */
export function setIntentPaymentMethod(actor: Actor, intent: Stripe.PaymentIntent | Stripe.SetupIntent, pmId: string | null): void {
  if (pmId === null) {
    intent.payment_method = null;
    intent.status = 'requires_payment_method';
    return;
  }
  const inst = resolveInstrument(actor, pmId, 'payment_method');
  checkOwnership(inst, idOf(intent.customer));
  intent.payment_method = inst.id;
  intent.status = 'requires_confirmation';
  intent.next_action = null;
}
