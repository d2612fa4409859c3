import { ValidationError } from './errors.js';

/** A page cursor (`starting_after`) must name an item of the caller's own list: anything else says nothing about it. */
export const cursorNotInList = (item: 'payment' | 'user') =>
  new ValidationError(`starting_after is not a ${item} of this list`, [{ path: '/query/starting_after', message: `is not a ${item} of this list` }]);
