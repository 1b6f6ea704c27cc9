import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { credentialLockMemory, releaseThreadLockOf, withThreadLock } from './thread-lock.ts';

test('two renewals never overlap', async () => {
  const order: string[] = [];
  const renew = (name: string) =>
    withThreadLock(async () => {
      order.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push(`${name} out`);
    });
  await Promise.all([renew('a'), renew('b')]);
  assert.deepEqual(order, ['a in', 'a out', 'b in', 'b out']);
});

test('a thread terminated while it holds the lock: waiting goes on until its starter frees it', async () => {
  const memory = credentialLockMemory();
  assert.ok(memory);
  // A thread that takes the lock as withThreadLock does, says so, and never lets go.
  const thread = new Worker(
    `const { workerData, threadId, parentPort } = require('node:worker_threads');
     const cell = new Int32Array(workerData);
     Atomics.compareExchange(cell, 0, 0, threadId + 1);
     parentPort.postMessage('held');
     setInterval(() => {}, 1000);`,
    { eval: true, workerData: memory },
  );
  await new Promise((resolve) => thread.once('message', resolve));
  const id = thread.threadId;
  await thread.terminate();
  let ran = false;
  const waiting = withThreadLock(async () => {
    ran = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(ran, false, 'the lock is still held by the terminated thread');
  releaseThreadLockOf(id);
  await waiting;
  assert.equal(ran, true);
});
