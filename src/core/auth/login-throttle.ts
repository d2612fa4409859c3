import { RateLimitedError } from '../errors.js';
import { clientNetwork } from './client-network.js';
import type { KnownNetworks } from './known-networks.repository.js';
import type { AttemptCounter } from './rate-limiter.js';

export interface LoginThrottleLimits {
  /** Failed logins one client address may make against one account per window. */
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  /** Failed logins against one account from all addresses per window before it admits only networks it signed in from. */
  lockdownFailures: number;
  windowSeconds: number;
}

export interface RegistrationLimits {
  maxPerAddress: number;
  windowSeconds: number;
}

const refuse = (retryAfter: number, message: string) =>
  new RateLimitedError(message, undefined, { headers: { 'retry-after': String(retryAfter) } });

/**
 * Abuse limits that an attacker cannot turn on an account's owner.
 *
 * Failed logins are counted per (account, client address), per address, and per account. The
 * (account, address) and address limits refuse that address only. The account-wide count only
 * matters once the account is under attack (more failures than one address may make): then an
 * address that has already failed against it is refused, unless the account signed in from its
 * network before (its owner mistyped), while an address that has not (the owner elsewhere, with
 * the right password) still gets its attempt. Every attempt is counted
 * before the password is checked, atomically, so concurrent guesses cannot slip past the first
 * failure; a success refunds its own attempt and never earlier failures. A refused address
 * adds no per-account keys, so it cannot grow the store with fresh emails. An IPv6 address
 * counts as its /64 (clientNetwork).
 *
 * Many addresses, one guess each, would still add up: past `lockdownFailures` in the window the
 * account admits only networks it has signed in from in the last 30 days (kept in the database,
 * so no flood of counters and no restart forgets them): the owner at home or at work goes on
 * signing in while a botnet's fresh addresses wait for the window to end. Those are refused
 * before any (account, address) counter is made, so refusals cannot churn the counters either.
 */
export function createLoginThrottle(counter: AttemptCounter, knownNetworks: KnownNetworks, limits: LoginThrottleLimits, registration: RegistrationLimits) {
  const pairKey = (organisationId: string, email: string, address: string) => `login:pair:${organisationId}:${clientNetwork(address)}:${email}`;
  const accountKey = (organisationId: string, email: string) => `login:account:${organisationId}:${email}`;
  const addressKey = (address: string) => `login:address:${clientNetwork(address)}`;
  const window = limits.windowSeconds;
  const message = 'Too many failed login attempts from this address; retry later';

  return {
    async beginAttempt(organisationId: string, email: string, address: string): Promise<void> {
      const source = await counter.increment(addressKey(address), window);
      if (source.count > limits.maxFailuresPerAddress) {
        await counter.decrement(addressKey(address));
        throw refuse(source.resetInSeconds, message);
      }
      let known: Promise<boolean> | undefined;
      const isKnownNetwork = () => (known ??= knownNetworks.isKnown(organisationId, email, clientNetwork(address)));
      // Counted before it is judged, atomically: concurrent guesses from many addresses cannot all
      // see the account below its lockdown (the account's key exists by then: no churn).
      const account = await counter.increment(accountKey(organisationId, email), window);
      if (account.count > limits.lockdownFailures && !(await isKnownNetwork())) {
        await counter.decrement(accountKey(organisationId, email));
        // Until the account's window ends: then fresh networks may try again.
        throw refuse(account.resetInSeconds, 'This account has had too many failed logins; for now only networks it signed in from before may try; retry later');
      }
      const priorFromHere = (await counter.peek(pairKey(organisationId, email, address))).count;
      const pair = await counter.increment(pairKey(organisationId, email, address), window);
      // Under attack, an address that already failed against the account waits, unless the account
      // signed in from its network before: that is its owner, who mistyped (the pair limit still holds).
      const underAttack = account.count > limits.maxFailuresPerAccount && priorFromHere > 0 && !(await isKnownNetwork());
      if (pair.count > limits.maxFailuresPerAccount || underAttack) {
        // Refused before the password is checked: no failure against the account, so one address
        // cannot count its way to the account's lockdown (that takes many addresses).
        await Promise.all([counter.decrement(pairKey(organisationId, email, address)), counter.decrement(accountKey(organisationId, email))]);
        throw refuse(Math.max(pair.resetInSeconds, underAttack ? account.resetInSeconds : 0), message);
      }
    },

    /** The right password (of userId): its own attempt is given back on every counter, earlier failures stay. */
    async recordSuccess(organisationId: string, email: string, address: string, userId: string): Promise<void> {
      await Promise.all([
        counter.decrement(pairKey(organisationId, email, address)),
        counter.decrement(accountKey(organisationId, email)),
        counter.decrement(addressKey(address)),
        knownNetworks.remember(userId, clientNetwork(address)),
      ]);
    },

    /** A new account's network is one it is known at: its owner was there with its password. */
    rememberNetwork: (userId: string, address: string) => knownNetworks.remember(userId, clientNetwork(address)),

    /** Anonymous self-registrations per client address. */
    async beginRegistration(address: string): Promise<void> {
      const attempts = await counter.increment(`register:address:${clientNetwork(address)}`, registration.windowSeconds);
      if (attempts.count > registration.maxPerAddress) throw refuse(attempts.resetInSeconds, 'Too many registrations from this address; retry later');
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
