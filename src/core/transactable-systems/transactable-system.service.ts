import { isAdmin, type Principal } from '../auth/principal.js';
import { ForbiddenError, NotFoundError, SystemNotLinkableError, TestUserRequiredError, UnknownSystemError } from '../errors.js';
import type { PaymentProfileService } from '../payment-profiles/payment-profile.service.js';
import type { PartnerUser } from '../partners/partner-identity.service.js';
import type { UserRecord } from '../users/user.repository.js';
import type { AccountLinkRepository } from './account-link.repository.js';
import type { TransactableSystemRepository, TransactableSystemRow } from './transactable-system.repository.js';
import {
  assertValidSystems,
  evaluateTransactability,
  isLinkable,
  stripeInfoCustomerId,
  type TransactableSystem,
  type Transactability,
  type UsersApiField,
} from './transactability.js';

export interface SystemForUser {
  system: TransactableSystem;
  transactability: Transactability;
}

function toSystem(row: TransactableSystemRow): TransactableSystem {
  return {
    systemId: row.systemId,
    name: row.name,
    linkedAccountRequired: row.linkedAccountRequired,
    linkUrl: row.linkUrl,
    jwtClaims: row.jwtClaims,
    usersApiFields: row.usersApiFields as UsersApiField[],
  };
}

/**
 * Coord's transactable systems: a catalogue per organisation, users' account links with them,
 * and whether a user can transact with each now (and if not, what is missing).
 */
export function createTransactableSystemService(deps: { systems: TransactableSystemRepository; links: AccountLinkRepository; profiles: PaymentProfileService }) {
  const { systems, links } = deps;

  function requireAdmin(principal: Principal): void {
    if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can manage transactable systems');
  }

  async function listSystems(organisationId: string): Promise<TransactableSystem[]> {
    return (await systems.list(organisationId)).map(toSystem);
  }

  /** A system of the user's organisation that can be linked; `path` names the request field that chose it. */
  async function requireLinkableSystem(organisationId: string, systemId: string, path: string): Promise<TransactableSystem> {
    const row = await systems.find(organisationId, systemId);
    if (!row) throw new UnknownSystemError(`No transactable system "${systemId}"`, [{ path, message: 'is not a system of this organisation' }]);
    const system = toSystem(row);
    if (!isLinkable(system)) {
      throw new SystemNotLinkableError(`The system "${systemId}" does not use account linking`, [{ path, message: 'cannot be linked' }]);
    }
    return system;
  }

  return {
    listSystems,
    requireLinkableSystem,

    async listForAdmin(principal: Principal): Promise<TransactableSystem[]> {
      requireAdmin(principal);
      return listSystems(principal.organisationId);
    },

    async upsertSystem(principal: Principal, system: TransactableSystem): Promise<TransactableSystem> {
      requireAdmin(principal);
      assertValidSystems([{ system, at: '' }]);
      return toSystem(await systems.upsert(principal.organisationId, system));
    },

    async replaceCatalogue(principal: Principal, catalogue: TransactableSystem[]): Promise<TransactableSystem[]> {
      requireAdmin(principal);
      return this.loadCatalogue(principal.organisationId, catalogue);
    },

    /** Replaces an organisation's whole catalogue (the admin endpoint, or TRANSACTABLE_SYSTEMS_FILE at start). */
    async loadCatalogue(organisationId: string, catalogue: TransactableSystem[]): Promise<TransactableSystem[]> {
      assertValidSystems(catalogue.map((system, i) => ({ system, at: `/${i}` })));
      await systems.replaceAll(organisationId, catalogue);
      return listSystems(organisationId);
    },

    async deleteSystem(principal: Principal, systemId: string): Promise<void> {
      requireAdmin(principal);
      if (!(await systems.delete(principal.organisationId, systemId))) throw new NotFoundError(`No transactable system "${systemId}"`);
    },

    /** The user's link with every system of its organisation (Coord's user.transactable_systems). */
    async linksOf(user: UserRecord): Promise<Array<{ systemId: string; linked: boolean }>> {
      const [catalogue, userLinks] = await Promise.all([systems.list(user.organisationId), links.linksOf(user.id)]);
      return catalogue.map((row) => ({ systemId: row.systemId, linked: userLinks.get(row.systemId) === true }));
    },

    async transactabilityFor({ user, claimNames }: PartnerUser): Promise<SystemForUser[]> {
      const [catalogue, userLinks, profile] = await Promise.all([listSystems(user.organisationId), links.linksOf(user.id), deps.profiles.findProfile(user.id)]);
      const facts = {
        isTest: user.isTest,
        claimNames: new Set(claimNames),
        hasName: user.userName.trim() !== '',
        hasLicensePlate: Boolean(user.vehicle?.license_plate),
        hasStripeCard: stripeInfoCustomerId(profile, user.isTest) !== null,
        links: userLinks,
      };
      return catalogue.map((system) => ({ system, transactability: evaluateTransactability(system, facts) }));
    },

    /** Coord's server-side link simulation: test users only, linkable systems only. */
    async setTestLink(user: UserRecord, systemId: string, linked: boolean): Promise<void> {
      if (!user.isTest) throw new TestUserRequiredError('Only test users (test JWTs) can simulate account linking');
      await requireLinkableSystem(user.organisationId, systemId, '/system_id');
      await links.setLink(user.id, systemId, linked);
    },

    /** Records the outcome of a linking flow the user went through in the browser. */
    async recordLink(user: UserRecord, systemId: string, linked: boolean): Promise<void> {
      await links.setLink(user.id, systemId, linked);
    },
  };
}

export type TransactableSystemService = ReturnType<typeof createTransactableSystemService>;
