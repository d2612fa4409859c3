import { CustomerTakenError, UnknownCustomerError } from '../errors.js';
import type { PaymentGateway } from '../payments/payment-gateway.js';
import type { UserRecord } from './user.repository.js';

/**
 * Before an administrator binds a Stripe customer to a user: the customer must exist, and must
 * not be one paybridge made for another user (its metadata says whose). On a Stripe account
 * shared by several organisations this keeps one organisation from taking another's customer;
 * the unique index on payment_profiles keeps two users of ours from sharing one. A customer
 * paybridge did not make (no metadata: made before paybridge, or by another system on the same
 * account) is the operator's: only the default organisation may bind it, never a tenant.
 */
export function createCustomerBindingCheck(gateway: Pick<PaymentGateway, 'retrieveCustomer'>, isDefaultOrganisation: (organisationId: string) => Promise<boolean>) {
  return async (customerId: string, user: UserRecord): Promise<void> => {
    const customer = await gateway.retrieveCustomer(customerId);
    if (!customer) throw new UnknownCustomerError(undefined, [{ path: '/customerId', message: 'does not exist at Stripe' }]);
    const owner = customer.metadata.paybridge_user_id;
    const organisation = customer.metadata.paybridge_organisation_id;
    if ((owner !== undefined && owner !== user.id) || (organisation !== undefined && organisation !== user.organisationId)) {
      throw new CustomerTakenError(undefined, [{ path: '/customerId', message: 'belongs to another user' }]);
    }
    if (organisation === undefined && !(await isDefaultOrganisation(user.organisationId))) {
      throw new CustomerTakenError('This Stripe customer was not made by paybridge; only the default organisation may bind such a customer', [
        { path: '/customerId', message: 'was not made by paybridge for this organisation' },
      ]);
    }
  };
}
