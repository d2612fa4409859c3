import { isDeepStrictEqual } from 'node:util';
import { isAdmin, requirePartnerCredential, type Principal } from '../auth/principal.js';
import { ForbiddenError, IdentityProviderTakenError, ValidationError, type ErrorDetail } from '../errors.js';
import { UniquenessViolation } from '../uniqueness.js';
import { plainHttpProblem } from '../web-urls.js';
import { verificationKeysOf, withPublicJwkMembers } from './identity-provider-keys.js';
import type { IdentityProviderConfig, OrganisationSettingsRepository } from './organisation-settings.repository.js';

export interface OrganisationSettings {
  /** Where account linking may send a browser back to; matched exactly. */
  redirectUris: string[];
  /** The partner's own identity provider, whose tokens are accepted as user JWTs. */
  identityProvider: IdentityProviderConfig | null;
  /** Whether anonymous POST /user/register may create accounts here (the default organisation's is what anonymous callers reach). */
  publicRegistration: boolean;
}

const settingsOf = (row: { redirectUris: string[]; identityProvider: IdentityProviderConfig | null; publicRegistration: boolean } | undefined): OrganisationSettings => ({
  redirectUris: row?.redirectUris ?? [],
  identityProvider: row?.identityProvider ?? null,
  publicRegistration: row?.publicRegistration ?? true,
});

// Schemes a browser would run or read locally rather than navigate to, its own and its
// extensions' pages, the operating system's (settings, shell, file shares, Windows' ms-*), other
// apps' launchers (intent:, mailto:, tel:) and network schemes that are not a web page's: never a
// redirect target. An app's own scheme (com.example.app:, myapp:) is fine.
const DANGEROUS_SCHEMES = new Set([
  'javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:', 'filesystem:', 'view-source:', 'jar:',
  'chrome:', 'chrome-extension:', 'chrome-untrusted:', 'devtools:', 'edge:', 'opera:', 'brave:', 'vivaldi:', 'moz-extension:', 'resource:', 'safari-extension:',
  'microsoft-edge:', 'shell:', 'search-ms:', 'res:', 'mk:', 'its:', 'smb:', 'nfs:', 'ldap:', 'content:', 'android-app:',
  'intent:', 'mailto:', 'tel:', 'sms:', 'facetime:', 'facetime-audio:', 'callto:', 'sip:', 'sips:', 'skype:', 'zoommtg:', 'zoomus:', 'steam:',
  'itms:', 'itms-apps:', 'itms-services:', 'webcal:', 'magnet:', 'irc:', 'news:', 'nntp:', 'feed:', 'market:',
  'ws:', 'wss:', 'ftp:', 'gopher:', 'telnet:', 'ssh:', 'sftp:',
  'hcp:', 'shortcuts:', 'x-web-search:', 'prefs:', 'app-settings:', 'googlechrome:', 'googlechromes:', 'firefox:', 'opera-http:',
  'livescript:', 'mocha:', 'wyciwyg:', 'vscode:', 'vscode-insiders:', 'tg:', 'whatsapp:', 'fb:', 'cydia:', 'sms-open:', 'sip-tel:',
]);
// Whole families: Windows' ms-* and Apple's x-apple* system panes.
const isDangerousScheme = (protocol: string) => DANGEROUS_SCHEMES.has(protocol) || protocol.startsWith('ms-') || protocol.startsWith('x-apple');
// Spaces, controls and invisible characters are kept raw by URL in places (the path, the query): never in a registered URI.
const UNPRINTABLE = /[\s\p{Cc}\p{Cf}]/u;


