export type UserRole = 'user' | 'admin';

/** Who vouches for a user (see user-authority.ts): its own password, or its organisation's partner side. */
export type UserAuthority = 'password' | 'partner';
