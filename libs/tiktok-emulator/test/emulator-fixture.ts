import {
  DEFAULT_EMULATOR_OPTIONS,
  startTikTokEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../src';
import { TikTokHttp } from './tiktok-http';

export const APP = DEFAULT_EMULATOR_OPTIONS.apps[0];
export const [ADVERTISER, OTHER_ADVERTISER] = DEFAULT_EMULATOR_OPTIONS.advertisers.map(
  (advertiser) => advertiser.advertiserId,
);

/** An emulator plus a client already holding an access token for both test advertisers. */
export async function startAuthorized(
  options: Partial<EmulatorOptions> = {},
): Promise<{ running: RunningEmulator; tiktok: TikTokHttp }> {
  const running = await startTikTokEmulator(options);
  const callback = await running.confirmConsent({ state: 'state-1' });
  const tiktok = new TikTokHttp(running.url);
  const issued = await tiktok.post('/oauth2/access_token/', {
    app_id: APP.appId,
    secret: APP.secret,
    auth_code: callback.searchParams.get('auth_code'),
  });
  tiktok.token = issued.data.access_token as string;
  return { running, tiktok };
}
