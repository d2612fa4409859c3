import { displayNameSchema } from '../../http/validation.js';
import { Type } from 'typebox';
import { USERS_API_FIELDS } from '../../core/transactable-systems/transactability.js';
import { EXTERNAL_ID_FORMAT } from '../../core/users/display-name.js';
import { EMAIL_MAX_LENGTH } from '../../core/users/email.js';

export const tags = ['Coord Users API'];

/** A user JWT (ours from create_jwt, or one from the organisation's own identity provider). */
export const userJwtSecurity = [{ bearerAuth: [] }];

const accessKey = Type.String({
  minLength: 1,
  maxLength: 200,
  description: "The organisation's API access key. Accepted on every path; optional where a user JWT identifies the caller.",
});

// Unknown query parameters are tolerated: Coord clients may add their own (cache busters and the like).
export const AccessKeyQuery = Type.Object({ access_key: Type.Optional(accessKey) });

export const AccessKeyHeaders = Type.Object({
  'x-access-key': Type.Optional(Type.String({ maxLength: 200, description: 'The access key as a header instead of the query string' })),
});

export const JwtRequest = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: EMAIL_MAX_LENGTH, description: "The user's email; becomes the token's email claim" }),
    external_uid: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        // An id is shown in logs and admin pages: no control or invisible character, space around it or other normal form may make two look the same.
        format: EXTERNAL_ID_FORMAT,
        description: 'Your own id for the user. The user is matched by it when given, else by email.',
      }),
    ),
    name: Type.Optional(displayNameSchema("The user's name (a paybridge addition; Coord takes it from the JWT)")),
  },
  { additionalProperties: false, title: 'CreateJwtRequest' },
);

export const JwtResponse = Type.Object(
  { jwt_token: Type.String({ description: 'A user JWT, valid for one hour (ACCESS_TOKEN_TTL). Send it as Authorization: Bearer <jwt_token>.' }) },
  { additionalProperties: false, title: 'JwtToken' },
);

export const Vehicle = Type.Object(
  {
    license_plate: Type.Object(
      {
        text: Type.String({ minLength: 1, maxLength: 64, description: 'The plate as written: 1-20 letters (vowel signs on them not counted), digits, spaces, dots or hyphens. Stored upper-cased.' }),
        country: Type.String({ minLength: 1, maxLength: 8, description: 'ISO 3166-1 alpha-2 country code, e.g. US' }),
        subdivision: Type.String({ minLength: 1, maxLength: 10, description: 'ISO 3166-2 subdivision code, e.g. NY (or US-NY)' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'Vehicle' },
);

export const TransactableSystemLink = Type.Object(
  {
    system_id: Type.String(),
    linked_account: Type.Boolean({ description: 'Whether the user has linked an account with this system' }),
  },
  { additionalProperties: false, title: 'TransactableSystemLink' },
);

export const CurrentUser = Type.Object(
  {
    email: Type.String({ description: "From the JWT's email claim" }),
    name: Type.Optional(Type.String({ description: "From the JWT's name claim, when it has one" })),
    is_test: Type.Boolean({ description: 'A test user (made with a test JWT): never reaches a live payment' }),
    vehicle: Type.Union([Vehicle, Type.Null()], { description: 'null until set with PUT /user/current/vehicle' }),
    stripe_info: Type.Object(
      { stripe_customer_id: Type.Union([Type.String(), Type.Null()], { description: "The user's Stripe customer once it has a default card (POST /user/current/stripe_info, or another face's payment details); always null for test users" }) },
      { additionalProperties: false },
    ),
    transactable_systems: Type.Array(TransactableSystemLink),
  },
  { additionalProperties: false, title: 'CurrentUser' },
);

export const StripeInfoRequest = Type.Object(
  {
    coord_targeted_token: Type.String({
      pattern: '^tok_[A-Za-z0-9_]{1,250}$',
      description: 'A Stripe card token for this user (from Stripe.js, or from an existing customer with a Stripe-Account header)',
    }),
  },
  { additionalProperties: false, title: 'StripeInfo' },
);

export const StripeInfoResponse = Type.Object(
  {
    coord_targeted_token: Type.String(),
    customer_id: Type.String({ description: 'The Stripe customer paybridge keeps for this user' }),
  },
  { additionalProperties: false, title: 'StripeInfoResult' },
);

export const TransactionInfo = Type.Object(
  {
    jwt_claims: Type.Array(Type.String(), { description: "Claims the user's JWT must carry" }),
    linked_account: Type.Boolean({ description: 'Whether the user must link an account with the system first' }),
    users_api_fields: Type.Array(Type.Enum(USERS_API_FIELDS), {
      description: 'User fields that must be set first',
    }),
  },
  { additionalProperties: false, title: 'TransactionInfo' },
);

export const SystemIdBody = Type.Object(
  {
    system_id: Type.String({ minLength: 1, maxLength: 64 }),
    linked_account: Type.Boolean(),
  },
  { additionalProperties: false, title: 'SimulatedLink' },
);
