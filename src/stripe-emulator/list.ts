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
 * Cursor pagination over items already sorted newest first. `starting_after` walks
 * towards older objects, `ending_before` towards newer ones; data is newest first either way.
 */
export function paginate<T extends { id: string }>(
  items: T[], params: ListParams, url: string, resource: ResourceName,
): ListObject<T> {
  const limit = params.limit ?? 10;
  if (params.starting_after && params.ending_before) {
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', 'parameters_exclusive', 'ending_before');
  }
  if (params.starting_after) {
    const at = indexOf(items, params.starting_after, resource, 'starting_after');
    const rest = items.slice(at + 1);
    return { object: 'list', url, has_more: rest.length > limit, data: rest.slice(0, limit) };
  }
  if (params.ending_before) {
    const at = indexOf(items, params.ending_before, resource, 'ending_before');
    const newer = items.slice(0, at);
    const start = Math.max(0, newer.length - limit);
    return { object: 'list', url, has_more: start > 0, data: newer.slice(start) };
  }
  return { object: 'list', url, has_more: items.length > limit, data: items.slice(0, limit) };
}

function indexOf<T extends { id: string }>(items: T[], id: string, resource: ResourceName, param: string): number {
  const at = items.findIndex((item) => item.id === id);
  if (at < 0) throw resourceMissing(resource, id, param);
  return at;
}
