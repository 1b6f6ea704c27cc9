import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createAdaptiveLimiter } from './limiter.ts';

import type { LimiterPermit } from './limiter.ts';

describe('createAdaptiveLimiter', () => {
  test('never runs more than the limit at once', async () => {
    const limiter = createAdaptiveLimiter({ max: 3 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.equal(limiter.active, 0);
    assert.equal(limiter.pending, 0);
  });

  test('halves once per burst of 429s, down to the floor of 1', async () => {
    const limiter = createAdaptiveLimiter({ max: 8 });
    const burst = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire()));
    for (const permit of burst) permit.release('rate_limited');
    assert.equal(limiter.limit, 4, 'eight rejections from one generation cut the limit once');
    for (let i = 0; i < 5; i++) (await limiter.acquire()).release('rate_limited');
    assert.equal(limiter.limit, 1);
  });

  test('recovers additively after successes, up to the ceiling', async () => {
    const changes: string[] = [];
    const limiter = createAdaptiveLimiter({ max: 4, initial: 1, onChange: (limit, reason) => changes.push(`${reason}:${limit}`) });
    for (let i = 0; i < 1; i++) (await limiter.acquire()).release('success');
    assert.equal(limiter.limit, 2);
    for (let i = 0; i < 2; i++) (await limiter.acquire()).release('success');
    assert.equal(limiter.limit, 3);
    for (let i = 0; i < 20; i++) (await limiter.acquire()).release('success');
    assert.equal(limiter.limit, 4);
    assert.deepEqual(changes, ['recovered:2', 'recovered:3', 'recovered:4']);
  });

  test('failures neither cut nor raise the limit', async () => {
    const limiter = createAdaptiveLimiter({ max: 4, initial: 2 });
    for (let i = 0; i < 10; i++) (await limiter.acquire()).release('failure');
    assert.equal(limiter.limit, 2);
  });

  test('a waiter is served when a slot frees, in order', async () => {
    const limiter = createAdaptiveLimiter({ max: 1 });
    const first = await limiter.acquire();
    const order: number[] = [];
    const second = limiter.acquire().then((permit) => {
      order.push(2);
      return permit;
    });
    const third = limiter.acquire().then((permit) => {
      order.push(3);
      return permit;
    });
    assert.equal(limiter.pending, 2);
    first.release('success');
    (await second).release('success');
    (await third).release('success');
    assert.deepEqual(order, [2, 3]);
  });

  test('an aborted waiter leaves the queue and rejects', async () => {
    const limiter = createAdaptiveLimiter({ max: 1 });
    const held: LimiterPermit = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal(limiter.pending, 0);
    held.release('success');
    assert.equal(limiter.active, 0);
  });

  test('releasing twice frees one slot only', async () => {
    const limiter = createAdaptiveLimiter({ max: 2 });
    const permit = await limiter.acquire();
    await limiter.acquire();
    permit.release('success');
    permit.release('success');
    assert.equal(limiter.active, 1);
  });

  test('rejects a ceiling below the floor', () => {
    assert.throws(() => createAdaptiveLimiter({ max: 0 }), RangeError);
  });
});
