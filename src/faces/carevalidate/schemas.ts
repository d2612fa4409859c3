import { BIRTH_DATE_FORMAT, displayNameSchema } from '../../http/validation.js';
import { PARSER_STATUSES } from '../../http/client-errors.js';
import { Type, type Static, type TSchema } from 'typebox';
import { ID_PATTERN } from '../../core/ids.js';
import { DISCRIMINATOR, PATTERN_MESSAGES } from './validation.js';
import { EMAIL_MAX_LENGTH } from '../../core/users/email.js';
import { PLAIN_TEXT_FORMAT } from '../../core/users/display-name.js';

export const tags = ['CareValidate API'];

/** A string with a pattern, and the words that explain the pattern when a value misses it. */
function patterned(pattern: string, meaning: string, options: Record<string, unknown> = {}) {
  PATTERN_MESSAGES.set(pattern, meaning);
  return Type.String({ pattern, ...options });
}

const email = (description: string) => Type.String({ format: 'email', maxLength: EMAIL_MAX_LENGTH, description, example: 'john@example.com' });
const profileText = (description: string, maxLength = 100) => Type.String({ minLength: 1, maxLength, format: PLAIN_TEXT_FORMAT, description });

export const CvApiKeyHeader = Type.Object({
  'cv-api-key': Type.String({ description: "Your organisation's API key. Missing or wrong: 401 {\"status\": 401, \"error\": \"Invalid API key\"}." }),
});

export const CreateUserBody = Type.Object(
  {
    action: Type.Literal('CREATE_USER'),
    email: email('Unique within the organisation (compared case-insensitively).'),
    firstName: Type.Optional(displayNameSchema('First name')),
    lastName: Type.Optional(displayNameSchema('Last name')),
    phone: Type.Optional(patterned('^\\+?[0-9][0-9 ().-]{5,29}$', 'must be a phone number (digits, spaces and + ( ) . -)', { description: 'Phone number' })),
    dob: Type.Optional(Type.String({ format: BIRTH_DATE_FORMAT, description: 'Date of birth (YYYY-MM-DD), from 1900 to today' })),
    gender: Type.Optional(profileText('Gender', 50)),
  },
  { additionalProperties: false, title: 'CreateUserRequest' },
);

export const UpdateEmailBody = Type.Object(
  {
    action: Type.Literal('UPDATE_EMAIL'),
    currentEmail: email("The user's email now."),
    newEmail: email("The user's new email; the user's Stripe customer follows."),
  },
  { additionalProperties: false, title: 'UpdateEmailRequest' },
);

const addressLine = (description: string, example: string, maxLength = 200) => Type.String({ maxLength, format: PLAIN_TEXT_FORMAT, description, example });

export const ShippingAddressDto = Type.Object(
  {
    addressLine1: addressLine('Street address line 1', '1600 Pennsylvania Avenue NW'),
    addressLine2: addressLine('Street address line 2 (e.g. apartment or suite number); may be empty', ''),
    city: addressLine('City', 'Washington', 100),
    state: addressLine('State or region; with country US, a US state code (e.g. DC, NY)', 'DC', 100),
    country: addressLine('ISO 3166-1 alpha-2 country code', 'US', 100),
    postalCode: addressLine('Postal code; with country US, a ZIP code (12345 or 12345-6789)', '20500', 20),
  },
  { additionalProperties: false, title: 'ShippingAddress' },
);

