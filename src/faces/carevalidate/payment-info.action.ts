import type { Static } from 'typebox';
import type { Services } from '../../http/app-context.js';
import { validateShippingAddress } from '../../core/payment-profiles/shipping-address.js';
import { success } from './envelope.js';
import type { UpdatePaymentInfoBody } from './schemas.js';
import { careValidateUser } from './user.actions.js';

/**
 * Seed 004's UPDATE_PAYMENT_INFO. The core does the work: it checks the SetupIntent (Stripe's
 * own "No such setupintent" when unknown), makes its method the default of the user's Stripe
 * customer with idempotent steps, then stores method, address and sealed NMI token in one
 * statement, so a Stripe failure half-way leaves the stored profile as it was and a retry
 * of the same call is harmless.
 */
export async function updatePaymentInfo(services: Services, organisationId: string, body: Static<typeof UpdatePaymentInfoBody>) {
  const { stripeSetupId, nmiPaymentToken, shippingAddress } = body.data;
  const address = validateShippingAddress(shippingAddress, '/data/shippingAddress');
  const user = await careValidateUser(services, organisationId, body.email);
  await services.profiles.applyPaymentSetup(user, { setupIntentId: stripeSetupId, processorTokens: { nmi: nmiPaymentToken }, shippingAddress: address });
  return success(200, { code: 'PAYMENT_SETUP_UPDATED' as const });
}
