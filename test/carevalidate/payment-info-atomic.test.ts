import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { createCvUser, cvPost, nmiToken, paymentInfoRequest, succeededSetupIntent, WHITE_HOUSE } from './helpers.js';

const t = useTestApp();

describe('UPDATE_PAYMENT_INFO is checked whole before Stripe is touched', () => {
  for (const [label, addressLine1] of [['a NUL', '1600 Penn\u0000sylvania Ave'], ['a lone surrogate', '1600 \ud800 Ave']]) {
    test(`${label} in addressLine1 is a 400 and the card is attached to no customer`, async () => {
      const email = uniqueEmail('cv-atomic');
      const user = await createCvUser(t, email);
      const setupId = await succeededSetupIntent(t);
      const response = await cvPost(t, paymentInfoRequest(email, setupId, nmiToken(t), { ...WHITE_HOUSE, addressLine1 }));
      assert.equal(response.statusCode, 400, response.body);
      assert.match(response.json<{ error: string }>().error, /^data\.shippingAddress\.addressLine1 must not contain NUL/);
      const intent = await t.stripe.setupIntents.retrieve(setupId);
      const method = await t.stripe.paymentMethods.retrieve(String(intent.payment_method));
      assert.equal(method.customer, null, 'the payment method was attached to a customer');
      assert.equal(await t.ctx.services.profiles.findProfile(user.id), undefined, 'no profile was stored');
    });
  }
});
