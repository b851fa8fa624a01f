import { SYSTEM_CLOCK, type EmulatorOptions } from '@conduit/tiktok-emulator';
import type { EmulatorEnv } from './emulator.env';

/** Maps the validated environment to the emulator's options. */
export function emulatorOptionsFrom(env: EmulatorEnv): EmulatorOptions {
  return {
    apps: [
      {
        appId: env.TIKTOK_EMULATOR_APP_ID,
        secret: env.TIKTOK_EMULATOR_APP_SECRET,
        name: 'Conduit',
        redirectUris: env.TIKTOK_EMULATOR_REDIRECT_URIS.split(',').map((uri) => uri.trim()),
      },
    ],
    advertisers: env.TIKTOK_EMULATOR_ADVERTISERS.split(',').map((pair) => {
      const [advertiserId, name] = pair.split(':');
      return { advertiserId: advertiserId.trim(), name: name.trim() };
    }),
    processingDelayMs: env.TIKTOK_EMULATOR_PROCESSING_DELAY_MS,
    maxFileBytes: env.TIKTOK_EMULATOR_MAX_FILE_MB * 1024 * 1024,
    maxAudiencesPerAdvertiser: 400,
    minAudienceSizeAfterUpdate: env.TIKTOK_EMULATOR_MIN_UPDATE_SIZE,
    minValidAudienceSize: env.TIKTOK_EMULATOR_MIN_VALID_SIZE,
    matchRate: 0.8,
    rateLimit: {
      perSecond: env.TIKTOK_EMULATOR_RATE_LIMIT_QPS,
      perMinute: env.TIKTOK_EMULATOR_RATE_LIMIT_QPM,
    },
    authCodeTtlMs: 60 * 60 * 1000,
    seed: env.TIKTOK_EMULATOR_SEED,
    faults: {
      systemErrorRate: env.TIKTOK_EMULATOR_FAULT_SYSTEM_ERROR_RATE,
      http5xxRate: env.TIKTOK_EMULATOR_FAULT_HTTP5XX_RATE,
      dropRate: env.TIKTOK_EMULATOR_FAULT_DROP_RATE,
      lostAnswerRate: env.TIKTOK_EMULATOR_FAULT_LOST_ANSWER_RATE,
      rateLimitedRate: env.TIKTOK_EMULATOR_FAULT_RATE_LIMITED_RATE,
      cutBodyRate: env.TIKTOK_EMULATOR_FAULT_CUT_BODY_RATE,
      latencyMs: env.TIKTOK_EMULATOR_FAULT_LATENCY_MS,
      latencySpikeRate: env.TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_RATE,
      latencySpikeMs: env.TIKTOK_EMULATOR_FAULT_LATENCY_SPIKE_MS,
      rateLimitBurst: 0,
    },
    // The process serves real clients, whose lifetimes and QPS windows run on wall-clock time.
    clock: SYSTEM_CLOCK,
  };
}
