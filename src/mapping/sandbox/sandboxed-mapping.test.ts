/**
 * The expression sandbox: the same outcomes as the engine on this thread, and the attacks of issue
 * 11 stopped with the field and record named while this thread stays free (a timer keeps ticking
 * on it during the attack). Budgets are small here; no assertion is about speed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { type IntegrationInput, integrationSchema } from '../../integrations/schema.ts';
import { compileMapping, type MappingContext } from '../compile.ts';
import { type SourceUser, sourceUser } from '../source-record.ts';
import { compileSandboxedMapping, type ExpressionBudget, ExpressionLimitError } from './sandboxed-mapping.ts';

function integration(parts: Partial<IntegrationInput>) {
  return integrationSchema.parse({
    name: 'test',
    source: { url: 'https://acme.rmmservice.com' },
    destination: { url: 'https://acme.oomnitza.com' },
    syncKeys: ['email'],
    mapping: { email: 'email' },
    ...parts,
  });
}

const context: MappingContext = {
  runStartedAt: new Date('2026-11-27T02:00:00Z'),
  organizations: new Map([[5, { id: 5, name: 'Acme GmbH' }]]),
  devices: new Map(),
};

const budget: ExpressionBudget = { timeMs: 1500, memoryMb: 64, what: 'a test', setting: 'TEST_BUDGET' };

function users(count: number): SourceUser[] {
  return Array.from({ length: count }, (_, i) =>
    sourceUser({
      id: i + 1,
      firstName: `First${String(i + 1)}`,
      lastName: i % 7 === 0 ? null : `Last${String(i + 1)}`,
      email: `user${String(i + 1)}@example.com`,
      enabled: i % 5 !== 0,
      organizationId: i % 3 === 0 ? 5 : null,
      userType: i % 10 === 0 ? 'TECHNICIAN' : 'END_USER',
      roles: ['Admin', `Role${String(i % 4)}`],
      deviceIds: i % 4 === 0 ? [i, i + 1] : null,
    }),
  );
}

/** Runs `attack` while counting this thread's timer ticks: a blocked thread would count none. */
async function whileTicking<T>(attack: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; ticks: number }> {
  let ticks = 0;
  const ticker = setInterval(() => (ticks += 1), 20);
  try {
    const [result] = await Promise.allSettled([attack()]);
    return { result: result as PromiseSettledResult<T>, ticks };
  } finally {
    clearInterval(ticker);
  }
}

function limitError(result: PromiseSettledResult<unknown>): ExpressionLimitError {
  assert.equal(result.status, 'rejected', 'the attack must be stopped');
  const reason: unknown = result.reason;
  assert.ok(reason instanceof ExpressionLimitError, `an ExpressionLimitError, got ${String(reason)}`);
  return reason;
}

