import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'libsql';

/** The demo CRM's file name, inside the demo company's data-source folder. */
export const DEMO_CRM_FILE = 'demo-crm.sqlite';

export interface DemoCrmOptions {
  customers?: number;
  seed?: number;
}

export interface DemoCrmSummary {
  customers: number;
  orders: number;
}

const FIRST_NAMES = (
  'Ada Alan Amara Ana Ben Chloé Dev Elena Emma Farid Grace Hugo Ines Jack Jade Kenji Léa Liam Lucas ' +
  'Maya Noah Nora Olivia Omar Priya Quentin Rosa Sam Sofia Theo Uma Victor Wen Yara Zoé'
).split(' ');
const LAST_NAMES = (
  'Adams Bernard Brown Chen Dubois Evans Garcia Girard Hughes Ito Johnson Khan Lambert Lee Martin ' +
  'Moreau Nguyen Okafor Patel Petit Roux Singh Smith Taylor Walker Williams Wilson Young'
).split(' ');
/** Reserved for documentation (RFC 2606): no mail ever reaches a real person. */
const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];

interface Country {
  code: string;
  weight: number;
  cities: string[];
  /** A number in a range reserved for fiction, in E.164 and in the way people write it locally. */
  phone: (random: Random) => { e164: string; local: string };
}

const digits = (random: Random, count: number) =>
  Array.from({ length: count }, () => random.int(10)).join('');

const COUNTRIES: Country[] = [
  {
    code: 'US',
    weight: 45,
    cities: ['New York', 'Chicago', 'Austin', 'Seattle', 'Miami', 'Denver'],
    // 555-0100…0199 is reserved for fictional use in every North American area code.
    phone: (random) => {
      const area = random.pick(['212', '305', '312', '415', '512', '206', '303']);
      const line = `01${digits(random, 2)}`;
      return {
        e164: `+1${area}555${line}`,
        local: random.pick([`(${area}) 555-${line}`, `${area}-555-${line}`, `${area}.555.${line}`]),
      };
    },
  },
  {
    code: 'CA',
    weight: 10,
    cities: ['Toronto', 'Montréal', 'Vancouver', 'Calgary'],
    phone: (random) => {
      const area = random.pick(['416', '514', '604', '403']);
      const line = `01${digits(random, 2)}`;
      return { e164: `+1${area}555${line}`, local: `(${area}) 555-${line}` };
    },
  },
  {
    code: 'GB',
    weight: 20,
    cities: ['London', 'Manchester', 'Leeds', 'Bristol', 'Glasgow'],
    // 07700 900000…900999 is Ofcom's range for drama.
    phone: (random) => {
      const line = digits(random, 3);
      return { e164: `+447700900${line}`, local: `07700 900${line}` };
    },
  },
  {
    code: 'FR',
    weight: 25,
    cities: ['Paris', 'Lyon', 'Marseille', 'Lille', 'Nantes', 'Bordeaux'],
    // 06 39 98 xx xx is ARCEP's range for fiction.
    phone: (random) => {
      const [a, b] = [digits(random, 2), digits(random, 2)];
      return { e164: `+3363998${a}${b}`, local: `06 39 98 ${a} ${b}` };
    },
  },
];

/** What people type into phone fields that is not a phone number. */
const BAD_PHONES = ['12345', 'n/a', '+1 555', '0000000000', 'call after 6pm', '+44 7700'];

