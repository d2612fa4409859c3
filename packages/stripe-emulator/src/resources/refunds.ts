import type Stripe from 'stripe';
import { formatAmount } from '../amount-limits.js';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { newId } from '../ids.js';
import { paginate } from '../list.js';
import { testCardByKey } from '../test-cards.js';
import { bool, createdRange, email, inCreatedRange, int, listShape, metadata, oneOf, str, type Parsed } from '../params.js';
import { route, type Route } from '../router.js';
import { applyMetadata, idOf, requireCharge, requirePaymentIntent } from './lookup.js';

const createShape = {
  charge: str(), payment_intent: str(), amount: int({ min: 1 }), metadata: metadata(),
  reason: oneOf(['duplicate', 'fraudulent', 'requested_by_customer']),
  // For refunds that need the customer's bank details, and for Connect: no card refund here needs them.
  instructions_email: email(), refund_application_fee: bool(), reverse_transfer: bool(),
};

function chargeToRefund(actor: Actor, input: Parsed<typeof createShape>): Stripe.Charge {
  const { store } = actor.state;
  if (input.charge && input.payment_intent) {
    throw invalidRequest('You may only specify one of these parameters: charge, payment_intent.', 'parameters_exclusive', 'charge');
  }
  if (input.charge) return requireCharge(store, input.charge, 'charge');
  if (!input.payment_intent) throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing');
  const pi = requirePaymentIntent(store, input.payment_intent);
  const chargeId = pi.status === 'succeeded' ? idOf(pi.latest_charge) : null;
  if (!chargeId) throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, 'charge_not_refundable', 'payment_intent');
  return requireCharge(store, chargeId, 'payment_intent');
}

function createRefund(actor: Actor, input: Parsed<typeof createShape>): Stripe.Refund {
  const { store, clock } = actor.state;
  const charge = chargeToRefund(actor, input);
  if (charge.status !== 'succeeded' || !charge.captured) {
    throw invalidRequest(`Charge ${charge.id} has not been captured or did not succeed, so it cannot be refunded.`, 'charge_not_refundable', 'charge');
  }
  // A chargeback already returned the money: Stripe refuses to refund it again (unless the dispute was won or is an inquiry).
  const chargedBack = charge.disputed && [...store.list('dispute', (d) => d.charge === charge.id && !d.is_charge_refundable && d.status !== 'won')].length > 0;
  if (chargedBack) throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, 'charge_disputed', 'charge');
  const refundable = charge.amount_captured - (charge.amount_refunded - (charge.amount - charge.amount_captured));
  if (refundable <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded', 'charge');
  const amount = input.amount ?? refundable;
  if (amount > refundable) {
    const what = refundable === charge.amount ? 'charge amount' : 'unrefunded amount on charge';
    throw invalidRequest(`Refund amount (${formatAmount(amount, charge.currency)}) is greater than ${what} (${formatAmount(refundable, charge.currency)})`, 'amount_too_large', 'amount');
  }
  const refund: Stripe.Refund = {
    id: newId('re'), object: 'refund', amount, balance_transaction: newId('txn'), charge: charge.id, created: clock.now(),
    currency: charge.currency, customer: idOf(charge.customer), customer_account: null,
    destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    metadata: applyMetadata(null, input.metadata), payment_intent: idOf(charge.payment_intent), payment_method: charge.payment_method,
    reason: input.reason ?? null, receipt_number: null, source_transfer_reversal: null, status: 'succeeded', transfer_reversal: null,
  };
  store.insert('refund', refund);
  const before = structuredClone(charge);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  actor.state.emit('refund.created', refund, actor.origin);
  actor.state.emit('charge.refunded', charge, actor.origin, before);
  const card = charge.payment_method ? actor.state.store.instruments.get(charge.payment_method) : undefined;
  return card && testCardByKey(card.testCard)?.refunds === 'fail' ? failRefund(actor, refund, charge) : refund;
}

/**
 * The card can no longer take money back: the caller is answered `succeeded`, as Stripe answers
 * at first; every later read shows `failed`, the amount is no longer refunded, and the events say so.
 */
function failRefund(actor: Actor, refund: Stripe.Refund, charge: Stripe.Charge): Stripe.Refund {
  const answered = structuredClone(refund);
  const before = structuredClone(refund);
  refund.status = 'failed';
  refund.failure_reason = 'expired_or_canceled_card';
  refund.failure_balance_transaction = newId('txn');
  charge.amount_refunded -= refund.amount;
  charge.refunded = false;
  for (const type of ['refund.updated', 'charge.refund.updated', 'refund.failed'] as const) actor.state.emit(type, refund, actor.origin, before);
  return answered;
}

function requireRefund(actor: Actor, id: string): Stripe.Refund {
  const r = actor.state.store.get('refund', id);
  if (!r) throw resourceMissing('refund', id);
  return r;
}

export const refundRoutes: Route[] = [
  route('POST', '/v1/refunds', createShape, (ctx, input) => createRefund(actorOf(ctx), input)),
  route('GET', '/v1/refunds/:id', {}, (ctx, _input, [id = '']) => requireRefund(actorOf(ctx), id)),
  route('POST', '/v1/refunds/:id', { metadata: metadata() }, (ctx, input, [id = '']) => {
    const r = requireRefund(actorOf(ctx), id);
    const before = structuredClone(r);
    if (input.metadata !== undefined) r.metadata = applyMetadata(r.metadata, input.metadata);
    if (JSON.stringify(before) !== JSON.stringify(r)) ctx.state.emit('refund.updated', r, actorOf(ctx).origin, before);
    return r;
  }),
  // Stripe cancels only a refund still `requires_action` (one that waits on the customer); card refunds never are.
  route('POST', '/v1/refunds/:id/cancel', {}, (ctx, _input, [id = '']) => {
    const r = requireRefund(actorOf(ctx), id);
    throw invalidRequest(`Refund ${r.id} cannot be canceled because it has a status of ${r.status ?? 'unknown'}. Only a refund with a status of requires_action can be canceled.`, undefined, 'refund');
  }),
  route('GET', '/v1/refunds', { ...listShape, charge: str(), payment_intent: str(), created: createdRange() }, (ctx, input) => {
    const items = ctx.state.store.list('refund', (r) =>
      (!input.charge || r.charge === input.charge) && (!input.payment_intent || r.payment_intent === input.payment_intent)
      && inCreatedRange(r.created, input.created));
    return paginate(items, input, '/v1/refunds', 'refund');
  }),
];
