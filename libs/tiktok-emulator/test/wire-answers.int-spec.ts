import {
  compileWire,
  WIRE_ACCESS_TOKEN_ANSWER_SCHEMA,
  WIRE_ADVERTISER_INFO_ANSWER_SCHEMA,
  WIRE_AUDIENCE_GET_ANSWER_SCHEMA,
  WIRE_AUDIENCE_ID_ANSWER_SCHEMA,
  WIRE_AUDIENCE_LIST_ANSWER_SCHEMA,
  WIRE_AUTHORIZED_ADVERTISERS_ANSWER_SCHEMA,
  WIRE_FILE_UPLOAD_ANSWER_SCHEMA,
  WIRE_NOTHING_REQUIRED_SCHEMA,
  type WireCheck,
} from '@conduit/destinations-tiktok-wire';
import type { RunningEmulator } from '../src';
import { ADVERTISER, APP, startAuthorized } from './emulator-fixture';
import { sha256Values, type TikTokHttp } from './tiktok-http';

const UPLOAD = '/dmp/custom_audience/file/upload/';
const CREATE = '/dmp/custom_audience/create/';

/** The `data` of a successful answer, checked against the schema the connector checks it with. */
function expectAnswer<T>(check: WireCheck<T>, answer: { code: number; data: unknown }): T {
  expect(answer).toMatchObject({ code: 0 });
  const valid = check(answer.data);
  expect(check.lastProblem).toBeUndefined();
  expect(valid).toBe(true);
  return answer.data as T;
}

describe('TikTok emulator: answers match the shared wire schemas', () => {
  let running: RunningEmulator;
  let tiktok: TikTokHttp;

  beforeAll(async () => {
    ({ running, tiktok } = await startAuthorized({
      rateLimit: { perSecond: 1000, perMinute: 100_000 },
      processingDelayMs: 0,
      minValidAudienceSize: 1,
      minAudienceSizeAfterUpdate: 1,
    }));
  });

  afterAll(() => running.close());

  it('answers every route the connector calls with what the connector requires', async () => {
    const callback = await running.confirmConsent({ state: 'wire' });
    expectAnswer(
      compileWire(WIRE_ACCESS_TOKEN_ANSWER_SCHEMA),
      await tiktok.post('/oauth2/access_token/', {
        app_id: APP.appId,
        secret: APP.secret,
        auth_code: callback.searchParams.get('auth_code'),
      }),
    );
    expectAnswer(
      compileWire(WIRE_AUTHORIZED_ADVERTISERS_ANSWER_SCHEMA),
      await tiktok.get('/oauth2/advertiser/get/', { app_id: APP.appId, secret: APP.secret }),
    );
    expectAnswer(compileWire(WIRE_NOTHING_REQUIRED_SCHEMA), await tiktok.get('/user/info/'));
    expectAnswer(
      compileWire(WIRE_ADVERTISER_INFO_ANSWER_SCHEMA),
      await tiktok.get('/advertiser/info/', { advertiser_ids: [ADVERTISER] }),
    );
    const { file_path: filePath } = expectAnswer(
      compileWire(WIRE_FILE_UPLOAD_ANSWER_SCHEMA),
      await tiktok.upload(ADVERTISER, sha256Values(3, 'wire').join('\n')),
    );
    const { custom_audience_id: audienceId } = expectAnswer(
      compileWire(WIRE_AUDIENCE_ID_ANSWER_SCHEMA),
      await tiktok.post(CREATE, {
        advertiser_id: ADVERTISER,
        custom_audience_name: 'Wire shapes',
        calculate_type: 'EMAIL_SHA256',
        file_paths: [filePath],
      }),
    );
    running.emulator.finishProcessing();
    const second = expectAnswer(
      compileWire(WIRE_FILE_UPLOAD_ANSWER_SCHEMA),
      await tiktok.upload(ADVERTISER, sha256Values(3, 'wire-2').join('\n')),
    );
    expectAnswer(
      compileWire(WIRE_AUDIENCE_ID_ANSWER_SCHEMA),
      await tiktok.post('/dmp/custom_audience/update/', {
        advertiser_id: ADVERTISER,
        custom_audience_id: String(audienceId),
        action: 'APPEND',
        file_paths: [second.file_path],
      }),
    );
    const listed = expectAnswer(
      compileWire(WIRE_AUDIENCE_LIST_ANSWER_SCHEMA),
      await tiktok.get('/dmp/custom_audience/list/', { advertiser_id: ADVERTISER }),
    );
    expect(listed.list).toHaveLength(1);
    const got = expectAnswer(
      compileWire(WIRE_AUDIENCE_GET_ANSWER_SCHEMA),
      await tiktok.get('/dmp/custom_audience/get/', {
        advertiser_id: ADVERTISER,
        custom_audience_ids: [String(audienceId)],
      }),
    );
    expect(got.list[0].audience_details.audience_id).toBe(audienceId);
    expectAnswer(
      compileWire(WIRE_NOTHING_REQUIRED_SCHEMA),
      await tiktok.post('/dmp/custom_audience/delete/', {
        advertiser_id: ADVERTISER,
        custom_audience_ids: [String(audienceId)],
      }),
    );
  });

  it('a missingFields answer leaves out exactly what the schemas require', async () => {
    running.emulator.scheduleFault({ path: UPLOAD, outcome: 'missingFields', times: 1 });
    const check = compileWire(WIRE_FILE_UPLOAD_ANSWER_SCHEMA);
    expect(check((await tiktok.upload(ADVERTISER, sha256Values(2, 'missing').join('\n'))).data)).toBe(false);
    expect(check.lastProblem).toEqual({ path: 'file_path', expected: 'a string' });
    running.emulator.scheduleFault({
      path: '/dmp/custom_audience/list/',
      outcome: 'missingFields',
      times: 1,
    });
    const list = compileWire(WIRE_AUDIENCE_LIST_ANSWER_SCHEMA);
    expect(list((await tiktok.get('/dmp/custom_audience/list/', { advertiser_id: ADVERTISER })).data)).toBe(
      false,
    );
  });
});