/** mulberry32: a small seeded generator, so every demo CRM is the same file. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)] as T;
  }

  hex(length: number): string {
    return Array.from({ length }, () => this.int(16).toString(16)).join('');
  }
}

function weighted(random: Random): Country {
  let roll = random.int(COUNTRIES.reduce((sum, country) => sum + country.weight, 0));
  for (const country of COUNTRIES) {
    roll -= country.weight;
    if (roll < 0) return country;
  }
  return COUNTRIES[0] as Country;
}

function ascii(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

function emailOf(random: Random, first: string, last: string, n: number): string {
  const address = `${ascii(first)}.${ascii(last)}${n}@${random.pick(EMAIL_DOMAINS)}`;
  const roll = random.next();
  if (roll < 0.03) {
    // Malformed, as CRMs hold them.
    return random.pick([
      address.replace('@', '@@'),
      address.replace('@', ' at '),
      address.split('@')[0] as string,
      `${address.split('@')[0]}@`,
      address.replace(/\.(com|org|net)$/, ''),
    ]);
  }
  if (roll < 0.05) return `${address};${ascii(first)}${n}@${random.pick(EMAIL_DOMAINS)}`; // two in one cell
  if (roll < 0.1) return ` ${address.toUpperCase()} `; // case and spaces: valid once normalized
  return address;
}

function phoneOf(random: Random, country: Country): string | null {
  const roll = random.next();
  if (roll < 0.1) return null;
  if (roll < 0.13) return random.pick(BAD_PHONES);
  const number = country.phone(random);
  if (roll < 0.16) return `${number.e164}, ${country.phone(random).e164}`; // two in one cell
  return roll < 0.6 ? number.e164 : number.local;
}

/** Mobile advertising ids: IDFA (upper case) or GAID (lower case); some opted out (all zeros). */
function maidOf(random: Random): string | null {
  const roll = random.next();
  if (roll < 0.25) return null;
  if (roll < 0.28) return '00000000-0000-0000-0000-000000000000';
  const id = `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-${random.pick(['8', '9', 'a', 'b'])}${random.hex(3)}-${random.hex(12)}`;
  return random.chance(0.5) ? id.toUpperCase() : id;
}

function isoDate(random: Random, fromYear: number, days: number): string {
  return new Date(Date.UTC(fromYear, 0, 1) + random.int(days) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Writes a small synthetic CRM (tables `customers` and `orders`) to `file`: seeded, so every demo gets
 * the same rows, and made to show what real data holds — phones in E.164 and local formats, malformed
 * emails and phones, two values in one cell, missing values, opted-out advertising ids. Built beside
 * `file` and renamed into place, so a crash never leaves half a database where the demo expects one.
 */
export function writeDemoCrm(file: string, options: DemoCrmOptions = {}): DemoCrmSummary {
  const random = new Random(options.seed ?? 20_261_130);
  const customers = options.customers ?? 5000;
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  const db = new Database(temporary);
  let orders = 0;
  try {
    db.exec(`
      CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        maid TEXT,
        opted_in INTEGER NOT NULL,
        country TEXT NOT NULL,
        city TEXT NOT NULL,
        signed_up_on TEXT NOT NULL
      );
      CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        ordered_on TEXT NOT NULL,
        total REAL NOT NULL,
        channel TEXT NOT NULL
      );
      CREATE INDEX orders_customer ON orders (customer_id);
    `);
    const addCustomer = db.prepare(
      'INSERT INTO customers (id, first_name, last_name, email, phone, maid, opted_in, country, city, signed_up_on) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const addOrder = db.prepare(
      'INSERT INTO orders (customer_id, ordered_on, total, channel) VALUES (?, ?, ?, ?)',
    );
    db.exec('BEGIN');
    for (let id = 1; id <= customers; id += 1) {
      const first = random.pick(FIRST_NAMES);
      const last = random.pick(LAST_NAMES);
      const country = weighted(random);
      addCustomer.run(
        id,
        first,
        last,
        random.chance(0.04) ? null : emailOf(random, first, last, id),
        phoneOf(random, country),
        maidOf(random),
        random.chance(0.75) ? 1 : 0,
        country.code,
        random.pick(country.cities),
        isoDate(random, 2021, 1400),
      );
      for (let count = random.int(5); count > 0; count -= 1) {
        addOrder.run(
          id,
          isoDate(random, 2024, 700),
          Math.round((5 + random.next() * 295) * 100) / 100,
          random.pick(['web', 'app', 'store']),
        );
        orders += 1;
      }
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }
  renameSync(temporary, file);
  return { customers, orders };
}

/** Writes the demo CRM unless `file` already exists (a second start keeps the file as it is). */
export function ensureDemoCrm(file: string, options: DemoCrmOptions = {}): boolean {
  if (existsSync(file)) return false;
  writeDemoCrm(file, options);
  return true;
}
