import { displayNameSchema } from '../../http/validation.js';
import { Type } from 'typebox';
import { EMAIL_MAX_LENGTH } from '../../core/users/email.js';

const userName = displayNameSchema("The user's name: a visible character at least, no control, bidirectional-override or invisible characters (zero-width space, soft hyphen, word joiner, BOM).");
const email = Type.String({ format: 'email', maxLength: EMAIL_MAX_LENGTH, description: "The user's email address." });
// Length and commonness are checked by the core, which answers WEAK_PASSWORD with the reason.
const password = Type.String({ minLength: 1, maxLength: 1024, description: "The user's password: 8 to 128 characters, not a common one." });
const role = Type.Union([Type.Literal('user'), Type.Literal('admin')], { description: 'Only administrators and API keys may set it.' });

export const CreateUserDto = Type.Object({ userName, email, password }, { additionalProperties: false, title: 'CreateUserDto' });

export const AdminCreateUserDto = Type.Object(
  { userName, email, password, role: Type.Optional(role) },
  { additionalProperties: false, title: 'AdminCreateUserDto' },
);

export const LoginUserDto = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false, title: 'LoginUserDto' },
);

export const UpdateUserDto = Type.Object(
  {
    userId: Type.Optional(Type.String({ maxLength: 200, description: "The user's own id, as read; it cannot be changed." })),
    userName: Type.Optional(userName),
    email: Type.Optional(email),
    customerId: Type.Optional(
      Type.String({ pattern: '^cus_[A-Za-z0-9]{1,250}$', description: "The user's Stripe customer id. Administrators and API keys only." }),
    ),
    password: Type.Optional(password),
    currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Required when users change their own password or email.' })),
    role: Type.Optional(role),
  },
  { additionalProperties: false, minProperties: 1, title: 'UpdateUserDto' },
);

export const ReturnUserDto = Type.Object(
  {
    userId: Type.String({ description: "The user's id." }),
    userName: Type.String(),
    email: Type.String(),
    customerId: Type.Optional(Type.String({ description: "The user's Stripe customer id. Users without transactions do not have a customer id." })),
  },
  { additionalProperties: false, title: 'ReturnUserDto' },
);

export const AuthGrantDto = Type.Object({ access_token: Type.String() }, { additionalProperties: false, title: 'AuthGrantDto' });
