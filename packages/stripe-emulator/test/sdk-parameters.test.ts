import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cardData, cardPi, useEmulator } from './helpers.js';

// Parameters of the SDK's SetupIntent, Customer, Refund and list calls that Stripe takes and the emulator refused as unknown.
describe('stripe emulator: SDK parameters on the routes it implements', () => {
  const t = useEmulator();

  test('SetupIntents: payment_method_data, card options, flow_directions, mandate_data, attach_to_self', async () => {
    const customer = await t.stripe.customers.create({});
    const si = await t.stripe.setupIntents.create({
      customer: customer.id, confirm: true, allowed_payment_method_types: ['card'], flow_directions: ['inbound'], attach_to_self: false,
      payment_method_data: cardData({ type: 'card', card: { token: 'tok_visa' } }),
      payment_method_options: { card: { network: 'visa', moto: true } },
      mandate_data: { customer_acceptance: { type: 'offline' } }, use_stripe_sdk: true,
    });
    assert.equal(si.status, 'succeeded');
    assert.deepEqual(si.flow_directions, ['inbound']);
    assert.equal(si.payment_method_options?.card?.network, 'visa');
    assert.equal((await t.stripe.paymentMethods.retrieve(String(si.payment_method))).customer, customer.id);
    const open = await t.stripe.setupIntents.create({ allowed_payment_method_types: ['card'] });
    const confirmed = await t.stripe.setupIntents.confirm(open.id, { payment_method_data: cardData({ type: 'card', card: { token: 'tok_visa' } }) });
    assert.equal(confirmed.status, 'succeeded');
  });

  test('Customers: invoice_settings custom_fields, footer and rendering_options are kept; tax and validate accepted', async () => {
    const c = await t.stripe.customers.create({
      business_name: 'Acme', validate: true, tax: { ip_address: '192.0.2.1' },
      invoice_settings: { custom_fields: [{ name: 'PO', value: '42' }], footer: 'Thanks', rendering_options: { amount_tax_display: 'exclude_tax' } },
    });
    assert.deepEqual(c.invoice_settings.custom_fields, [{ name: 'PO', value: '42' }]);
    assert.equal(c.invoice_settings.footer, 'Thanks');
    assert.equal(c.invoice_settings.rendering_options?.amount_tax_display, 'exclude_tax');
    assert.equal(c.business_name, 'Acme');
    assert.equal((await t.stripe.customers.update(c.id, { invoice_settings: { footer: '' } })).invoice_settings.footer, null);
  });

  test('Refunds take instructions_email; lists filter by transfer_group and allow_redisplay', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, ...cardPi });
    const refund = await t.stripe.refunds.create({ payment_intent: pi.id, instructions_email: 'a@example.com', refund_application_fee: false, reverse_transfer: false });
    assert.equal(refund.status, 'succeeded');
    assert.equal((await t.stripe.charges.list({ transfer_group: 'none-such' })).data.length, 0);
    const customer = await t.stripe.customers.create({});
    await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    assert.equal((await t.stripe.customers.listPaymentMethods(customer.id, { allow_redisplay: 'always' })).data.length, 0);
    assert.equal((await t.stripe.paymentMethods.list({ customer: customer.id, allow_redisplay: 'unspecified' })).data.length, 1);
  });
});
