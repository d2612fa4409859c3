/**
 * The last `capacity` keys added, oldest forgotten first: a bounded memory of what happened here
 * lately, for skipping work that is known to be unneeded (never for deciding what is correct).
 */
export function createRecentSet(capacity: number) {
  const keys = new Set<string>();
  return {
    add(key: string): void {
      keys.delete(key);
      keys.add(key);
      if (keys.size > capacity) keys.delete(keys.values().next().value!);
    },
    has: (key: string): boolean => keys.has(key),
  };
}
