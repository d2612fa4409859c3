import { ValidationError, type ErrorDetail } from '../errors.js';
import { plainHttpProblem } from '../web-urls.js';

/** User fields a system may require before a transaction, named as Coord's `users_api_fields` name them. */
export const USERS_API_FIELDS = ['stripe_info.stripe_customer_id', 'vehicle.license_plate', 'email', 'name'] as const;
export type UsersApiField = (typeof USERS_API_FIELDS)[number];

export interface TransactableSystem {
  systemId: string;
  name: string;
  /** Whether a user must link an account with the system before transacting. */
  linkedAccountRequired: boolean;
  /** Where live users' browsers are sent to link an account; null when the system has none. */
  linkUrl: string | null;
  /** Claims the user's JWT must carry. */
  jwtClaims: string[];
  usersApiFields: UsersApiField[];
}

/**
 * The Stripe customer Coord's `stripe_info.stripe_customer_id` shows, and systems may require: one
 * with a default card, as stripe_info (or another face's payment details) leaves it, and never a
 * test user's (Coord refuses them stripe_info). A customer made only by a payment is not it.
 */
export function stripeInfoCustomerId(profile: { stripeCustomerId: string | null; defaultPaymentMethodId: string | null } | undefined, isTest: boolean): string | null {
  return profile?.stripeCustomerId && profile.defaultPaymentMethodId && !isTest ? profile.stripeCustomerId : null;
}

/** What is known of a user when deciding whether it can transact with a system now. */
export interface UserFacts {
  isTest: boolean;
  claimNames: ReadonlySet<string>;
  hasName: boolean;
  hasLicensePlate: boolean;
  /** Whether it has a stripeInfoCustomerId. */
  hasStripeCard: boolean;
  links: ReadonlyMap<string, boolean>;
}

export interface Transactability {
  transactable: boolean;
  linkedAccount: boolean;
  missing: { jwtClaims: string[]; usersApiFields: UsersApiField[]; linkedAccount: boolean };
}

/** Linking makes sense where it is required, or where the system offers it (has a link URL). */
export function isLinkable(system: TransactableSystem): boolean {
  return system.linkedAccountRequired || system.linkUrl !== null;
}

function hasField(field: UsersApiField, facts: UserFacts): boolean {
  switch (field) {
    // Test users never have it: Coord refuses them stripe_info, so such systems have no test transactions.
    case 'stripe_info.stripe_customer_id':
      return facts.hasStripeCard;
    case 'vehicle.license_plate':
      return facts.hasLicensePlate;
    case 'email':
      return true;
    case 'name':
      return facts.hasName;
  }
}

export function evaluateTransactability(system: TransactableSystem, facts: UserFacts): Transactability {
  const linkedAccount = facts.links.get(system.systemId) === true;
  const missing = {
    jwtClaims: system.jwtClaims.filter((claim) => !facts.claimNames.has(claim)),
    usersApiFields: system.usersApiFields.filter((field) => !hasField(field, facts)),
    linkedAccount: system.linkedAccountRequired && !linkedAccount,
  };
  const transactable = missing.jwtClaims.length === 0 && missing.usersApiFields.length === 0 && !missing.linkedAccount;
  return { transactable, linkedAccount, missing };
}

const SYSTEM_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

function linkUrlProblem(linkUrl: string): string | undefined {
  try {
    const url = new URL(linkUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
    if (url.username || url.password || url.hash) return 'must not carry credentials or a fragment';
    // The browser carries the signed linking state there: never in clear across a network.
    return plainHttpProblem(url);
  } catch {
    return 'must be an absolute URL';
  }
}

function systemProblems(system: TransactableSystem, at: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  if (!SYSTEM_ID.test(system.systemId)) details.push({ path: `${at}/systemId`, message: 'must be 1-64 letters, digits, ".", "_" or "-"' });
  if (!system.name.trim() || system.name.length > 100) details.push({ path: `${at}/name`, message: 'must be 1-100 characters' });
  const linkProblem = system.linkUrl === null ? undefined : linkUrlProblem(system.linkUrl);
  if (linkProblem) details.push({ path: `${at}/linkUrl`, message: linkProblem });
  system.jwtClaims.forEach((claim, i) => {
    if (!CLAIM_NAME.test(claim)) details.push({ path: `${at}/jwtClaims/${i}`, message: 'is not a claim name' });
  });
  if (new Set(system.jwtClaims).size !== system.jwtClaims.length) details.push({ path: `${at}/jwtClaims`, message: 'must not repeat a claim' });
  system.usersApiFields.forEach((field, i) => {
    if (!USERS_API_FIELDS.includes(field)) details.push({ path: `${at}/usersApiFields/${i}`, message: `must be one of ${USERS_API_FIELDS.join(', ')}` });
  });
  if (new Set(system.usersApiFields).size !== system.usersApiFields.length) details.push({ path: `${at}/usersApiFields`, message: 'must not repeat a field' });
  return details;
}

/** Throws ValidationError listing every fault; `at` is the JSON pointer of the system in the request. */
export function assertValidSystems(systems: Array<{ system: TransactableSystem; at: string }>): void {
  const details = systems.flatMap(({ system, at }) => systemProblems(system, at));
  const ids = systems.map(({ system }) => system.systemId);
  if (new Set(ids).size !== ids.length) details.push({ path: '/', message: 'two systems have the same systemId' });
  if (details.length > 0) throw new ValidationError('The transactable system is invalid', details);
}
