/**
 * The server's problems with a mapping (by path: `mapping.email`, `customFields.fullName`,
 * `filters[1].value`), sorted to the place on the mapping page where each is shown beside its
 * field; what has no place there is named in words (never a path), for the summary above.
 *
 * @example
 * const placed = placeProblems({ 'filters[0].value': 'not a regular expression' }, [2]);
 * placed.filters.get(2); // ['not a regular expression']
 */
export interface PlacedProblems {
  /** By Oomnitza field name. */
  readonly mapping: ReadonlyMap<string, readonly string[]>;
  /** By custom field name. */
  readonly customFields: ReadonlyMap<string, readonly string[]>;
  /** By the filter rule's index on the page (drafts), not in the document. */
  readonly filters: ReadonlyMap<number, readonly string[]>;
  readonly syncKeys: readonly string[];
  /** Problems about something not on this page, each with where it is in words. */
  readonly elsewhere: readonly string[];
  readonly count: number;
}

function push<K>(map: Map<K, string[]>, key: K, message: string): void {
  map.set(key, [...(map.get(key) ?? []), message]);
}

const detailsWords: readonly [RegExp, string][] = [
  [/^name$/, 'Name'],
  [/^source\.credential/, 'NinjaOne credential'],
  [/^source/, 'NinjaOne source'],
  [/^destination/, 'Oomnitza connection'],
  [/^schedule/, 'Schedule'],
  [/^contacts/, 'Contacts'],
  [/^agent/, 'Agent'],
  [/^fuse/, 'Safety fuse'],
];

/** Where a path that is not on the mapping page is, for a person: "Schedule (on the Details tab)". */
export function placeInWords(path: string): string {
  const found = detailsWords.find(([pattern]) => pattern.test(path));
  return `${found ? found[1] : 'The integration details'} (on the Details tab)`;
}

export function placeProblems(errors: Readonly<Record<string, string>>, draftIndex: readonly number[]): PlacedProblems {
  const mapping = new Map<string, string[]>();
  const customFields = new Map<string, string[]>();
  const filters = new Map<number, string[]>();
  const syncKeys: string[] = [];
  const elsewhere: string[] = [];
  let count = 0;
  for (const [path, message] of Object.entries(errors)) {
    count++;
    const target = /^mapping\.([^.[]+)/.exec(path);
    const custom = /^customFields\.([^.[]+)/.exec(path);
    const filter = /^filters(?:\[(\d+)\]|\.(\d+))/.exec(path);
    if (target) push(mapping, target[1]!, message);
    else if (custom) push(customFields, custom[1]!, message);
    else if (filter) push(filters, draftIndex[Number(filter[1] ?? filter[2])] ?? 0, message);
    else if (path.startsWith('syncKeys')) syncKeys.push(message);
    else if (path === 'mapping') push(mapping, '', message);
    else elsewhere.push(`${placeInWords(path)}: ${message}`);
  }
  // "map at least one Oomnitza field" is about the mapping as a whole: said once, above.
  const whole = mapping.get('');
  if (whole) {
    mapping.delete('');
    elsewhere.push(...whole.map((m) => `The mapping: ${m}`));
  }
  return { mapping, customFields, filters, syncKeys, elsewhere, count };
}

/** How many problems, in words: "1 problem", "2 problems". */
export function problemCount(count: number): string {
  return `${count} problem${count === 1 ? '' : 's'}`;
}
