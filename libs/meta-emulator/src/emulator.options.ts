import { META_GRAPH_VERSION } from '@conduit/destinations-meta-wire';

/** A developer app registered with the emulator (Meta: an app in the Meta for Developers dashboard). */
export interface MetaEmulatorApp {
  appId: string;
  secret: string;
  name: string;
  /** "Valid OAuth Redirect URIs": the dialog and the code exchange accept exactly these. */
  redirectUris: string[];
}

/** An ad account the emulated person can use (Meta: a role on the account). */
export interface MetaEmulatorAdAccount {
  /** The numeric id; the API addresses it as `act_<id>`. */
  id: string;
  name: string;
  /** Whether the custom-audience terms are accepted (`tos_accepted.custom_audience_tos`). */
  termsAccepted: boolean;
  /** 1 ACTIVE, 2 DISABLED, … */
  accountStatus?: number;
  currency?: string;
}

/** The person who logs in through the dialog. */
export interface MetaEmulatorUser {
  id: string;
  name: string;
}

export interface MetaFaultSettings {
  /** Fraction [0, 1] of Graph calls whose connection is dropped before anything is done. */
  dropRate: number;
  /** Fraction [0, 1] of Graph calls carried out whose answer never arrives (the connection drops). */
  lostAnswerRate: number;
  /** Fraction [0, 1] of Graph calls answered HTTP 503 "Service Unavailable" (a gateway, no envelope). */
  http5xxRate: number;
  /** Fraction [0, 1] of Graph calls answered code 2 (HTTP 500, `is_transient: true`). */
  transientRate: number;
  /** Fraction [0, 1] of Graph calls answered 80003 whatever the throttle says. */
  throttledRate: number;
  /** Fraction [0, 1] of Graph calls carried out whose answer is cut mid-body. */
  cutBodyRate: number;
  /** Latency added to every Graph call, in milliseconds. */
  latencyMs: number;
  /** Fraction [0, 1] of Graph calls that wait `latencySpikeMs` more. */
  latencySpikeRate: number;
  latencySpikeMs: number;
  /** The next N Graph calls answer 80003. */
  throttleBurst: number;
}

/**
 * The emulator's time: token and code lifetimes, the replace window, throttle windows and the
 * timestamps it answers all read it, so specs move time instead of waiting for it.
 */
export interface EmulatorClock {
  now(): Date;
}

export const SYSTEM_CLOCK: EmulatorClock = { now: () => new Date() };

export interface MetaThrottleSettings {
  /** The rolling window of the custom_audience business-use-case limit (Meta: 1 hour). */
  windowMs: number;
  /** Calls per window per ad account before 80003 (Meta Limited tier: 5000). */
  customAudienceCalls: number;
  /** Added per custom audience of the ad account (Meta: 40). */
  perAudienceCalls: number;
  /** Never more than this (Meta: 700,000). */
  maxCalls: number;
  /** Calls per window per app before code 4 (Meta documents no figure for this tier). */
  appCalls: number;
  /** HTTP status of a throttle answer: Meta's is UNCONFIRMED (400 or 429). */
  httpStatus: number;
}

export interface MetaEmulatorOptions {
  apps: MetaEmulatorApp[];
  user: MetaEmulatorUser;
  adAccounts: MetaEmulatorAdAccount[];
  /** The version unversioned paths use, and the newest one served (reference: v25.0). */
  graphVersion: string;
  /** Older versions answer 2635 (deprecated). */
  oldestGraphVersion: string;
  /** How long a dialog code can be exchanged (Meta: minutes; 10 here). */
  authCodeTtlMs: number;
  /** Lifetime of a token from the code exchange (Meta: about 1–2 hours). */
  shortTokenTtlMs: number;
  /** Lifetime of a token from `fb_exchange_token` (Meta: about 60 days). */
  longTokenTtlMs: number;
  /** Custom audiences per ad account (Meta: 500). */
  maxAudiencesPerAdAccount: number;
  /** Rows per `/users` or `/usersreplace` request (Meta: 10,000). */
  maxRowsPerRequest: number;
  /** A replace session ends this long after its first batch (Meta: 90 minutes). */
  replaceWindowMs: number;
  /** Largest request body accepted (Meta: UNCONFIRMED; 10,000 rows of 15 hashed keys fit). */
  maxBodyBytes: number;
  /** How long after a change the approximate counts still show the previous figure. */
  processingDelayMs: number;
  /** Matched people an audience needs for `delivery_status` 200 (Meta: about 100, UNCONFIRMED). */
  minDeliverySize: number;
  /** Share of rows that "match a Meta user", decided deterministically per row. */
  matchRate: number;
  throttle: MetaThrottleSettings;
  /**
   * Whether every user-token call must carry `appsecret_proof` (an app setting at Meta). A proof that
   * is sent is always checked.
   */
  requireAppSecretProof: boolean;
  /** Seed of the fault-injection random sequence (deterministic runs). */
  seed: number;
  faults: MetaFaultSettings;
  clock: EmulatorClock;
}

export const NO_FAULTS: MetaFaultSettings = {
  dropRate: 0,
  lostAnswerRate: 0,
  http5xxRate: 0,
  transientRate: 0,
  throttledRate: 0,
  cutBodyRate: 0,
  latencyMs: 0,
  latencySpikeRate: 0,
  latencySpikeMs: 0,
  throttleBurst: 0,
};

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_THROTTLE: MetaThrottleSettings = {
  windowMs: HOUR_MS,
  customAudienceCalls: 5000,
  perAudienceCalls: 40,
  maxCalls: 700_000,
  appCalls: 1_000_000,
  httpStatus: 400,
};

export const DEFAULT_META_EMULATOR_OPTIONS: MetaEmulatorOptions = {
  apps: [
    {
      appId: '1100000000000001',
      secret: 'emulator-meta-app-secret',
      name: 'Conduit (emulator)',
      redirectUris: [
        'http://localhost:3000/oauth/callback/meta',
        'http://127.0.0.1:3000/oauth/callback/meta',
      ],
    },
  ],
  user: { id: '10000000000000001', name: 'Emulated Facebook User' },
  adAccounts: [
    { id: '1200000000000001', name: 'Emulated Ad Account One', termsAccepted: true },
    { id: '1200000000000002', name: 'Emulated Ad Account Two (terms not accepted)', termsAccepted: false },
  ],
  graphVersion: META_GRAPH_VERSION,
  oldestGraphVersion: 'v23.0',
  authCodeTtlMs: 10 * 60 * 1000,
  shortTokenTtlMs: 2 * HOUR_MS,
  longTokenTtlMs: 60 * DAY_MS,
  maxAudiencesPerAdAccount: 500,
  maxRowsPerRequest: 10_000,
  replaceWindowMs: 90 * 60 * 1000,
  maxBodyBytes: 32 * 1024 * 1024,
  processingDelayMs: 3000,
  minDeliverySize: 100,
  matchRate: 0.8,
  throttle: DEFAULT_THROTTLE,
  requireAppSecretProof: false,
  seed: 1,
  faults: NO_FAULTS,
  clock: SYSTEM_CLOCK,
};

export function withDefaults(options: Partial<MetaEmulatorOptions> = {}): MetaEmulatorOptions {
  return {
    ...DEFAULT_META_EMULATOR_OPTIONS,
    ...options,
    adAccounts: (options.adAccounts ?? DEFAULT_META_EMULATOR_OPTIONS.adAccounts).map((account) => ({
      ...account,
    })),
    throttle: { ...DEFAULT_THROTTLE, ...options.throttle },
    faults: { ...NO_FAULTS, ...options.faults },
  };
}
