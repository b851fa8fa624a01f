import { createHash } from 'node:crypto';
import {
  InMemoryRateLimiter,
  type ExportCheckpoint,
  type ExportMilestone,
  type ExportReporter,
  type SegmentRow,
} from '@conduit/destinations-core';
import {
  DEFAULT_EMULATOR_OPTIONS,
  startTikTokEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '@conduit/tiktok-emulator';
import { TikTokProvider, type TikTokProviderOptions } from '../src';

export const APP = DEFAULT_EMULATOR_OPTIONS.apps[0];
export const [ADVERTISER, OTHER_ADVERTISER] = DEFAULT_EMULATOR_OPTIONS.advertisers.map(
  (advertiser) => advertiser.advertiserId,
);

export interface TikTokWorld {
  running: RunningEmulator;
  provider: TikTokProvider;
  accessToken: string;
  /** Another provider on the same emulator and app (the token works for it too), with other options. */
  providerWith(options: Partial<TikTokProviderOptions>): TikTokProvider;
  /**
   * A recording reporter under which TikTok finishes processing the moment the provider starts
   * waiting for it: the hours TikTok takes pass at once (the audiences process for a minute here).
   */
  reporter(): RecordingReporter;
  close(): Promise<void>;
}

/** The emulator plus a provider pointed at it and an access token obtained through the real OAuth flow. */
export async function startTikTokWorld(
  emulator: Partial<EmulatorOptions> = {},
  provider: Partial<TikTokProviderOptions> = {},
): Promise<TikTokWorld> {
  const running = await startTikTokEmulator({
    rateLimit: { perSecond: 1000, perMinute: 100_000 },
    processingDelayMs: 60_000,
    minValidAudienceSize: 1,
    minAudienceSizeAfterUpdate: 1,
    ...emulator,
  });
  const providerWith = (options: Partial<TikTokProviderOptions>) =>
    new TikTokProvider({
      appId: APP.appId,
      secret: APP.secret,
      apiBaseUrl: running.apiBaseUrl,
      authorizeUrl: `${running.url}/portal/auth`,
      retryPolicy: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
      // TikTok's 10 QPS is enforced by the emulator's own limiter specs; these suites run at full speed.
      rateLimiter: new InMemoryRateLimiter({ perSecond: 10_000 }),
      // A spec that forgets to end processing fails in seconds, not hours.
      maxProcessingWaitMs: 2_000,
      maxPollIntervalMs: 5,
      ...provider,
      ...options,
    });
  const tiktok = providerWith({});
  const redirectUri = APP.redirectUris[0];
  const consent = await fetch(tiktok.authorization.buildAuthorizeUrl({ state: 'fixture', redirectUri }));
  if (consent.status !== 200) throw new Error(`consent page answered ${consent.status}`);
  const callback = await running.confirmConsent({ state: 'fixture', redirectUri });
  const code = callback.searchParams.get(tiktok.authorization.callbackCodeParameter) as string;
  const { credentials } = await tiktok.authorization.exchangeCode({ code, redirectUri });
  return {
    running,
    provider: tiktok,
    accessToken: credentials['accessToken'],
    providerWith,
    reporter: () =>
      recordingReporter((milestone) => {
        if (milestone.type === 'WAITING') running.emulator.finishProcessing();
      }),
    close: () => running.close(),
  };
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Rows `{ email }` for user 0..count-1 (deterministic). */
export async function* emailRows(count: number, label = 'user', start = 0): AsyncGenerator<SegmentRow> {
  for (let index = start; index < start + count; index++) yield { email: `${label}${index}@example.com` };
}

export function emailHashes(count: number, label = 'user', start = 0): string[] {
  return Array.from({ length: count }, (_, index) => sha256(`${label}${index + start}@example.com`));
}

export type RecordingReporter = ExportReporter & {
  checkpoints: ExportCheckpoint[];
  milestones: ExportMilestone[];
};

/** A reporter that keeps every checkpoint (as the domain would, durably) and every milestone. */
export function recordingReporter(onMilestone?: (milestone: ExportMilestone) => void): RecordingReporter {
  const checkpoints: ExportCheckpoint[] = [];
  const milestones: ExportMilestone[] = [];
  return {
    checkpoints,
    milestones,
    async checkpoint(checkpoint) {
      checkpoints.push(JSON.parse(JSON.stringify(checkpoint)) as ExportCheckpoint);
    },
    milestone(milestone) {
      milestones.push(structuredClone(milestone));
      onMilestone?.(milestone);
    },
  };
}
