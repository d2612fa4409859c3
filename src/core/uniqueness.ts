import { ConflictError } from './errors.js';

/**
 * The uniqueness rules the core counts on its store to keep, named by what they mean. Which
 * constraint enforces each is the store's business (src/db/uniqueness.ts).
 */
export type UniqueRule = 'email-per-organisation' | 'stripe-customer' | 'identity-provider-audience';

/**
 * A write that would break a uniqueness rule, as a repository reports it: `rule` says which
 * (undefined for one the core gives no name). Untranslated, it is a 409 CONFLICT.
 */
export class UniquenessViolation extends ConflictError {
  constructor(
    readonly rule: UniqueRule | undefined,
    cause: unknown,
  ) {
    super(undefined, undefined, { cause });
  }
}
