import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { benchSmoke, reportBench, type BenchFigure } from '@conduit/bench';
import { IdentifierHasher } from '@conduit/destinations-core';
import { benchEmail } from '@conduit/bench/identifiers';

// Section 1, the ceiling: what this machine's SHA-256 allows, on the benchmark's own emails (already
// normalized: lowercase, trimmed), with Node's two APIs, on one thread and on every core; and our
// whole per-identifier work (normalize, validate, hash) on the hashing pool, with no I/O. An export
// cannot go faster than the last figure; the end-to-end figure (section 3) is read against it.

const CORES = availableParallelism();

/** Each thread hashes `count` emails of its own range with `api`; answers identifiers/s over all threads. */
async function onThreads(api: 'hash' | 'createHash', threads: number, count: number): Promise<number> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { hash, createHash } = require('node:crypto');
    const emails = workerData.emails;
    parentPort.once('message', () => {
      const started = performance.now();
      let sink = 0;
      for (const email of emails)
        sink ^= workerData.api === 'hash'
          ? hash('sha256', email, 'buffer')[0]
          : createHash('sha256').update(email).digest()[0];
      parentPort.postMessage({ ms: performance.now() - started, sink });
    });`;
  const share = Math.ceil(count / threads);
  const workers = Array.from(
    { length: threads },
    (_, thread) =>
      new Worker(source, {
        eval: true,
        workerData: {
          api,
          emails: Array.from({ length: share }, (_, n) =>
            benchEmail(thread * share + n)
              .trim()
              .toLowerCase(),
          ),
        },
      }),
  );
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('online', resolve))));
  const started = performance.now();
  const done = workers.map((worker) => new Promise((resolve) => worker.once('message', resolve)));
  for (const worker of workers) worker.postMessage('go');
  await Promise.all(done);
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((worker) => worker.terminate()));
  return (share * threads) / seconds;
}

/** Our per-identifier work with no I/O: raw emails in batches of 8,192 through the hashing pool. */
async function pipelineOnPool(count: number): Promise<number> {
  const hasher = new IdentifierHasher();
  const batch = 8_192;
  const batches = Array.from({ length: Math.ceil(count / batch) }, (_, b) =>
    Array.from({ length: Math.min(batch, count - b * batch) }, (_, n) => benchEmail(b * batch + n)),
  );
  // Warm the threads (and their compiled code) before timing.
  await hasher.hash({ keyType: 'EMAIL', encoding: 'RAW', values: batches[0] as string[] });
  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (const values of batches) {
    inFlight.push(hasher.hash({ keyType: 'EMAIL', encoding: 'RAW', values }));
    if (inFlight.length >= CORES * 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await hasher.close();
  return count / seconds;
}

/** The section's figures for `count` identifiers per measurement (2 million by default, 20,000 in a smoke run). */
export async function run(count = benchSmoke() ? 20_000 : 2_000_000): Promise<BenchFigure[]> {
  const millions = (rate: number) => Number((rate / 1e6).toFixed(2));
  const figures: BenchFigure[] = [];
  for (const api of ['hash', 'createHash'] as const) {
    figures.push({
      name: `crypto.${api} SHA-256, 1 thread`,
      value: millions(await onThreads(api, 1, count)),
      unit: 'M ids/s',
    });
    figures.push({
      name: `crypto.${api} SHA-256, ${CORES} threads`,
      value: millions(await onThreads(api, CORES, count)),
      unit: 'M ids/s',
    });
  }
  figures.push({
    name: `normalize + validate + hash, pool of ${CORES} threads`,
    value: millions(await pipelineOnPool(count)),
    unit: 'M ids/s',
    detail: 'raw emails, no I/O: the export’s ceiling',
  });
  return figures;
}

if (require.main === module)
  run().then(
    (figures) => reportBench('1. Ceiling: SHA-256 on this machine', 1, figures),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
