import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Seeded, generated identifiers for the benchmarks: the same inputs on every run and machine,
// shaped like a CRM export (mixed case, stray spaces, a few invalid values and duplicates).

const SEED = 0x5eed_14;
const FIRST = [
  'anna',
  'ben',
  'chloe',
  'david',
  'emma',
  'felix',
  'grace',
  'hugo',
  'iris',
  'jonas',
  'karen',
  'liam',
];
const LAST = [
  'smith',
  'garcia',
  'müller',
  'martin',
  'rossi',
  'silva',
  'kowalski',
  'tanaka',
  'dubois',
  'berg',
];
/** Reserved names (RFC 2606, RFC 6761): no generated address belongs to anyone. */
const DOMAINS = [
  'example.com',
  'example.org',
  'example.net',
  'mail.example',
  'crm.example',
  'shop.test',
  'news.test',
];

/** A 32-bit mix of the row index and the seed (splitmix-style): row n's draws, independent of the others. */
function draws(n: number, stream: number): number {
  let x = (n * 0x9e3779b1 + stream * 0x85ebca6b + SEED) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Row n's email: about 1 % invalid (no @), 1 % a repeat of an earlier row's, a few with upper case
 * and spaces around (normalized away), a few with Unicode local parts.
 */
export function benchEmail(n: number): string {
  const r = draws(n, 1);
  if (r % 100 === 0) return `not-an-email-${n}`;
  const m = r % 100 === 1 && n > 0 ? draws(n, 2) % n : n;
  const base = `${FIRST[m % FIRST.length]}.${LAST[(m >>> 3) % LAST.length]}${m}@${DOMAINS[(m >>> 5) % DOMAINS.length]}`;
  const shape = draws(m, 3) % 20;
  return shape === 0 ? `  ${base.toUpperCase()} ` : shape === 1 ? base.replace('.', '_') : base;
}

/** Row n's phone: US and French numbers in various writings, about 2 % invalid. */
export function benchPhone(n: number): string {
  const r = draws(n, 4);
  if (r % 50 === 0) return `555-01${n % 10}`;
  const digits = String(2_000_000 + (r % 7_000_000)).padStart(7, '0');
  return r % 3 === 0
    ? `+33 6 ${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)} ${digits.slice(5, 7)}`
    : `+1 (415) ${digits.slice(0, 3)}-${digits.slice(3)}`;
}

/** Row n's mobile advertising id (a UUID), about 1 % the all-zero "limited tracking" id. */
export function benchMaid(n: number): string {
  const r = draws(n, 5);
  if (r % 100 === 0) return '00000000-0000-0000-0000-000000000000';
  const hex = (value: number) => value.toString(16).padStart(8, '0');
  const [a, b, c, d] = [r, draws(n, 6), draws(n, 7), draws(n, 8)].map(hex) as [
    string,
    string,
    string,
    string,
  ];
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

export type BenchColumns = 'email' | 'email+phone+maid';

/** The repository's root (where nx.json is), from the sources or from their build under dist/. */
function repositoryRoot(): string {
  for (let folder = __dirname; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'nx.json'))) return folder;
    if (dirname(folder) === folder) throw new Error(`No nx.json above ${__dirname}.`);
  }
}

export const ROOT = repositoryRoot();
/** Where generated datasets are kept between runs (generating 10 million rows takes a while). */
export const BENCH_DATA = join(ROOT, 'tmp', 'bench-data');
/** Where section 2 (naive-peer.bench.ts) leaves its figure for section 3's ratio. */
export const PEER_FIGURE = join(BENCH_DATA, 'naive-peer.json');
