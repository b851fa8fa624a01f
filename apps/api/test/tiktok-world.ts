import type { SeededCompany } from '@conduit/domain/testing';
import {
  DEFAULT_EMULATOR_OPTIONS,
  startTikTokEmulator,
  type RunningEmulator,
} from '@conduit/tiktok-emulator';
import { bearer, type ApiHarness } from './api-harness';

export const PUBLIC_URL = 'http://conduit.test';
export const CALLBACK = `${PUBLIC_URL}/oauth/callback/tiktok`;
export const APP = { ...DEFAULT_EMULATOR_OPTIONS.apps[0], redirectUris: [CALLBACK] };
export const ADVERTISERS = DEFAULT_EMULATOR_OPTIONS.advertisers;

/** The emulator with Conduit's redirect URI registered (and any other emulator option). */
export function startEmulator(
  options: Omit<Parameters<typeof startTikTokEmulator>[0], 'apps' | 'advertisers'> = {},
): Promise<RunningEmulator> {
  return startTikTokEmulator({ ...options, apps: [APP], advertisers: ADVERTISERS });
}

/** API environment pointing the TikTok connector at the emulator. */
export function tiktokEnv(
  tiktok: RunningEmulator,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    PUBLIC_URL,
    TIKTOK_APP_ID: APP.appId,
    TIKTOK_APP_SECRET: APP.secret,
    TIKTOK_API_BASE_URL: tiktok.apiBaseUrl,
    TIKTOK_AUTHORIZE_URL: `${tiktok.url}/portal/auth`,
    ...overrides,
  };
}

/** Plays the whole browser flow and returns the AUTHENTICATED authorization's id. */
export async function connectTikTok(
  api: ApiHarness,
  tiktok: RunningEmulator,
  company: SeededCompany,
  name: string,
): Promise<string> {
  const created = await api.http
    .post('/authorizations')
    .set(bearer(company.apiKey))
    .send({ name, provider: 'tiktok' })
    .expect(201);
  const authorizeUrl = new URL(created.body.authorizeUrl as string);
  const callback = await tiktok.confirmConsent({
    state: authorizeUrl.searchParams.get('state') as string,
    redirectUri: CALLBACK,
  });
  const response = await api.http.get(`${callback.pathname}${callback.search}`).expect(303);
  const outcome = new URL(response.headers['location'] as string).searchParams;
  if (outcome.get('status') !== 'AUTHENTICATED') {
    throw new Error(`TikTok authorization failed: ${outcome.get('error')}: ${outcome.get('message')}`);
  }
  return created.body.id as string;
}
