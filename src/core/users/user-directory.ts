import { ValidationError } from '../errors.js';
import type { Database } from '../../db/client.js';
import { normaliseEmail } from './email.js';
import { createUserDirectoryRepository, type DirectoryRow } from './user-directory.repository.js';

export interface DirectoryPageRequest {
  limit: number;
  /** The cursor of the previous page (the id of its last user). */
  after?: string | undefined;
  emailPrefix?: string | undefined;
}

export interface DirectoryPage {
  rows: DirectoryRow[];
  hasMore: boolean;
  /**
   * Where the next page starts: the last user of this page, or the cursor given when this page
   * is empty. Users are in creation order, so a client may keep it and ask later for newer users.
   */
  cursor: string | null;
}

/** Lists an organisation's users page by page, optionally only those whose email starts with a prefix. */
export function createUserDirectory(db: Database) {
  const repository = createUserDirectoryRepository(db);
  return {
    async listUsers(organisationId: string, request: DirectoryPageRequest): Promise<DirectoryPage> {
      const emailPrefix = request.emailPrefix === undefined ? undefined : normaliseEmail(request.emailPrefix);
      // One row more than asked says whether another page exists without counting.
      const rows = await repository.listPage({ organisationId, limit: request.limit + 1, afterId: request.after, emailPrefix });
      if (!rows) throw new ValidationError('after must be a cursor taken from meta.cursor', [{ path: '/after', message: 'must be a cursor taken from meta.cursor' }]);
      const page = rows.slice(0, request.limit);
      return { rows: page, hasMore: rows.length > request.limit, cursor: page.at(-1)?.user.id ?? request.after ?? null };
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
