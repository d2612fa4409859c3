import { isAdmin, type Principal } from '../auth/principal.js';
import { ForbiddenError, ValidationError, type ErrorDetail } from '../errors.js';
import { verificationKeysOf } from './identity-provider-keys.js';
import type { IdentityProviderConfig, OrganisationSettingsRepository } from './organisation-settings.repository.js';

export interface OrganisationSettings {
  /** Where account linking may send a browser back to; matched exactly. */
  redirectUris: string[];
  /** The partner's own identity provider, whose tokens are accepted as user JWTs. */
  identityProvider: IdentityProviderConfig | null;
}

// Schemes a browser would run or read locally rather than navigate to: never a redirect target.
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:', 'filesystem:']);

function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL';
  }
  if (DANGEROUS_SCHEMES.has(url.protocol)) return `the ${url.protocol} scheme is not allowed`;
  if (url.hash) return 'must not have a fragment';
  if (url.username || url.password) return 'must not carry credentials';
  return undefined;
}

function assertValidRedirectUris(uris: string[]): void {
  const details: ErrorDetail[] = [];
  uris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) details.push({ path: `/redirectUris/${index}`, message: problem });
  });
  if (new Set(uris).size !== uris.length) details.push({ path: '/redirectUris', message: 'must not repeat a URI' });
  if (details.length > 0) throw new ValidationError('A redirect URI is invalid', details);
}

function assertValidIdentityProvider(provider: IdentityProviderConfig): void {
  const details: ErrorDetail[] = [];
  if (!provider.issuer.trim()) details.push({ path: '/identityProvider/issuer', message: 'must not be empty' });
  if (!provider.audience.trim()) details.push({ path: '/identityProvider/audience', message: 'must not be empty' });
  if (details.length > 0) throw new ValidationError('The identity provider is invalid', details);
  verificationKeysOf(provider);
}

/** Per-organisation settings of the partner faces: registered redirect URIs and the partner's identity provider. */
export function createOrganisationSettingsService(repo: OrganisationSettingsRepository) {
  function requireAdmin(principal: Principal): void {
    if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can manage settings');
  }

  return {
    async getSettings(principal: Principal): Promise<OrganisationSettings> {
      requireAdmin(principal);
      const row = await repo.find(principal.organisationId);
      return { redirectUris: row?.redirectUris ?? [], identityProvider: row?.identityProvider ?? null };
    },

    /** Changes the settings given and keeps the others; identityProvider null removes the provider. */
    async updateSettings(principal: Principal, patch: Partial<OrganisationSettings>): Promise<OrganisationSettings> {
      requireAdmin(principal);
      if (patch.redirectUris !== undefined) assertValidRedirectUris(patch.redirectUris);
      if (patch.identityProvider) assertValidIdentityProvider(patch.identityProvider);
      const current = await repo.find(principal.organisationId);
      const row = await repo.upsert(principal.organisationId, {
        redirectUris: patch.redirectUris ?? current?.redirectUris ?? [],
        identityProvider: patch.identityProvider !== undefined ? patch.identityProvider : (current?.identityProvider ?? null),
      });
      return { redirectUris: row.redirectUris, identityProvider: row.identityProvider ?? null };
    },

    async redirectUrisOf(organisationId: string): Promise<string[]> {
      return (await repo.find(organisationId))?.redirectUris ?? [];
    },

    async identityProviderOf(organisationId: string): Promise<IdentityProviderConfig | undefined> {
      return (await repo.find(organisationId))?.identityProvider ?? undefined;
    },

    /** The organisations that trust tokens from this issuer, with their provider settings. */
    async identityProvidersForIssuer(issuer: string): Promise<Array<{ organisationId: string; provider: IdentityProviderConfig }>> {
      const rows = await repo.findByIssuer(issuer);
      return rows.flatMap((row) => (row.identityProvider ? [{ organisationId: row.organisationId, provider: row.identityProvider }] : []));
    },
  };
}

export type OrganisationSettingsService = ReturnType<typeof createOrganisationSettingsService>;
