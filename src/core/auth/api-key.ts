import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'pbk_';

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(30).toString('base64url')}`;
}

/** Keys are stored only as this digest; the key itself is shown once. */
export function digestApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Enough of the key to recognise it in a list, far too little to use it. */
export function displayPrefix(key: string): string {
  return `${key.slice(0, Math.min(10, Math.floor(key.length / 3)))}…`;
}
