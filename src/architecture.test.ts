/**
 * The layering of DESIGN.md, checked on every import of every `src/**\/*.ts` file (tests included,
 * `import type` included, as TypeScript's own pre-processor reads them):
 *
 *   cli/ server/ worker/ agent/  →  runs/ credentials/ schedule/ notifications/ accounts/ integrations/
 *     →  sync/  →  mapping/  →  ninjaone/ oomnitza/ db/  →  http/  →  config.ts version.ts
 *
 * - no import cycle between modules;
 * - `src/sync` and `src/mapping` import nothing from `src/ninjaone` or `src/oomnitza`;
 * - a module imports only its own folder, a lower layer, or the same layer where siblings may meet
 *   (entry points, services); the two vendor adapters never import each other;
 * - the vocabulary — the sync's ports and run vocabulary, the source record and its port, the
 *   integration document's schema — may be read from any layer, and reads only other vocabulary:
 *   that is what lets `db/`, `runs/`, the vendors and the web UI share one language without
 *   pointing up into the engine.
 *
 * A failure names each offending import with the rule it breaks.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = dirname(fileURLToPath(import.meta.url)); // src/
const repo = dirname(root);

/** Layer of each top-level folder (or file) of src/, highest first. */
const layers: Readonly<Record<string, number>> = {
  cli: 6,
  server: 6,
  worker: 6,
  agent: 6,
  runs: 5,
  credentials: 5,
  schedule: 5,
  notifications: 5,
  accounts: 5,
  integrations: 5,
  agents: 5,
  contracts: 5,
  sync: 4,
  mapping: 3,
  ninjaone: 2,
  oomnitza: 2,
  db: 2,
  http: 1,
  'config.ts': 0,
  'version.ts': 0,
  'architecture.test.ts': 7,
};
/** Layers whose folders may import each other (the no-cycle rule still holds). */
const siblingsMeet = new Set([6, 5]);

/** Modules every layer may read. The first two import nothing at all. */
const importFree = new Set(['src/sync/ports.ts', 'src/mapping/source-record.ts']);
const vocabulary = new Set([...importFree, 'src/integrations/schema.ts']);

/**
 * Imports that break a rule and are being fixed elsewhere; each names its issue. Keep this list
 * short: an entry here is a debt, not a permission.
 */
const knownExceptions: ReadonlyMap<string, string> = new Map([]);

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

const relativeToRepo = (path: string): string => relative(repo, path).split('\\').join('/');

/** Every file's imports of our own modules (src/**), as repo-relative paths; others are left out. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of walk(root, [])) {
    const imported = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((entry) => entry.fileName);
    const own = imported
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => relativeToRepo(normalize(join(dirname(file), specifier))))
      .filter((target) => target.startsWith('src/'));
    graph.set(relativeToRepo(file), [...new Set(own)]);
  }
  return graph;
}

/** The folder (or file) directly under src/ a module belongs to; a file's test belongs with it. */
function area(module: string): string {
  return (module.split('/')[1] ?? module).replace(/\.test\.ts$/, '.ts');
}

function layerOf(module: string): number {
  const layer = layers[area(module)];
  if (layer === undefined) throw new Error(`${module}: src/${area(module)} has no layer; add it to the layers of src/architecture.test.ts`);
  return layer;
}

/** Why `from → to` is not allowed, or null when it is. */
function violation(from: string, to: string): string | null {
  const a = area(from);
  const b = area(to);
  if ((a === 'sync' || a === 'mapping') && (b === 'ninjaone' || b === 'oomnitza'))
    return `src/${a} must not know a vendor: use the ports (src/sync/ports.ts, src/mapping/source-record.ts)`;
  if (importFree.has(from)) return `${from} is vocabulary that imports nothing, so any layer may read it`;
  if (vocabulary.has(from) && !vocabulary.has(to)) return `${from} is vocabulary and may import only vocabulary`;
  if (a === b || vocabulary.has(to)) return null;
  const [la, lb] = [layerOf(from), layerOf(to)];
  if (lb < la) return null;
  if (lb === la && siblingsMeet.has(la)) return null;
  return lb === la
    ? `src/${a} and src/${b} are one layer whose folders do not import each other`
    : `src/${a} (layer ${la}) imports up into src/${b} (layer ${lb}); imports point down only`;
}

/** A shortest cycle through the first module of a strongly connected component, as a path back to it. */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, component: readonly string[]): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [...component];
}

/** The strongly connected components of more than one module (Tarjan's algorithm): each holds a cycle. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  function visit(node: string): void {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.reverse());
    }
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('architecture', () => {
  const graph = importGraph();

  test('every import of src/ resolves to a file', () => {
    const missing = [...graph].flatMap(([from, targets]) => targets.filter((to) => !graph.has(to)).map((to) => `${from} -> ${to}`));
    assert.deepEqual(missing, [], 'imports of files that do not exist (the graph below would miss them)');
  });

  test('no import cycle, type-only imports included', () => {
    const shown = cycles(graph).map((component) => cyclePath(graph, component).join(' -> '));
    assert.deepEqual(shown, [], `import cycles:\n${shown.join('\n')}`);
  });

  test('imports point down the layers; src/sync and src/mapping know no vendor', () => {
    const broken: string[] = [];
    const excused = new Set<string>();
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const why = violation(from, to);
        if (why === null) continue;
        const edge = `${from} -> ${to}`;
        if (knownExceptions.has(edge)) excused.add(edge);
        else broken.push(`${edge}: ${why}`);
      }
    }
    assert.deepEqual(broken, [], `imports that break the layering:\n${broken.join('\n')}`);
    const stale = [...knownExceptions.keys()].filter((edge) => !excused.has(edge));
    assert.deepEqual(stale, [], 'known exceptions that no longer happen: remove them from the list');
  });

  test('the rules catch what they are meant to catch', () => {
    assert.match(violation('src/sync/plan.ts', 'src/ninjaone/types.ts') ?? '', /must not know a vendor/);
    assert.match(violation('src/mapping/compile.ts', 'src/oomnitza/client.ts') ?? '', /must not know a vendor/);
    assert.match(violation('src/http/send-json.ts', 'src/server/metrics.ts') ?? '', /imports up/);
    assert.match(violation('src/sync/run-sync.ts', 'src/runs/run-store.ts') ?? '', /imports up/);
    assert.match(violation('src/ninjaone/client.ts', 'src/oomnitza/client.ts') ?? '', /one layer/);
    assert.match(violation('src/sync/ports.ts', 'src/mapping/source-record.ts') ?? '', /imports nothing/);
    assert.equal(violation('src/oomnitza/client.ts', 'src/sync/ports.ts'), null, 'vocabulary is read from below');
    assert.equal(violation('src/worker/execute-run.ts', 'src/runs/run-executor.ts'), null);
    assert.deepEqual(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', []],
        ]),
      ),
      [['a', 'b', 'c']],
    );
  });
});
