/** A developer app registered with the emulator (TikTok: an app in the TikTok for Business portal). */
export interface EmulatorApp {
  appId: string;
  secret: string;
  name: string;
  /** Exact redirect URIs accepted by /portal/auth. */
  redirectUris: string[];
}

/** An ad account that an authorizing user grants to every app. */
export interface EmulatorAdvertiser {
  advertiserId: string;
  name: string;
}

export interface FaultSettings {
  /** Fraction [0, 1] of API calls answered HTTP 200 with code 50000. */
  systemErrorRate: number;
  /** Fraction [0, 1] of API calls answered HTTP 503. */
  http5xxRate: number;
  /** Fraction [0, 1] of API calls whose connection is dropped without an answer. */
  dropRate: number;
  /**
   * Fraction [0, 1] of API calls that TikTok carries out but whose answer never arrives (the
   * connection drops after the work is done): the caller cannot tell it from a drop before it.
   */
  lostAnswerRate: number;
  /** Fraction [0, 1] of API calls answered 40100, whatever the rate limiter says. */
  rateLimitedRate: number;
  /**
   * Fraction [0, 1] of API calls carried out whose answer is cut: the headers and half of the JSON
   * body arrive, then the connection is destroyed.
   */
  cutBodyRate: number;
  /** Latency added to every API call, in milliseconds. */
  latencyMs: number;
  /** Fraction [0, 1] of API calls that wait `latencySpikeMs` more (on top of `latencyMs`). */
  latencySpikeRate: number;
  /** How long a latency spike lasts, in milliseconds (e.g. 5000). */
  latencySpikeMs: number;
  /** The next N API calls answer 40100, whatever the rate limiter says. */
  rateLimitBurst: number;
}

/**
 * The emulator's time: every lifetime and window it keeps (auth codes, QPS/QPM windows, audience
 * processing, timestamps it answers) reads this, so specs move time instead of waiting for it. The
 * same shape as the domain's `Clock`, so a suite can hand one clock to the API and the emulator.
 */
export interface EmulatorClock {
  now(): Date;
}

/** Wall-clock time: the default, and what the emulator process uses. */
export const SYSTEM_CLOCK: EmulatorClock = { now: () => new Date() };

export interface EmulatorOptions {
  apps: EmulatorApp[];
  advertisers: EmulatorAdvertiser[];
  /** How long a new or updated audience stays `is_valid=false` ("processing"). */
  processingDelayMs: number;
  /** Largest accepted upload (TikTok: 250 MB). */
  maxFileBytes: number;
  /** Custom audiences per advertiser (TikTok: 400). */
  maxAudiencesPerAdvertiser: number;
  /** Size an audience must keep after APPEND / REMOVE / REPLACE (TikTok: 1,000). */
  minAudienceSizeAfterUpdate: number;
  /** Matched users an audience needs to become valid (TikTok: about 1,000). */
  minValidAudienceSize: number;
  /** Share of identifiers that "match a TikTok user", decided deterministically per identifier. */
  matchRate: number;
  /** Per developer app (TikTok Basic tier: 10 QPS / 600 QPM). */
  rateLimit: { perSecond: number; perMinute: number };
  /** How long an auth_code from the consent page can be exchanged (TikTok: 1 hour). */
  authCodeTtlMs: number;
  /** Seed of the fault-injection random sequence (deterministic runs). */
  seed: number;
  faults: FaultSettings;
  clock: EmulatorClock;
}

export const NO_FAULTS: FaultSettings = {
  systemErrorRate: 0,
  http5xxRate: 0,
  dropRate: 0,
  lostAnswerRate: 0,
  rateLimitedRate: 0,
  cutBodyRate: 0,
  latencyMs: 0,
  latencySpikeRate: 0,
  latencySpikeMs: 0,
  rateLimitBurst: 0,
};

export const DEFAULT_EMULATOR_OPTIONS: EmulatorOptions = {
  apps: [
    {
      appId: '7100000000000000001',
      secret: 'emulator-app-secret',
      name: 'Conduit (emulator)',
      redirectUris: [
        'http://localhost:3000/oauth/callback/tiktok',
        'http://127.0.0.1:3000/oauth/callback/tiktok',
      ],
    },
  ],
  advertisers: [
    { advertiserId: '7200000000000000001', name: 'Emulated Advertiser One' },
    { advertiserId: '7200000000000000002', name: 'Emulated Advertiser Two' },
  ],
  processingDelayMs: 3000,
  maxFileBytes: 250 * 1024 * 1024,
  maxAudiencesPerAdvertiser: 400,
  minAudienceSizeAfterUpdate: 1000,
  minValidAudienceSize: 1000,
  matchRate: 0.8,
  rateLimit: { perSecond: 10, perMinute: 600 },
  authCodeTtlMs: 60 * 60 * 1000,
  seed: 1,
  faults: NO_FAULTS,
  clock: SYSTEM_CLOCK,
};

export function withDefaults(options: Partial<EmulatorOptions> = {}): EmulatorOptions {
  return {
    ...DEFAULT_EMULATOR_OPTIONS,
    ...options,
    rateLimit: { ...DEFAULT_EMULATOR_OPTIONS.rateLimit, ...options.rateLimit },
    faults: { ...NO_FAULTS, ...options.faults },
  };
}
