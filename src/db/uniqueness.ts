import { UniquenessViolation, type UniqueRule } from '../core/uniqueness.js';
import { isUniqueViolation } from './errors.js';

// The constraint (see migrations/) that keeps each rule the core names.
const CONSTRAINTS: ReadonlyArray<[UniqueRule, string]> = [
  ['email-per-organisation', 'users_email_per_organisation'],
  ['stripe-customer', 'payment_profiles_stripe_customer'],
  ['identity-provider-audience', 'organisation_settings_identity_provider_audience'],
];

/** Runs a repository's write; a unique violation comes back as the core's UniquenessViolation. */
export async function reportingUniqueness<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const rule = CONSTRAINTS.find(([, constraint]) => isUniqueViolation(error, constraint))?.[0];
    throw new UniquenessViolation(rule, error);
  }
}
