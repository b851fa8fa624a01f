import { DEFAULT_META_EMULATOR_OPTIONS, type MetaEmulatorOptions } from './emulator.options';
import { MetaEmulator } from './meta-emulator';

export interface RunningMetaEmulator {
  emulator: MetaEmulator;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The Graph base of the default version, e.g. http://127.0.0.1:41234/v25.0 */
  graphUrl: string;
  /** The login dialog, e.g. http://127.0.0.1:41234/v25.0/dialog/oauth */
  dialogUrl: string;
  /**
   * Plays the person on the login dialog: clicks Continue (or Cancel) and returns the callback URL
   * Facebook would redirect the browser to (`code` and `state`, or `error=access_denied`).
   */
  answerDialog(input: {
    state: string;
    scope?: string;
    clientId?: string;
    redirectUri?: string;
    decision?: 'approve' | 'deny';
  }): Promise<URL>;
  close(): Promise<void>;
}

/** Starts an emulator on a free loopback port: what every spec that needs "Meta" calls. */
export async function startMetaEmulator(
  options: Partial<MetaEmulatorOptions> = {},
): Promise<RunningMetaEmulator> {
  const emulator = new MetaEmulator(options);
  const url = await emulator.listen(0, '127.0.0.1');
  const version = emulator.options.graphVersion;
  const defaultApp = emulator.options.apps[0] ?? DEFAULT_META_EMULATOR_OPTIONS.apps[0];
  return {
    emulator,
    url,
    graphUrl: `${url}/${version}`,
    dialogUrl: `${url}/${version}/dialog/oauth`,
    answerDialog: async ({
      state,
      scope = 'ads_management,ads_read',
      clientId = defaultApp.appId,
      redirectUri = defaultApp.redirectUris[0],
      decision = 'approve',
    }) => {
      const response = await fetch(`${url}/${version}/dialog/oauth/confirm`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: clientId,
          redirect_uri: redirectUri,
          state,
          scope,
          decision,
        }).toString(),
        redirect: 'manual',
      });
      const location = response.headers.get('location');
      if (response.status !== 302 || !location)
        throw new Error(`The dialog refused to answer (HTTP ${response.status}): ${await response.text()}`);
      return new URL(location);
    },
    close: () => emulator.close(),
  };
}
