import { DEFAULT_PARTNER_TOKEN_LIFETIME_SECONDS, MAX_PARTNER_TOKEN_LIFETIME_SECONDS } from '../../core/partners/partner-token.verifier.js';
import { Type } from 'typebox';
import { USERS_API_FIELDS } from '../../core/transactable-systems/transactability.js';
import { DISPLAY_NAME_FORMAT } from '../../core/users/display-name.js';

const systemFields = {
  name: Type.String({ minLength: 1, maxLength: 100, format: DISPLAY_NAME_FORMAT, description: 'Shown to users, e.g. on the demo permission page' }),
  linkedAccountRequired: Type.Boolean({ default: false, description: 'Whether users must link an account with the system before transacting' }),
  linkUrl: Type.Union([Type.String({ maxLength: 2048 }), Type.Null()], {
    default: null,
    description: "The system's own link page, where live users' browsers are sent with a signed `state` and paybridge's callback as `redirect_uri`",
  }),
  jwtClaims: Type.Array(Type.String({ maxLength: 64 }), { default: [], maxItems: 20, description: "Claims the user's JWT must carry" }),
  usersApiFields: Type.Array(Type.Enum(USERS_API_FIELDS), { default: [], maxItems: USERS_API_FIELDS.length, description: 'User fields that must be set first' }),
};

export const SystemIdParams = Type.Object({ systemId: Type.String({ minLength: 1, maxLength: 64 }) });

export const TransactableSystemInput = Type.Object(systemFields, { additionalProperties: false, title: 'TransactableSystemInput' });

export const TransactableSystemDto = Type.Object(
  { systemId: Type.String({ minLength: 1, maxLength: 64, description: 'e.g. CitiBike' }), ...systemFields },
  { additionalProperties: false, title: 'TransactableSystem' },
);

export const Catalogue = Type.Array(TransactableSystemDto, { maxItems: 500, description: 'The whole catalogue; systems not in it are removed, with their links' });

const IdentityProvider = Type.Object(
  {
    issuer: Type.String({ minLength: 1, maxLength: 500, description: 'The `iss` its tokens carry' }),
    audience: Type.String({ minLength: 1, maxLength: 500, description: 'The `aud` its tokens must carry' }),
    pem: Type.Optional(Type.String({ maxLength: 10_000, description: 'Its public key, PEM (RSA ≥ 2048 bits → RS256, P-256 → ES256)' })),
    jwks: Type.Optional(
      Type.Object({ keys: Type.Array(Type.Unknown({ description: 'A public JSON Web Key' }), { minItems: 1, maxItems: 20 }) }, { description: 'Its JWKS document (public keys)' }),
    ),
    maxTokenLifetimeSeconds: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: MAX_PARTNER_TOKEN_LIFETIME_SECONDS,
        description: `The longest a token of it may be valid: one whose exp is further away (or further after its iat) is refused. Default ${DEFAULT_PARTNER_TOKEN_LIFETIME_SECONDS} (a day).`,
      }),
    ),
  },
  { additionalProperties: false, title: 'IdentityProvider' },
);

export const SettingsDto = Type.Object(
  {
    redirectUris: Type.Array(Type.String({ maxLength: 2048 }), {
      maxItems: 20,
      description: 'Where account linking may return the browser; a redirect_uri must equal one of these exactly',
    }),
    identityProvider: Type.Union([IdentityProvider, Type.Null()], {
      description: "Your own identity provider: its tokens are accepted as user JWTs on the Coord face; users are provisioned from their email and name claims",
    }),
    publicRegistration: Type.Boolean({
      description: 'Whether anonymous POST /user/register creates accounts (default true); false answers 403 REGISTRATION_CLOSED. Registration with an API key is always allowed.',
    }),
  },
  { additionalProperties: false, title: 'OrganisationSettings' },
);

export const SettingsPatch = Type.Object(
  {
    redirectUris: Type.Optional(SettingsDto.properties.redirectUris),
    identityProvider: Type.Optional(SettingsDto.properties.identityProvider),
    publicRegistration: Type.Optional(SettingsDto.properties.publicRegistration),
  },
  { additionalProperties: false, minProperties: 1, title: 'OrganisationSettingsPatch' },
);
