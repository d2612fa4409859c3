import { invalidRequest, resourceMissing, type ResourceName } from './errors.js';

export interface ListParams {
  limit?: number | null;
  starting_after?: string | null;
  ending_before?: string | null;
}

export interface ListObject<T> {
  object: 'list';
  url: string;
  has_more: boolean;
  data: T[];
}

/**
 * Cursor pagination over items newest first, read lazily: only up to the cursor and one page
 * past it. `starting_after` walks towards older objects, `ending_before` towards newer ones;
 * data is newest first either way.
 */
export function paginate<T extends { id: string }>(
  items: Iterable<T>, params: ListParams, url: string, resource: ResourceName,
): ListObject<T> {
  const limit = params.limit ?? 10;
  if (params.starting_after && params.ending_before) {
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', 'parameters_exclusive', 'ending_before');
  }
  if (params.ending_before) return before(items, params.ending_before, limit, url, resource);
  const page: T[] = [];
  let started = !params.starting_after;
  for (const item of items) {
    if (!started) {
      started = item.id === params.starting_after;
      continue;
    }
    if (page.length === limit) return { object: 'list', url, has_more: true, data: page };
    page.push(item);
  }
  if (!started) throw resourceMissing(resource, params.starting_after ?? '', 'starting_after');
  return { object: 'list', url, has_more: false, data: page };
}

/** The `limit` items just newer than the cursor (a sliding window over the newer ones). */
function before<T extends { id: string }>(items: Iterable<T>, cursor: string, limit: number, url: string, resource: ResourceName): ListObject<T> {
  const window: T[] = [];
  let dropped = false;
  for (const item of items) {
    if (item.id === cursor) return { object: 'list', url, has_more: dropped, data: window };
    window.push(item);
    if (window.length > limit) {
      window.shift();
      dropped = true;
    }
  }
  throw resourceMissing(resource, cursor, 'ending_before');
}
