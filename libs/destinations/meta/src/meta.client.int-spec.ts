import { ProviderApiError, RetryableError, type DestinationError } from '@conduit/destinations-core';
import {
  DEFAULT_META_EMULATOR_OPTIONS,
  startMetaEmulator,
  type FaultOutcome,
  type RunningMetaEmulator,
} from '@conduit/meta-emulator';
import { MetaClient } from './meta.client';

const APP = DEFAULT_META_EMULATOR_OPTIONS.apps[0];
const REDIRECT_URI = APP.redirectUris[0];

describe('MetaClient against the emulator: how Graph’s failures reach the taxonomy', () => {
  let running: RunningMetaEmulator;
  let client: MetaClient;
  let token: string;

  beforeAll(async () => {
    running = await startMetaEmulator({ requireAppSecretProof: true });
    client = new MetaClient({
      baseUrl: running.url,
      graphVersion: 'v25.0',
      appId: APP.appId,
      appSecret: APP.secret,
      timeoutMs: 5_000,
    });
    const callback = await running.answerDialog({ state: 's' });
    const short = await client.exchangeCode(callback.searchParams.get('code') as string, REDIRECT_URI);
    token = (await client.exchangeForLongLived(short)).accessToken;
  });

  afterAll(() => running.close());

  const failureOf = async (outcome: FaultOutcome): Promise<DestinationError> => {
    running.emulator.scheduleFault({ route: 'GET /me/adaccounts', outcome, times: 1 });
    return client.listAdAccounts(token).then(
      () => {
        throw new Error(`${outcome} did not fail`);
      },
      (error: DestinationError) => error,
    );
  };

  it.each<[FaultOutcome, RegExp]>([
    ['http5xx', /HTTP 503, no Graph answer/],
    ['serviceUnavailable200', /HTTP 200, no Graph answer/],
    ['transient', /\(2: /],
    ['drop', /could not be reached/],
    ['lostAnswer', /could not be reached|cut off/],
    ['cutBody', /cut off mid-body|not JSON/],
  ])('%s → retryable', async (outcome, message) => {
    const error = await failureOf(outcome);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('an HTML page is described, never quoted; a 20 MB body is refused at 1 MB', async () => {
    const html = await failureOf('notJson');
    expect(html).toBeInstanceOf(ProviderApiError);
    expect(html.message).toMatch(/not JSON \(HTTP 200, \d+ bytes\)/);
    const huge = await failureOf('hugeBody');
    expect(huge).toMatchObject({ retryable: false });
    expect(huge.message).toMatch(/larger than 1 MB/);
  });

  it('an answer without a field the connector acts on fails naming it, not retried', async () => {
    const error = await failureOf('missingFields');
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/GET me\/adaccounts is not as expected \(.*\)/);
  });

  it('a refused exchange says why without quoting the secret or the code', async () => {
    const error = await client.exchangeCode('AQnot-a-code', REDIRECT_URI).then(
      () => {
        throw new Error('the exchange did not fail');
      },
      (failure: DestinationError) => failure,
    );
    expect(error).toMatchObject({ kind: 'PAYLOAD_VALIDATION' });
    const text = `${JSON.stringify(error)} ${error.message}`;
    expect(text).not.toContain(APP.secret);
    expect(text).not.toContain('AQnot-a-code');
    expect(error).not.toBeInstanceOf(RetryableError);
  });

  it('follows the ad accounts’ pages', async () => {
    const many = await startMetaEmulator({
      adAccounts: Array.from({ length: 450 }, (_, index) => ({
        id: String(1300000000000000 + index),
        name: `Account ${index}`,
        termsAccepted: true,
      })),
    });
    try {
      const manyClient = new MetaClient({
        baseUrl: many.url,
        graphVersion: 'v25.0',
        appId: APP.appId,
        appSecret: APP.secret,
      });
      const callback = await many.answerDialog({ state: 's' });
      const short = await manyClient.exchangeCode(callback.searchParams.get('code') as string, REDIRECT_URI);
      const accounts = await manyClient.listAdAccounts(short);
      expect(accounts).toHaveLength(450);
      expect(accounts[449]).toEqual({ id: 'act_1300000000000449', name: 'Account 449' });
    } finally {
      await many.close();
    }
  });
});
