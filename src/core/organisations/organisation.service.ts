import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { digestApiKey, displayPrefix, generateApiKey } from '../auth/api-key.js';
import { isAdmin, requirePartnerCredential, type Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import { isUnsafeText } from '../text.js';
import type { ApiKeyRecord, OrganisationRecord, OrganisationRepository } from './organisation.repository.js';
import { DISPLAY_NAME_RULE, isDisplayName } from '../users/display-name.js';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export function toApiKeyView(key: ApiKeyRecord): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.displayPrefix,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt ? key.revokedAt.toISOString() : null,
  };
}

/** An organisation as the operator API shows it. */
export interface OrganisationView {
  id: string;
  name: string;
  isDefault: boolean;
  disabled: boolean;
  createdAt: string;
}

export function toOrganisationView(organisation: OrganisationRecord): OrganisationView {
  return {
    id: organisation.id,
    name: organisation.name,
    isDefault: organisation.isDefault,
    disabled: organisation.disabledAt !== null,
    createdAt: organisation.createdAt.toISOString(),
  };
}

export const ORGANISATION_NAME_MAX_LENGTH = 200;

/** An organisation's name, whichever way it comes (the operator API, the CLI). */
function assertOrganisationName(name: string): void {
  // A name shown to people, held to the one rule for names (a visible character; nothing that disguises it).
  if (name.length === 0 || name.length > ORGANISATION_NAME_MAX_LENGTH || !isDisplayName(name) || isUnsafeText(name)) {
    throw new ValidationError('The organisation name is invalid', [{ path: '/name', message: `must be 1 to ${ORGANISATION_NAME_MAX_LENGTH} characters; it ${DISPLAY_NAME_RULE}` }]);
  }
}

export function createOrganisationService(repo: OrganisationRepository) {
  function requireAdmin(principal: Principal): void {
    if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can manage API keys');
  }

  return {
    ensureDefaultOrganisation: () => repo.ensureDefault('Default organisation'),
    createOrganisation: (name: string): Promise<OrganisationRecord> => repo.create(name),
    findOrganisation: (id: string) => repo.findById(id),
    listOrganisations: () => repo.list(),

    /** The operator's way in: a new organisation and its first key (the only time the key is visible). */
    async createOrganisationWithKey(name: string): Promise<{ organisation: OrganisationRecord; apiKey: string }> {
      assertOrganisationName(name);
      const organisation = await repo.create(name.trim());
      const { key } = await this.issueApiKey(organisation.id, 'first key');
      return { organisation, apiKey: key };
    },

    /** Renames, disables or re-enables. Disabling deletes nothing; its keys and tokens stop working. */
    async updateOrganisation(id: string, changes: { name?: string | undefined; disabled?: boolean | undefined }): Promise<OrganisationRecord> {
      if (changes.name !== undefined) assertOrganisationName(changes.name);
      const current = await repo.findById(id);
      if (!current) throw new NotFoundError('No such organisation');
      if (changes.disabled === true && current.isDefault) {
        throw new ConflictError('The default organisation cannot be disabled', [{ path: '/disabled', message: 'not allowed for the default organisation' }]);
      }
      const disabledAt = changes.disabled === undefined ? undefined : changes.disabled ? (current.disabledAt ?? new Date()) : null;
      const updated = await repo.update(id, {
        ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
        ...(disabledAt !== undefined ? { disabledAt } : {}),
      });
      return updated ?? current;
    },

    /** Registers a caller-chosen key (BOOTSTRAP_API_KEY); idempotent across restarts and instances. */
    async registerApiKey(organisationId: string, key: string, name: string): Promise<ApiKeyRecord> {
      return repo.insertApiKey({ id: newId(), organisationId, name, displayPrefix: displayPrefix(key), digest: digestApiKey(key) });
    },

    /** A new random key; the returned `key` is the only time it is ever visible. */
    async issueApiKey(organisationId: string, name: string): Promise<{ key: string; record: ApiKeyRecord }> {
      const key = generateApiKey();
      const record = await this.registerApiKey(organisationId, key, name);
      return { key, record };
    },

    /** A new key: made by a key only (an administrator may list and revoke them). */
    async createApiKey(principal: Principal, name: string) {
      requireAdmin(principal);
      requirePartnerCredential(principal, 'issue API keys');
      return this.issueApiKey(principal.organisationId, name);
    },

    async listApiKeys(principal: Principal): Promise<ApiKeyRecord[]> {
      requireAdmin(principal);
      return repo.listApiKeys(principal.organisationId);
    },

    async revokeApiKey(principal: Principal, id: string): Promise<ApiKeyRecord> {
      requireAdmin(principal);
      const revoked = await repo.revokeApiKey(principal.organisationId, id);
      if (!revoked) throw new NotFoundError('No such active API key');
      return revoked;
    },

    /** The organisation a key belongs to, or undefined for an unknown or revoked key. */
    async authenticateApiKey(key: string): Promise<ApiKeyRecord | undefined> {
      return repo.findUsableApiKey(digestApiKey(key));
    },

    /** Whether an organisation exists and is not disabled (partner identity-provider tokens check it). */
    async isActive(organisationId: string): Promise<boolean> {
      const organisation = await repo.findById(organisationId);
      return organisation !== undefined && organisation.disabledAt === null;
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
