import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { useEmulator } from './helpers.js';

/**
 * Top-level keys of Stripe's published example objects (stripe/openapi fixtures3.json,
 * MIT, Copyright Stripe, Inc.), copied here so the suite does not depend on a file outside the repo.
 */
const FIXTURE_KEYS: Record<string, string[]> = {
  customer: ['address', 'balance', 'created', 'currency', 'default_source', 'delinquent', 'description', 'discount', 'email', 'id', 'invoice_prefix', 'invoice_settings', 'livemode', 'metadata', 'name', 'next_invoice_sequence', 'object', 'phone', 'preferred_locales', 'shipping', 'tax_exempt', 'test_clock'],
  payment_intent: ['amount', 'amount_capturable', 'amount_details', 'amount_received', 'application', 'application_fee_amount', 'automatic_payment_methods', 'canceled_at', 'cancellation_reason', 'capture_method', 'client_secret', 'confirmation_method', 'created', 'currency', 'customer', 'customer_account', 'description', 'excluded_payment_method_types', 'id', 'last_payment_error', 'latest_charge', 'livemode', 'managed_payments', 'metadata', 'next_action', 'object', 'on_behalf_of', 'payment_method', 'payment_method_configuration_details', 'payment_method_options', 'payment_method_types', 'processing', 'receipt_email', 'review', 'setup_future_usage', 'shipping', 'source', 'statement_descriptor', 'statement_descriptor_suffix', 'status', 'transfer_data', 'transfer_group'],
  setup_intent: ['application', 'automatic_payment_methods', 'cancellation_reason', 'client_secret', 'created', 'customer', 'description', 'excluded_payment_method_types', 'flow_directions', 'id', 'last_setup_error', 'latest_attempt', 'livemode', 'mandate', 'metadata', 'next_action', 'object', 'on_behalf_of', 'payment_method', 'payment_method_configuration_details', 'payment_method_options', 'payment_method_types', 'single_use_mandate', 'status', 'usage'],
  payment_method: ['allow_redisplay', 'billing_details', 'card', 'created', 'customer', 'customer_account', 'id', 'livemode', 'metadata', 'object', 'type'],
  // Without refunds: since API version 2022-11-15 a charge carries them only when expanded (the fixture predates that).
  charge: ['amount', 'amount_captured', 'amount_refunded', 'application', 'application_fee', 'application_fee_amount', 'balance_transaction', 'billing_details', 'calculated_statement_descriptor', 'captured', 'created', 'currency', 'customer', 'description', 'disputed', 'failure_balance_transaction', 'failure_code', 'failure_message', 'fraud_details', 'id', 'livemode', 'metadata', 'object', 'on_behalf_of', 'outcome', 'paid', 'payment_intent', 'payment_method', 'payment_method_details', 'receipt_email', 'receipt_number', 'receipt_url', 'refunded', 'review', 'shipping', 'source', 'source_transfer', 'statement_descriptor', 'statement_descriptor_suffix', 'status', 'transfer_data', 'transfer_group'],
  refund: ['amount', 'balance_transaction', 'charge', 'created', 'currency', 'customer', 'customer_account', 'destination_details', 'id', 'metadata', 'object', 'payment_intent', 'payment_method', 'reason', 'receipt_number', 'source_transfer_reversal', 'status', 'transfer_reversal'],
  event: ['api_version', 'created', 'data', 'id', 'livemode', 'object', 'pending_webhooks', 'request', 'type'],
  token: ['card', 'client_ip', 'created', 'id', 'livemode', 'object', 'type', 'used'],
  card: ['address_city', 'address_country', 'address_line1', 'address_line1_check', 'address_line2', 'address_state', 'address_zip', 'address_zip_check', 'brand', 'country', 'customer', 'cvc_check', 'dynamic_last4', 'exp_month', 'exp_year', 'fingerprint', 'funding', 'id', 'last4', 'metadata', 'name', 'object', 'regulated_status', 'tokenization_method'],
  webhook_endpoint: ['api_version', 'application', 'created', 'description', 'enabled_events', 'id', 'livemode', 'metadata', 'object', 'status', 'url'],
};

/** Keys the pinned SDK types require that the (older) fixtures lack. */
const SDK_ONLY_KEYS: Record<string, string[]> = {
  payment_intent: ['allowed_payment_method_types', 'payment_record'],
  setup_intent: ['allowed_payment_method_types', 'customer_account'],
};

function assertSameKeys(kind: string, obj: object): void {
  const expected = new Set([...(FIXTURE_KEYS[kind] ?? []), ...(SDK_ONLY_KEYS[kind] ?? [])]);
  const actual = new Set(Object.keys(obj));
  assert.deepEqual([...expected].filter((k) => !actual.has(k)), [], `${kind} is missing keys`);
  assert.deepEqual([...actual].filter((k) => !expected.has(k)), [], `${kind} has extra keys`);
}

describe('stripe emulator: object shapes match Stripe fixtures', () => {
  const t = useEmulator();

  test('top-level keys and id prefixes', async () => {
    const customer = await t.stripe.customers.create({ source: 'tok_visa' });
    assertSameKeys('customer', customer);
    assert.match(customer.id, /^cus_/);
    const card = await t.stripe.customers.retrieveSource(customer.id, String(customer.default_source));
    assertSameKeys('card', card);
    const token = await t.stripe.tokens.create({ card: { number: '4242424242424242', exp_month: '1', exp_year: '2040' } } as Stripe.TokenCreateParams);
    assertSameKeys('token', token);
    const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 1, exp_year: 2040 } });
    assertSameKeys('payment_method', pm);
    const si = await t.stripe.setupIntents.create({ customer: customer.id, payment_method: pm.id, confirm: true, allowed_payment_method_types: ['card'] });
    assertSameKeys('setup_intent', si);
    const pi = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: pm.id, confirm: true, allowed_payment_method_types: ['card'] });
    assertSameKeys('payment_intent', pi);
    const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));
    assertSameKeys('charge', charge);
    assert.match(charge.id, /^ch_/);
    assert.match(String(charge.balance_transaction), /^txn_/);
    const refund = await t.stripe.refunds.create({ payment_intent: pi.id });
    assertSameKeys('refund', refund);
    const event = (await t.stripe.events.list({ limit: 1 })).data[0];
    assert.ok(event);
    assertSameKeys('event', event);
    const we = await t.stripe.webhookEndpoints.create({ url: 'https://example.com/hook', enabled_events: ['*'] });
    const { secret, ...withoutSecret } = we;
    assert.match(secret ?? '', /^whsec_/);
    assertSameKeys('webhook_endpoint', withoutSecret);
  });
});
