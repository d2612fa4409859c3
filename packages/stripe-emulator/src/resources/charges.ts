import type Stripe from 'stripe';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest } from '../errors.js';
import { newId } from '../ids.js';
import { paginate } from '../list.js';
import { createdRange, email, inCreatedRange, listShape, metadata, object, oneOf, str, type Parsed } from '../params.js';
import { shippingShape, toShipping } from './address.js';
import { route, type Route } from '../router.js';
import type { Instrument } from './instruments.js';
import { applyMetadata, idOf, requireCharge, requireCustomer } from './lookup.js';

export interface ChargeFailure {
  code: string;
  declineCode: string;
  message: string;
}

function cardDetails(inst: Instrument, amount: number, threeDSecure: boolean): Stripe.Charge.PaymentMethodDetails.Card {
  const d = inst.details;
  return {
    amount_authorized: amount, authorization_code: null, brand: d.testCard.brand, electronic_commerce_indicator: null, transaction_link_id: null,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: d.cvcProvided ? 'pass' : null },
    country: d.testCard.country, exp_month: d.expMonth, exp_year: d.expYear,
    extended_authorization: { status: 'disabled' }, fingerprint: d.fingerprint, funding: d.testCard.funding,
    incremental_authorization: { status: 'unavailable' }, installments: null, last4: d.last4, mandate: null,
    multicapture: { status: 'unavailable' }, network: d.testCard.brand, network_token: { used: false },
    network_transaction_id: null, overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
    regulated_status: 'unregulated',
    three_d_secure: threeDSecure
      ? { authentication_flow: 'challenge', electronic_commerce_indicator: '05', exemption_indicator: null, result: 'authenticated', result_reason: null, transaction_id: null, version: '2.2.0' }
      : null,
    wallet: null,
  };
}

function outcome(failure: ChargeFailure | null): Stripe.Charge.Outcome {
  if (!failure) {
    return { advice_code: null, network_advice_code: null, network_decline_code: null, network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: 32, seller_message: 'Payment complete.', type: 'authorized' };
  }
  return {
    advice_code: null, network_advice_code: null, network_decline_code: null, network_status: 'declined_by_network',
    reason: failure.declineCode, risk_level: 'normal', risk_score: 32, seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined',
  };
}

export interface NewCharge {
  pi: Stripe.PaymentIntent;
  instrument: Instrument;
  capture: boolean;
  failure: ChargeFailure | null;
  threeDSecure: boolean;
}

/** Records one charge attempt of a PaymentIntent and emits `charge.succeeded` / `charge.failed`. */
export function createCharge(actor: Actor, n: NewCharge): Stripe.Charge {
  const { store, clock } = actor.state;
  const { pi, instrument: inst, failure } = n;
  const id = newId('ch');
  const succeeded = failure === null;
  const billing = inst.paymentMethod?.billing_details;
  const charge: Stripe.Charge = {
    id, object: 'charge', amount: pi.amount, amount_captured: succeeded && n.capture ? pi.amount : 0, amount_refunded: 0,
    application: null, application_fee: null, application_fee_amount: null,
    balance_transaction: succeeded && n.capture ? newId('txn') : null,
    billing_details: { address: billing?.address ?? null, email: billing?.email ?? null, name: billing?.name ?? inst.details.name, phone: billing?.phone ?? null, tax_id: null },
    calculated_statement_descriptor: pi.statement_descriptor ?? 'PAYBRIDGE', captured: succeeded && n.capture, created: clock.now(),
    currency: pi.currency, customer: idOf(pi.customer), description: pi.description, disputed: false,
    failure_balance_transaction: null, failure_code: failure?.code ?? null, failure_message: failure?.message ?? null,
    fraud_details: {}, livemode: false, metadata: { ...pi.metadata }, on_behalf_of: null, outcome: outcome(failure),
    paid: succeeded, payment_intent: pi.id, payment_method: inst.id,
    payment_method_details: { card: cardDetails(inst, pi.amount, n.threeDSecure), type: 'card' },
    receipt_email: pi.receipt_email, receipt_number: null, receipt_url: `${actor.state.baseUrl}/_emulator/receipts/${id}`,
    refunded: false,
    review: null, shipping: null, source: null, source_transfer: null, statement_descriptor: pi.statement_descriptor,
    statement_descriptor_suffix: pi.statement_descriptor_suffix, status: succeeded ? 'succeeded' : 'failed',
    transfer_data: null, transfer_group: null,
  };
  store.insert('charge', charge);
  actor.state.emit(succeeded ? 'charge.succeeded' : 'charge.failed', charge, actor.origin);
  return charge;
}

// What `POST /v1/charges/:id` takes (the rest of a charge is set by the payment that made it).
const updateShape = {
  description: str(), metadata: metadata(), receipt_email: email(800), shipping: object(shippingShape), transfer_group: str(),
  fraud_details: object({ user_report: oneOf(['fraudulent', 'safe']) }), customer: str(),
};

function updateCharge(actor: Actor, charge: Stripe.Charge, input: Parsed<typeof updateShape>): Stripe.Charge {
  const before = structuredClone(charge);
  if (input.customer) {
    // Stripe sets a customer only on a charge that has none.
    if (charge.customer && idOf(charge.customer) !== input.customer) throw invalidRequest('This charge already has a customer; it cannot be changed.', undefined, 'customer');
    charge.customer = requireCustomer(actor.state.store, input.customer, 'customer').id;
  }
  if (input.description !== undefined) charge.description = input.description;
  if (input.metadata !== undefined) charge.metadata = applyMetadata(charge.metadata, input.metadata);
  if (input.receipt_email !== undefined) charge.receipt_email = input.receipt_email;
  if (input.shipping !== undefined) charge.shipping = toShipping(input.shipping);
  if (input.transfer_group !== undefined) charge.transfer_group = input.transfer_group;
  if (input.fraud_details?.user_report) charge.fraud_details = { ...charge.fraud_details, user_report: input.fraud_details.user_report };
  actor.state.emit('charge.updated', charge, actor.origin, before);
  return charge;
}

export const chargeRoutes: Route[] = [
  route('POST', '/v1/charges/:id', updateShape, (ctx, input, [id = '']) => updateCharge(actorOf(ctx), requireCharge(ctx.state.store, id), input)),
  route('GET', '/v1/charges/:id', {}, (ctx, _input, [id = '']) => requireCharge(ctx.state.store, id)),
  route('GET', '/v1/charges', { ...listShape, customer: str(), payment_intent: str(), transfer_group: str(), created: createdRange() }, (ctx, input) => {
    const items = ctx.state.store.list('charge', (c) =>
      (!input.customer || c.customer === input.customer) && (!input.payment_intent || c.payment_intent === input.payment_intent)
      && (!input.transfer_group || c.transfer_group === input.transfer_group)
      && inCreatedRange(c.created, input.created));
    return paginate(items, input, '/v1/charges', 'charge');
  }),
];