function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL';
  }
  if (UNPRINTABLE.test(uri)) return 'must not contain spaces, control or invisible characters (percent-encode them)';
  if (isDangerousScheme(url.protocol)) return `the ${url.protocol} scheme is not allowed`;
  // Written as browsers read it: "https:\\evil.example", "https:evil.example", "https:///evil.example",
  // a full-width dot or a Unicode host all read as another, canonical URI, which is the one to register.
  if (url.href !== uri && url.href !== `${uri}/`) return `must be written in its canonical form (${url.href})`;
  // An empty fragment ("…/#") is one too: URL reads its hash as ''.
  if (uri.includes('#')) return 'must not have a fragment';
  // Empty ones too ("https://:@host/"): URL reads them as none.
  if (url.username || url.password || /^[^:]+:\/\/[^/?#]*@/.test(uri)) return 'must not carry credentials';
  return plainHttpProblem(url);
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

function assertValidIdentityProvider(provider: IdentityProviderConfig, ownIssuer: string): void {
  const details: ErrorDetail[] = [];
  if (!provider.issuer.trim()) details.push({ path: '/identityProvider/issuer', message: 'must not be empty' });
  // paybridge's own tokens name its issuer: no provider may claim it (they are checked as ours, never as a partner's).
  if (provider.issuer.trim() === ownIssuer) details.push({ path: '/identityProvider/issuer', message: "is paybridge's own issuer (JWT_ISSUER)" });
  if (!provider.audience.trim()) details.push({ path: '/identityProvider/audience', message: 'must not be empty' });
  if (details.length > 0) throw new ValidationError('The identity provider is invalid', details);
  verificationKeysOf(provider);
}

/** Per-organisation settings of the partner faces: registered redirect URIs and the partner's identity provider. */
export function createOrganisationSettingsService(repo: OrganisationSettingsRepository, ownIssuer: string) {
  function requireAdmin(principal: Principal): void {
    if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can manage settings');
  }

  return {
    async getSettings(principal: Principal): Promise<OrganisationSettings> {
      requireAdmin(principal);
      return settingsOf(await repo.find(principal.organisationId));
    },

    /** Changes the settings given and keeps the others; identityProvider null removes the provider. */
    async updateSettings(principal: Principal, patch: Partial<OrganisationSettings>): Promise<OrganisationSettings> {
      requireAdmin(principal);
      if (patch.redirectUris !== undefined) assertValidRedirectUris(patch.redirectUris);
      if (patch.identityProvider) {
        assertValidIdentityProvider(patch.identityProvider, ownIssuer);
        patch = { ...patch, identityProvider: withPublicJwkMembers(patch.identityProvider) };
      }
      const current = settingsOf(await repo.find(principal.organisationId));
      // Sending back the provider as read is no change (a client PATCHes what it GETs).
      if (patch.identityProvider !== undefined && !isDeepStrictEqual(patch.identityProvider, current.identityProvider)) {
        requirePartnerCredential(principal, 'set or remove the identity provider');
      }
      const row = await repo
        .upsert(principal.organisationId, {
          redirectUris: patch.redirectUris ?? current.redirectUris,
          identityProvider: patch.identityProvider !== undefined ? patch.identityProvider : current.identityProvider,
          publicRegistration: patch.publicRegistration ?? current.publicRegistration,
        })
        .catch((error: unknown) => {
          if (error instanceof UniquenessViolation && error.rule === 'identity-provider-audience') {
            throw new IdentityProviderTakenError(undefined, [{ path: '/identityProvider/audience', message: 'is already trusted with this issuer by another organisation' }]);
          }
          throw error;
        });
      return settingsOf(row);
    },

    /**
     * The operator settles who trusts an issuer and audience: this removes an organisation's
     * identity provider (whoever claimed a pair first holds it until then, disabled or not).
     * Answers whether it had one.
     */
    async releaseIdentityProvider(organisationId: string): Promise<boolean> {
      const current = await repo.find(organisationId);
      if (!current?.identityProvider) return false;
      await repo.upsert(organisationId, { redirectUris: current.redirectUris, identityProvider: null, publicRegistration: current.publicRegistration });
      return true;
    },

    async redirectUrisOf(organisationId: string): Promise<string[]> {
      return (await repo.find(organisationId))?.redirectUris ?? [];
    },

    async identityProviderOf(organisationId: string): Promise<IdentityProviderConfig | undefined> {
      return (await repo.find(organisationId))?.identityProvider ?? undefined;
    },

    /** The organisations that trust tokens from this issuer for one of these audiences, with their provider settings. */
    async identityProvidersFor(issuer: string, audiences: string[]): Promise<Array<{ organisationId: string; provider: IdentityProviderConfig }>> {
      if (audiences.length === 0) return [];
      const rows = await repo.findByIssuer(issuer, audiences);
      return rows.flatMap((row) => (row.identityProvider ? [{ organisationId: row.organisationId, provider: row.identityProvider }] : []));
    },
  };
}

export type OrganisationSettingsService = ReturnType<typeof createOrganisationSettingsService>;
