/**
 * "Did you mean …?" for a misspelt name: the closest candidate by edit distance, ignoring case
 * first (so `firstname` finds `firstName` whatever else is near).
 *
 * @example
 * closestName('firstname', ['firstName', 'lastName']); // 'firstName'
 * closestName('zzz', ['email']);                        // undefined: nothing is close enough
 */

/** Levenshtein distance, two rows at a time: names are short and this runs only on a problem. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate closest to `name`, or undefined when none is within a third of its length. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) return candidate;
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** ` Did you mean 'x'?` or nothing, ready to append to a message. */
export function didYouMean(name: string, candidates: Iterable<string>, prefix = ''): string {
  const best = closestName(name, candidates);
  return best === undefined ? '' : ` Did you mean '${prefix}${best}'?`;
}
