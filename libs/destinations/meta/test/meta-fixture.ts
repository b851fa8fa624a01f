import { createHash } from 'node:crypto';
import {
  InMemoryRateLimiter,
  type ExportCheckpoint,
  type ExportMilestone,
  type ExportReporter,
} from '@conduit/destinations-core';
import {
  DEFAULT_META_EMULATOR_OPTIONS,
  startMetaEmulator,
  type MetaEmulatorOptions,
  type RunningMetaEmulator,
} from '@conduit/meta-emulator';
import { MetaProvider, type MetaProviderOptions } from '../src';

export const APP = DEFAULT_META_EMULATOR_OPTIONS.apps[0];
/** The emulator's account with the custom-audience terms accepted, and the one without, as `act_` ids. */
export const [AD_ACCOUNT, AD_ACCOUNT_WITHOUT_TERMS] = DEFAULT_META_EMULATOR_OPTIONS.adAccounts.map(
  (account) => `act_${account.id}`,
);

export interface MetaWorld {
  running: RunningMetaEmulator;
  provider: MetaProvider;
  /** A long-lived token obtained through the provider's own OAuth flow. */
  accessToken: string;
  /** Another provider on the same emulator and app, with other options. */
  providerWith(options: Partial<MetaProviderOptions>): MetaProvider;
  /** Another token of the same person, through the OAuth flow again. */
  logIn(): Promise<string>;
  /** The emulator's inspection API (`/_emulator/…`), as a person trying the connector would read it. */
  inspect<T = Record<string, unknown>>(path: string): Promise<T>;
  close(): Promise<void>;
}

/** The emulator (throttle out of the way unless a spec sets it) and a provider pointed at it. */
export async function startMetaWorld(
  emulator: Partial<MetaEmulatorOptions> = {},
  provider: Partial<MetaProviderOptions> = {},
): Promise<MetaWorld> {
  const running = await startMetaEmulator({
    throttle: { ...DEFAULT_META_EMULATOR_OPTIONS.throttle, customAudienceCalls: 1_000_000 },
    // Every call signed: the connector's appsecret_proof is checked on each.
    requireAppSecretProof: true,
    ...emulator,
  });
  const providerWith = (options: Partial<MetaProviderOptions>) =>
    new MetaProvider({
      appId: APP.appId,
      appSecret: APP.secret,
      graphBaseUrl: running.url,
      dialogUrl: running.dialogUrl,
      retryPolicy: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
      // Meta's pace is the emulator's throttle's business; these suites run at full speed.
      rateLimiter: new InMemoryRateLimiter({ perSecond: 10_000 }),
      maxPollIntervalMs: 5,
      ...provider,
      ...options,
    });
  const meta = providerWith({});
  const redirectUri = APP.redirectUris[0];
  const logIn = async () => {
    const consent = await fetch(meta.authorization.buildAuthorizeUrl({ state: 'fixture', redirectUri }));
    if (consent.status !== 200) throw new Error(`the login dialog answered ${consent.status}`);
    const callback = await running.answerDialog({ state: 'fixture', redirectUri });
    const code = callback.searchParams.get(meta.authorization.callbackCodeParameter) as string;
    const { credentials } = await meta.authorization.exchangeCode({ code, redirectUri });
    return credentials['accessToken'] as string;
  };
  return {
    running,
    provider: meta,
    accessToken: await logIn(),
    providerWith,
    logIn,
    inspect: async <T>(path: string) => {
      const response = await fetch(`${running.url}/_emulator${path}`);
      return (await response.json()) as T;
    },
    close: () => running.close(),
  };
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function emailHashes(count: number, label = 'user', start = 0): string[] {
  return Array.from({ length: count }, (_, index) => sha256(`${label}${index + start}@example.com`));
}

export type RecordingReporter = ExportReporter & {
  checkpoints: ExportCheckpoint[];
  milestones: ExportMilestone[];
};

/** A reporter that keeps every checkpoint (as the domain would, durably) and every milestone. */
export function recordingReporter(): RecordingReporter {
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
    },
  };
}