export const UpdatePaymentInfoBody = Type.Object(
  {
    action: Type.Literal('UPDATE_PAYMENT_INFO'),
    email: email("The user's email address."),
    data: Type.Object(
      {
        stripeSetupId: patterned('^seti_[A-Za-z0-9_]{1,250}$', 'must be a Stripe SetupIntent id (seti_…)', {
          description: 'A SetupIntent that has succeeded; its payment method becomes the default of the user\'s Stripe customer.',
        }),
        nmiPaymentToken: patterned('^[\\x21-\\x7E]{1,512}$', 'must be an NMI payment token (1 to 512 printable characters, no spaces)', {
          description: 'Stored encrypted (AES-256-GCM); never returned or logged.',
        }),
        shippingAddress: ShippingAddressDto,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'UpdatePaymentInfoRequest' },
);

export const ActionBody = Type.Union([CreateUserBody, UpdateEmailBody, UpdatePaymentInfoBody], {
  [DISCRIMINATOR]: 'action',
  title: 'UserActionRequest',
  description: 'One of three shapes, chosen by `action`.',
});
export type ActionBodyInput = Static<typeof ActionBody>;

const nullable = <T extends TSchema>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {});

export const CardView = Type.Object(
  {
    brand: Type.String({ example: 'visa' }),
    last4: Type.String({ example: '4242' }),
    expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    expYear: Type.Integer(),
  },
  { additionalProperties: false, title: 'CareValidateCard' },
);

export const UserView = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    firstName: nullable(Type.String()),
    lastName: nullable(Type.String()),
    phone: nullable(Type.String()),
    dob: nullable(Type.String()),
    gender: nullable(Type.String()),
    shippingAddress: nullable(ShippingAddressDto, 'Set by UPDATE_PAYMENT_INFO'),
    defaultPaymentMethod: nullable(CardView, "The default card of the user's Stripe customer: brand, last four digits and expiry only"),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'CareValidateUser' },
);
export type UserViewOutput = Static<typeof UserView>;

export const UserCreatedResponse = Type.Object(
  {
    status: Type.Literal(201),
    success: Type.Literal(true),
    data: Type.Object({ code: Type.Literal('USER_CREATED'), user: UserView }, { additionalProperties: false }),
  },
  { additionalProperties: false, title: 'UserCreatedResponse' },
);

export const UserUpdatedResponse = Type.Object(
  {
    status: Type.Literal(200),
    success: Type.Literal(true),
    data: Type.Object(
      {
        code: Type.Union([Type.Literal('EMAIL_UPDATED'), Type.Literal('PAYMENT_SETUP_UPDATED')]),
        user: Type.Optional(UserView),
      },
      { additionalProperties: false, description: 'With EMAIL_UPDATED, `user` is the user as it is now' },
    ),
  },
  { additionalProperties: false, title: 'UserUpdatedResponse' },
);

export const DEFAULT_PAGE_SIZE = 20;

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE, description: `Page size (1-100, default ${DEFAULT_PAGE_SIZE})` })),
    after: Type.Optional(patterned(ID_PATTERN, 'must be a cursor taken from meta.cursor', { description: 'meta.cursor of the previous page' })),
    emailPrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Only users whose email starts with this (case-insensitive)' })),
  },
  { additionalProperties: false },
);

export const UserListResponse = Type.Object(
  {
    status: Type.Literal(200),
    success: Type.Literal(true),
    data: Type.Array(UserView),
    meta: Type.Object(
      {
        hasMore: Type.Boolean({ description: 'Whether another page follows' }),
        cursor: nullable(Type.String(), 'Pass as `after` for the next page (users are in creation order)'),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'UserListResponse' },
);

const FailureBody = Type.Object(
  {
    status: Type.Integer(),
    success: Type.Literal(false),
    message: Type.String({ description: 'The kind of failure, e.g. "Invalid request"' }),
    error: Type.String({ description: 'What exactly is wrong, e.g. "User john@example.com does not exist"' }),
  },
  { additionalProperties: false, title: 'CareValidateFailure' },
);

const InvalidKeyBody = Type.Object(
  { status: Type.Literal(401), error: Type.Literal('Invalid API key') },
  { additionalProperties: false, title: 'CareValidateInvalidApiKey' },
);

/** The failure statuses a route can answer (and those of Node's HTTP parser), all in CareValidate's envelopes. */
export function failureResponses(...statuses: number[]) {
  return { 401: InvalidKeyBody, ...Object.fromEntries([...statuses, ...PARSER_STATUSES].map((status) => [status, FailureBody])) };
}
