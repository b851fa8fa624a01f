import { randomFillSync } from 'node:crypto';
import { Audience, type StoredFile } from '../src/audience-store';
import { ValueList } from '../src/value-list';

// Target (issue 3): a 10-million-identifier audience fits in well under 1 GB.
const IDENTIFIERS = Number(process.env['BENCH_AUDIENCE_SIZE'] ?? 10_000_000);
const LIMIT_BYTES = 1024 ** 3;

function memory(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const before = memory();
const values = randomFillSync(Buffer.alloc(IDENTIFIERS * 32));
const file: StoredFile = {
  filePath: 'benchbenchbench0',
  advertiserId: '1',
  calculateType: 'EMAIL_SHA256',
  parsed: {
    values: new Map([['EMAIL_SHA256', ValueList.fromBuffer(32, values)]]),
    lines: IDENTIFIERS,
    invalidValues: 0,
  },
  bytes: IDENTIFIERS * 65,
  md5: '',
  uploadedAt: new Date(),
};
const withFile = memory();
const started = process.hrtime.bigint();
const audience = new Audience('1', '1', 'bench', 'EMAIL_SHA256', undefined, new Date(), 205);
audience.apply('CREATE', [file], new Date(), 0);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const audienceBytes = memory() - withFile;

console.log(
  JSON.stringify({
    bench: 'tiktok-emulator audience memory',
    identifiers: audience.size,
    audienceMB: Math.round(audienceBytes / 1024 ** 2),
    fileMB: Math.round((withFile - before) / 1024 ** 2),
    insertsPerSecond: Math.round(IDENTIFIERS / seconds),
    limitMB: LIMIT_BYTES / 1024 ** 2,
  }),
);
if (audience.size !== IDENTIFIERS || audienceBytes > LIMIT_BYTES) {
  console.error('FAILED: audience memory target missed');
  process.exit(1);
}
