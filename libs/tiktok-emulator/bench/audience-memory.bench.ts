import { randomFillSync } from 'node:crypto';
import { benchSmoke, reportBench } from '@conduit/bench';
import { Audience, type StoredFile } from '../src/audience-store';
import { ValueList } from '../src/value-list';

// Target (issue 3): a 10-million-identifier audience fits in well under 1 GB.
const IDENTIFIERS = Number(process.env['BENCH_AUDIENCE_SIZE'] ?? (benchSmoke() ? 100_000 : 10_000_000));
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

if (audience.size !== IDENTIFIERS) throw new Error(`the audience holds ${audience.size} of ${IDENTIFIERS}`);
const millions = `${(IDENTIFIERS / 1e6).toLocaleString('en-US')} M identifiers`;
reportBench('6. Other', 6, [
  {
    name: 'TikTok emulator audience memory',
    value: Math.round(audienceBytes / 1024 ** 2),
    unit: 'MB',
    target: { op: '<=', value: LIMIT_BYTES / 1024 ** 2 },
    detail: `${millions}, file ${Math.round((withFile - before) / 1024 ** 2)} MB`,
  },
  { name: 'TikTok emulator audience inserts', value: Math.round(IDENTIFIERS / seconds), unit: '/s' },
]);