describe('compileSandboxedMapping', () => {
  test('maps 2,500 users (three batches) exactly as the engine on this thread does', async () => {
    const document = integration({
      customFields: { fullName: "$trim(firstName & ' ' & lastName)", org: '$organization(organizationId).name' },
      filters: [{ field: 'enabled', op: 'eq', value: true }, { expr: "userType != 'TECHNICIAN'" }],
      mapping: {
        email: { field: 'email', transform: ['trim', 'lower'] },
        full_name: 'fullName',
        company: 'org',
        roles: { expr: "$join(roles, '; ')" },
        bad: { expr: '$number(firstName)' },
      },
    });
    const all = users(2500);
    const expected = await compileMapping(document).mapAll(all, context);
    // A budget no loaded machine reaches: this test is about the outcomes.
    const sandboxed = compileSandboxedMapping(document, { ...budget, timeMs: 300_000 });
    assert.deepEqual(await sandboxed.mapAll(all, context), expected);
    assert.deepEqual(await sandboxed.map(all[1] as SourceUser, context), expected[1]);
    assert.deepEqual(sandboxed.steps, compileMapping(document).steps);
  });

  test('records the shortcut answers map here, the others in the sandbox, in the users order', async () => {
    // `deviceIds & ''` is in the shortcut's subset for an absent list only: a quarter of the records go to JSONata.
    const document = integration({ customFields: { devices: "deviceIds & ''" }, mapping: { email: 'email', devices: 'devices' } });
    const all = users(40);
    const local = compileMapping(document);
    const here = local.mapBounded(all, context);
    assert.equal(here.filter((o) => o === undefined).length, 10);
    const expected = await local.mapAll(all, context);
    assert.deepEqual(
      here.filter((o) => o !== undefined),
      expected.filter((_, i) => here[i] !== undefined),
    );
    assert.deepEqual(await compileSandboxedMapping(document, { ...budget, timeMs: 300_000 }).mapAll(all, context), expected);
  });

  test('a matches rule runs its regex in the sandbox, with the same drops', async () => {
    const document = integration({ filters: [{ field: 'email', op: 'matches', value: '/^user1\\d*@/i' }] });
    const all = users(30);
    assert.ok(
      compileMapping(document)
        .mapBounded(all, context)
        .every((o) => o === undefined),
    );
    assert.deepEqual(
      await compileSandboxedMapping(document, budget).mapAll(all, context),
      await compileMapping(document).mapAll(all, context),
    );
  });

  test('a huge sum is stopped at its deadline, naming the custom field and record; this thread keeps ticking', async () => {
    // Heap enough for the range (80 MB), so that only the time can stop it.
    const sandboxed = compileSandboxedMapping(integration({ customFields: { fullName: '$string($sum([1..10000000]))' } }), {
      ...budget,
      memoryMb: 256,
    });
    const { result, ticks } = await whileTicking(() => sandboxed.mapAll(users(3), context));
    const error = limitError(result);
    assert.equal(error.limit, 'time');
    assert.deepEqual(error.step, { label: 'custom field fullName', path: 'customFields.fullName' });
    // The budget is for all records together: on a fast machine the first sum fits and a later one overruns.
    assert.match(error.record ?? '', /^user[123]@example\.com$/);
    assert.match(
      error.message,
      /^custom field fullName took longer than 1\.5 s \(at record user[123]@example\.com\), the time a test gives/,
    );
    assert.match(error.message, /TEST_BUDGET/);
    assert.ok(ticks > 0, 'the calling thread ran its timers during the attack');
  });

  test('endless recursion in an expression target is stopped, naming the target', async () => {
    const sandboxed = compileSandboxedMapping(
      integration({ mapping: { email: 'email', looping: { expr: '($f := function($x){$f($x)}; $f(1))' } } }),
      { ...budget, timeMs: 800 },
    );
    const error = limitError((await whileTicking(() => sandboxed.mapAll(users(3), context))).result);
    assert.equal(error.step?.label, 'mapping looping', error.message);
    assert.match(error.message, /^mapping looping (took longer than 800 ms|needed more than 64 MB)/);
  });

  test('a backtracking regex in a matches rule on a long text is stopped, naming the rule', async () => {
    const victim = sourceUser({ id: 1, email: `${'a'.repeat(40)}!`, firstName: 'Ada' });
    const sandboxed = compileSandboxedMapping(integration({ filters: [{ field: 'email', op: 'matches', value: '^(a+)+$' }] }), budget);
    const { result, ticks } = await whileTicking(() => sandboxed.mapAll([victim], context));
    const error = limitError(result);
    assert.deepEqual(error.step, { label: 'filter rule 1', path: 'filters[0]' });
    assert.match(error.message, /^filter rule 1 took longer than 1\.5 s \(at record a+!\)/);
    assert.ok(ticks > 0);
  });

  test('a backtracking regex inside an expression filter is stopped too', async () => {
    const victim = sourceUser({ id: 1, email: `${'a'.repeat(40)}!` });
    const sandboxed = compileSandboxedMapping(integration({ filters: [{ expr: '$contains(email, /^(a+)+$/)' }] }), budget);
    assert.equal(limitError((await whileTicking(() => sandboxed.mapAll([victim], context))).result).step?.label, 'filter rule 1');
  });

  test('a memory bomb ends its worker at the heap limit, naming the field', async () => {
    const sandboxed = compileSandboxedMapping(
      integration({ customFields: { bomb: "[1..10000000].{'n': $, 't': 'xxxxxxxxxxxxxxxx' & $}" } }),
      {
        ...budget,
        timeMs: 60_000,
        memoryMb: 32,
      },
    );
    const error = limitError((await whileTicking(() => sandboxed.mapAll(users(2), context))).result);
    assert.equal(error.limit, 'memory');
    assert.match(error.message, /^custom field bomb needed more than 32 MB of memory \(at record user1@example\.com\)/);
  });

  test('after an attack, the next mapping gets a fresh worker and works', async () => {
    const attack = compileSandboxedMapping(integration({ customFields: { x: '$sum([1..10000000])' } }), { ...budget, timeMs: 300 });
    await assert.rejects(attack.mapAll(users(1), context), ExpressionLimitError);
    const fine = compileSandboxedMapping(integration({ customFields: { x: "firstName & '!'" } }), budget);
    const [outcome] = await fine.mapAll(users(1), context);
    assert.ok(outcome?.kept);
  });

  test('a cancel ends the worker at once and rejects with the signal reason', async () => {
    const sandboxed = compileSandboxedMapping(integration({ customFields: { x: '($f := function($x){$f($x)}; $f(1))' } }), {
      ...budget,
      timeMs: 600_000,
    });
    const controller = new AbortController();
    const mapping = sandboxed.mapAll(users(1), context, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop now')), 300);
    await assert.rejects(mapping, /stop now/);
  });

  test('a child whose parent is killed in the middle of an endless regex ends too: no orphan left spinning', async (t) => {
    const url = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);
    const script = `
      const { compileSandboxedMapping } = await import(${url('./sandboxed-mapping.ts')});
      const { integrationSchema } = await import(${url('../../integrations/schema.ts')});
      const { sourceUser } = await import(${url('../source-record.ts')});
      const integration = integrationSchema.parse({ name: 'orphan', source: { url: 'https://acme.rmmservice.com' }, destination: { url: 'https://acme.oomnitza.com' }, syncKeys: ['email'], filters: [{ field: 'email', op: 'matches', value: '^(a+)+$' }], mapping: { email: 'email' } });
      const mapping = compileSandboxedMapping(integration, { timeMs: 600000, memoryMb: 64, what: 'a test', setting: 'none' });
      mapping.mapAll([sourceUser({ id: 1, email: 'a'.repeat(80) + '!' })], { runStartedAt: new Date(), organizations: new Map(), devices: new Map() }).catch(() => undefined);
      setInterval(() => undefined, 1000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    t.after(() => parent.kill('SIGKILL'));
    const stat = (pid: string): string[] | undefined => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
      } catch {
        return undefined;
      }
    };
    const until = async (what: string, check: () => boolean): Promise<void> => {
      for (let i = 0; i < 1200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(check(), what);
    };
    let child: string | undefined;
    // The sandbox's child has spent 3 s of CPU: it is deep in the regex (starting takes far less).
    await until('the sandbox child runs the regex', () => {
      child = readdirSync('/proc').find(
        (pid) =>
          /^\d+$/.test(pid) &&
          stat(pid)?.[1] === String(parent.pid) &&
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sandbox-process.ts') &&
          Number(stat(pid)?.[11]) + Number(stat(pid)?.[12]) >= 300,
      );
      return child !== undefined;
    });
    parent.kill('SIGKILL');
    await until('the orphaned child has ended', () => {
      const state = stat(child as string)?.[0];
      return state === undefined || state === 'Z';
    });
  });
});
