import {
  DEFAULT_META_EMULATOR_OPTIONS,
  startMetaEmulator,
  type MetaEmulatorOptions,
  type RunningMetaEmulator,
} from '../src';
import { GraphHttp } from './graph-http';

export const APP = DEFAULT_META_EMULATOR_OPTIONS.apps[0];
export const REDIRECT_URI = APP.redirectUris[0];
/** The default account with the custom-audience terms accepted, and the one without. */
export const [ACCOUNT, ACCOUNT_WITHOUT_TERMS] = DEFAULT_META_EMULATOR_OPTIONS.adAccounts.map(
  (account) => account.id,
);

/** Generous limits: suites that are not about throttling never meet it. */
export const GENEROUS = {
  throttle: { ...DEFAULT_META_EMULATOR_OPTIONS.throttle, customAudienceCalls: 1_000_000 },
};

/** Logs in through the dialog, exchanges the code, then swaps the token for a long-lived one. */
export async function logIn(running: RunningMetaEmulator, scope?: string): Promise<string> {
  const callback = await running.answerDialog({ state: 'state-1', scope });
  const graph = new GraphHttp(running.url);
  const short = await graph.get('/oauth/access_token', {
    client_id: APP.appId,
    client_secret: APP.secret,
    redirect_uri: REDIRECT_URI,
    code: callback.searchParams.get('code'),
  });
  const long = await graph.get('/oauth/access_token', {
    grant_type: 'fb_exchange_token',
    client_id: APP.appId,
    client_secret: APP.secret,
    fb_exchange_token: short.body.access_token,
  });
  return long.body.access_token as string;
}

/** An emulator plus a client holding a long-lived token with ads_management. */
export async function startAuthorized(
  options: Partial<MetaEmulatorOptions> = {},
): Promise<{ running: RunningMetaEmulator; graph: GraphHttp }> {
  const running = await startMetaEmulator({ ...GENEROUS, ...options });
  const graph = new GraphHttp(running.url, await logIn(running));
  return { running, graph };
}

/** Creates a customer-list audience in `account` and returns its id. */
export async function createAudience(
  graph: GraphHttp,
  name = 'VIP buyers',
  account = ACCOUNT,
): Promise<string> {
  const created = await graph.post(`/act_${account}/customaudiences`, {
    name,
    subtype: 'CUSTOM',
    description: 'From Conduit',
    customer_file_source: 'USER_PROVIDED_ONLY',
  });
  if (created.status !== 200) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}
