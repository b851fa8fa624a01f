import {
  DEFAULT_META_EMULATOR_OPTIONS,
  NO_FAULTS,
  SYSTEM_CLOCK,
  type MetaEmulatorOptions,
} from '@conduit/meta-emulator';
import type { MetaEmulatorEnv } from './emulator.env';

/** Maps the validated environment to the emulator's options. */
export function emulatorOptionsFrom(env: MetaEmulatorEnv): MetaEmulatorOptions {
  return {
    ...DEFAULT_META_EMULATOR_OPTIONS,
    apps: [
      {
        appId: env.META_EMULATOR_APP_ID,
        secret: env.META_EMULATOR_APP_SECRET,
        name: 'Conduit',
        redirectUris: env.META_EMULATOR_REDIRECT_URIS.split(',').map((uri) => uri.trim()),
      },
    ],
    adAccounts: env.META_EMULATOR_AD_ACCOUNTS.split(',').map((entry) => {
      const [id, name, terms] = entry.split(':').map((part) => part.trim());
      return { id, name, termsAccepted: terms === '1' };
    }),
    graphVersion: env.META_EMULATOR_GRAPH_VERSION,
    oldestGraphVersion: env.META_EMULATOR_OLDEST_GRAPH_VERSION,
    shortTokenTtlMs: env.META_EMULATOR_SHORT_TOKEN_TTL_S * 1000,
    longTokenTtlMs: env.META_EMULATOR_LONG_TOKEN_TTL_S * 1000,
    processingDelayMs: env.META_EMULATOR_PROCESSING_DELAY_MS,
    maxBodyBytes: env.META_EMULATOR_MAX_BODY_MB * 1024 * 1024,
    throttle: {
      ...DEFAULT_META_EMULATOR_OPTIONS.throttle,
      windowMs: env.META_EMULATOR_THROTTLE_WINDOW_MS,
      customAudienceCalls: env.META_EMULATOR_CUSTOM_AUDIENCE_CALLS_PER_HOUR,
      httpStatus: env.META_EMULATOR_THROTTLE_HTTP_STATUS,
    },
    requireAppSecretProof: env.META_EMULATOR_REQUIRE_APPSECRET_PROOF === 'true',
    seed: env.META_EMULATOR_SEED,
    faults: {
      ...NO_FAULTS,
      transientRate: env.META_EMULATOR_FAULT_TRANSIENT_RATE,
      http5xxRate: env.META_EMULATOR_FAULT_HTTP5XX_RATE,
      dropRate: env.META_EMULATOR_FAULT_DROP_RATE,
      lostAnswerRate: env.META_EMULATOR_FAULT_LOST_ANSWER_RATE,
      throttledRate: env.META_EMULATOR_FAULT_THROTTLED_RATE,
      cutBodyRate: env.META_EMULATOR_FAULT_CUT_BODY_RATE,
      latencyMs: env.META_EMULATOR_FAULT_LATENCY_MS,
    },
    // The process serves real clients, whose lifetimes and windows run on wall-clock time.
    clock: SYSTEM_CLOCK,
  };
}
