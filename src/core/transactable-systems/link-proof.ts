import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { linkStateUses } from '../../db/schema.js';
import { InvalidLinkProofError, InvalidLinkStateError } from '../errors.js';

/**
 * What a live system proves when it sends a browser back to our callback. Each system has its
 * own secret (shown to the organisation's administrators, derived from the server's secret, so
 * every instance knows it); the system signs what it reports:
 *
 *   signature = hex(HMAC-SHA256(secret, state + "." + outcome))
 *
 * where `state` is the exact value paybridge sent it and `outcome` is `linked`, or the `error`
 * it reports (e.g. `access_denied`). A callback without a valid signature changes nothing, so a
 * browser holding a state cannot claim a link the system never made.
 */
export function createLinkProof(serverSecret: string) {
  const root = createHmac('sha256', serverSecret).update('paybridge/account-link-callback/v1').digest();
  const secretFor = (organisationId: string, systemId: string) =>
    createHmac('sha256', root).update(`${organisationId}\n${systemId}`).digest('base64url');
  return {
    secretFor,
    assertSigned(organisationId: string, systemId: string, state: string, outcome: string, signature: string | undefined): void {
      if (signature === undefined || !/^[0-9a-fA-F]{64}$/.test(signature)) throw new InvalidLinkProofError();
      const expected = createHmac('sha256', secretFor(organisationId, systemId)).update(`${state}.${outcome}`).digest();
      if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new InvalidLinkProofError();
    },
  };
}

export type LinkProof = ReturnType<typeof createLinkProof>;

export const newStateId = () => randomBytes(16).toString('base64url');

/** Each state is accepted once: its id is recorded until the state would have expired anyway. */
export function createLinkStateUses(db: Database) {
  return {
    async consume(stateId: string, expiresAt: Date): Promise<void> {
      await db.delete(linkStateUses).where(lt(linkStateUses.expiresAt, sql`now()`));
      const rows = await db.insert(linkStateUses).values({ stateId, expiresAt }).onConflictDoNothing().returning({ stateId: linkStateUses.stateId });
      if (rows.length === 0) throw new InvalidLinkStateError('This account-linking state was already used; start linking again');
    },
  };
}

export type LinkStateUses = ReturnType<typeof createLinkStateUses>;
