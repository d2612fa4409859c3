import { ForbiddenError, NotFoundError } from '../errors.js';
import { digestApiKey, displayPrefix, generateApiKey } from '../auth/api-key.js';
import { isAdmin, type Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import type { ApiKeyRecord, OrganisationRecord, OrganisationRepository } from './organisation.repository.js';

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

export function createOrganisationService(repo: OrganisationRepository) {
  function requireAdmin(principal: Principal): void {
    if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can manage API keys');
  }

  return {
    ensureDefaultOrganisation: () => repo.ensureDefault('Default organisation'),
    createOrganisation: (name: string): Promise<OrganisationRecord> => repo.create(name),
    findOrganisation: (id: string) => repo.findById(id),

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

    async createApiKey(principal: Principal, name: string) {
      requireAdmin(principal);
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
      const record = await repo.findApiKeyByDigest(digestApiKey(key));
      return record && !record.revokedAt ? record : undefined;
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
