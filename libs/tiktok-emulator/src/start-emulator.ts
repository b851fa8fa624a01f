import { DEFAULT_EMULATOR_OPTIONS, type EmulatorOptions } from './emulator.options';
import { TikTokEmulator } from './tiktok-emulator';

export interface RunningEmulator {
  emulator: TikTokEmulator;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The TikTok API base, e.g. http://127.0.0.1:41234/open_api/v1.3 */
  apiBaseUrl: string;
  /**
   * Plays the person on the consent page: clicks Confirm and returns the callback URL TikTok would
   * redirect the browser to (`auth_code`, `code`, `state`).
   */
  confirmConsent(input: { state: string; appId?: string; redirectUri?: string }): Promise<URL>;
  close(): Promise<void>;
}

/** Starts an emulator on a free loopback port: what every spec that needs "TikTok" calls. */
export async function startTikTokEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const emulator = new TikTokEmulator(options);
  const url = await emulator.listen(0, '127.0.0.1');
  const defaultApp = emulator.options.apps[0] ?? DEFAULT_EMULATOR_OPTIONS.apps[0];
  return {
    emulator,
    url,
    apiBaseUrl: `${url}/open_api/v1.3`,
    confirmConsent: async ({ state, appId = defaultApp.appId, redirectUri = defaultApp.redirectUris[0] }) => {
      const response = await fetch(`${url}/portal/auth/confirm`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ app_id: appId, state, redirect_uri: redirectUri }).toString(),
        redirect: 'manual',
      });
      const location = response.headers.get('location');
      if (response.status !== 302 || !location)
        throw new Error(
          `The consent page refused to confirm (HTTP ${response.status}): ${await response.text()}`,
        );
      return new URL(location);
    },
    close: () => emulator.close(),
  };
}
