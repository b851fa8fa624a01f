import { createHash } from 'node:crypto';
import { TikTokCode, xorDigest, type RunningEmulator } from '../src';
import { ADVERTISER, OTHER_ADVERTISER, startAuthorized } from './emulator-fixture';
import { ManualClock } from './manual-clock';
import { sha256Values, type TikTokHttp } from './tiktok-http';

const lines = (values: string[]) => `${values.join('\n')}\n`;

describe('TikTok emulator: customer-file audiences', () => {
  let running: RunningEmulator;
  let tiktok: TikTokHttp;

  beforeAll(async () => {
    ({ running, tiktok } = await startAuthorized({
      rateLimit: { perSecond: 1000, perMinute: 100_000 },
      processingDelayMs: 60_000,
      minAudienceSizeAfterUpdate: 5,
      minValidAudienceSize: 1,
      maxAudiencesPerAdvertiser: 6,
      maxFileBytes: 64 * 1024,
    }));
  });

  afterAll(() => running.close());

  async function upload(values: string[], advertiserId = ADVERTISER): Promise<string> {
    const answer = await tiktok.upload(advertiserId, lines(values));
    expect(answer).toMatchObject({ code: 0 });
    expect(answer.data.file_path).toMatch(/^[0-9a-f]{16}$/);
    return answer.data.file_path as string;
  }

  async function create(
    name: string,
    filePaths: string[],
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const answer = await tiktok.post('/dmp/custom_audience/create/', {
      advertiser_id: ADVERTISER,
      custom_audience_name: name,
      calculate_type: 'EMAIL_SHA256',
      file_paths: filePaths,
      ...extra,
    });
    expect(answer).toMatchObject({ code: 0 });
    return answer.data.custom_audience_id as string;
  }

  const inspect = (audienceId: string) => tiktok.admin('GET', `/audiences/${audienceId}`);
  /** TikTok changes an audience's members only once it is processed: these specs skip the wait. */
  const processed = () => running.emulator.finishProcessing();

  describe('file upload', () => {
    it('keeps the identifiers of a file whose MD5 matches', async () => {
      const values = sha256Values(10, 'upload');
      const filePath = await upload([...values, values[0].toUpperCase(), 'not-a-hash']);
      expect(await tiktok.admin('GET', `/files/${filePath}`)).toMatchObject({
        advertiser_id: ADVERTISER,
        calculate_type: 'EMAIL_SHA256',
        lines: 12,
        invalid_values: 1,
        values: { EMAIL_SHA256: 11 },
      });
    });

    it('refuses a wrong signature (40900), a bad extension (40908), an empty file (40906) and a file too large (40907)', async () => {
      const content = lines(sha256Values(3, 'sig'));
      expect(
        await tiktok.upload(ADVERTISER, content, {
          signature: createHash('md5').update('other').digest('hex'),
        }),
      ).toMatchObject({
        code: TikTokCode.FILE_SIGNATURE_MISMATCH,
      });
      expect(await tiktok.upload(ADVERTISER, content, { fileName: 'audience.xlsx' })).toMatchObject({
        code: TikTokCode.FILE_TYPE_INVALID,
      });
      expect(await tiktok.upload(ADVERTISER, '')).toMatchObject({ code: TikTokCode.FILE_EMPTY });
      expect(await tiktok.upload(ADVERTISER, 'a'.repeat(65 * 1024))).toMatchObject({
        code: TikTokCode.FILE_TOO_LARGE,
      });
      expect(await tiktok.upload(ADVERTISER, 'hello\nworld\n')).toMatchObject({
        code: TikTokCode.FILE_CONTENT_INVALID,
      });
    });

    it('validates the multipart fields against the spec (40002 naming the field)', async () => {
      const answer = await tiktok.upload(ADVERTISER, lines(sha256Values(2)), { calculateType: 'SHA1' });
      expect(answer.code).toBe(TikTokCode.PARAM_INVALID);
      expect(answer.message).toMatch(/calculate_type: must be one of/);
    });

    it('needs a token valid for the advertiser', async () => {
      const withoutToken = await fetch(`${running.url}/open_api/v1.3/dmp/custom_audience/file/upload/`, {
        method: 'POST',
        body: new FormData(),
      });
      expect(((await withoutToken.json()) as { code: number }).code).toBe(TikTokCode.PARAM_INVALID);
      expect(await tiktok.upload('7299999999999999999', lines(sha256Values(2)))).toMatchObject({
        code: TikTokCode.NO_PERMISSION,
      });
    });

    it('parses MULTIPLE_TYPES files with a header, and refuses ragged rows', async () => {
      const [email, phone] = [sha256Values(2, 'email'), sha256Values(2, 'phone')];
      const good = `email_SHA256,PHONE_sha256\n${email[0]},${phone[0]}\n${email[1]},\n,${phone[1]}\n`;
      const answer = await tiktok.upload(ADVERTISER, good, { calculateType: 'MULTIPLE_TYPES' });
      expect(answer.code).toBe(0);
      expect(await tiktok.admin('GET', `/files/${answer.data.file_path}`)).toMatchObject({
        values: { EMAIL_SHA256: 2, PHONE_SHA256: 2 },
      });
      const ragged = `email_SHA256,phone_SHA256\n${email[0]}\n`;
      expect(await tiktok.upload(ADVERTISER, ragged, { calculateType: 'MULTIPLE_TYPES' })).toMatchObject({
        code: TikTokCode.FILE_CONTENT_INVALID,
        message: 'row 2 has 1 fields but the header has 2',
      });
    });
  });

  describe('create / update with set semantics', () => {
    it('creates an audience holding every distinct identifier once', async () => {
      const values = sha256Values(20, 'create');
      const first = await upload(values.slice(0, 12));
      const second = await upload(values.slice(8));
      const audienceId = await create('Spring buyers', [first, second]);
      expect(audienceId).toMatch(/^\d{19}$/);
      const stored = await inspect(audienceId);
      expect(stored).toMatchObject({
        size: 20,
        identifiers: { EMAIL_SHA256: { count: 20, digest: xorDigest(values) } },
      });
    });

    it('APPENDs (union), REMOVEs (difference) and REPLACEs (new set)', async () => {
      const base = sha256Values(10, 'ops');
      const extra = sha256Values(15, 'ops').slice(5);
      const audienceId = await create('Set arithmetic', [await upload(base)]);
      const update = (action: string, filePaths: string[]) => {
        processed();
        return tiktok.post('/dmp/custom_audience/update/', {
          advertiser_id: ADVERTISER,
          custom_audience_id: audienceId,
          action,
          file_paths: filePaths,
        });
      };

      expect(await update('APPEND', [await upload(extra)])).toMatchObject({
        code: 0,
        data: { custom_audience_id: audienceId },
      });
      const union = [...new Set([...base, ...extra])];
      expect(await inspect(audienceId)).toMatchObject({
        size: 15,
        identifiers: { EMAIL_SHA256: { count: 15, digest: xorDigest(union) } },
      });

      const removed = base.slice(0, 4);
      expect(
        await update('REMOVE', [await upload([...removed, sha256Values(1, 'absent')[0]])]),
      ).toMatchObject({ code: 0 });
      const afterRemove = union.filter((value) => !removed.includes(value));
      expect(await inspect(audienceId)).toMatchObject({
        size: 11,
        identifiers: { EMAIL_SHA256: { digest: xorDigest(afterRemove) } },
      });

      const replacement = sha256Values(7, 'replacement');
      expect(await update('REPLACE', [await upload(replacement)])).toMatchObject({ code: 0 });
      expect(await inspect(audienceId)).toMatchObject({
        size: 7,
        identifiers: { EMAIL_SHA256: { count: 7, digest: xorDigest(replacement) } },
      });
    });

    it('refuses an update that would leave fewer users than the minimum, changing nothing', async () => {
      const values = sha256Values(6, 'minimum');
      const audienceId = await create('Minimum', [await upload(values)]);
      processed();
      const answer = await tiktok.post('/dmp/custom_audience/update/', {
        advertiser_id: ADVERTISER,
        custom_audience_id: audienceId,
        action: 'REMOVE',
        file_paths: [await upload(values.slice(0, 3))],
      });
      expect(answer.code).toBe(TikTokCode.PARAM_INVALID);
      expect(answer.message).toMatch(/would hold 3 users, below the minimum of 5/);
      expect(await inspect(audienceId)).toMatchObject({
        size: 6,
        identifiers: { EMAIL_SHA256: { digest: xorDigest(values) } },
      });
    });

    it('defaults to REPLACE, renames, and keeps a history', async () => {
      const audienceId = await create('History', [await upload(sha256Values(5, 'history'))]);
      processed();
      await tiktok.post('/dmp/custom_audience/update/', {
        advertiser_id: ADVERTISER,
        custom_audience_id: audienceId,
        file_paths: [await upload(sha256Values(6, 'next'))],
        custom_audience_name: 'History v2',
      });
      const details = await tiktok.get('/dmp/custom_audience/get/', {
        advertiser_id: ADVERTISER,
        custom_audience_ids: [audienceId],
      });
      expect(details.code).toBe(0);
      expect(details.data.list[0].audience_details).toMatchObject({
        audience_id: audienceId,
        name: 'History v2',
        calculate_type: 'EMAIL_SHA256',
        is_valid: false,
        msg: 'Processing',
      });
      expect(details.data.list[0].audience_history.map((entry: { action: string }) => entry.action)).toEqual([
        'RENAME',
        'REPLACE',
        'CREATE',
      ]);
      expect(details.data.list[0].audience_history[1]).toMatchObject({
        size_after: 6,
        opt_time: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      });
    });

    it('enforces file ownership and calculate_type consistency', async () => {
      const foreign = await upload(sha256Values(5, 'foreign'), OTHER_ADVERTISER);
      const missing = await tiktok.post('/dmp/custom_audience/create/', {
        advertiser_id: ADVERTISER,
        custom_audience_name: 'Foreign file',
        calculate_type: 'EMAIL_SHA256',
        file_paths: [foreign],
      });
      expect(missing).toMatchObject({ code: TikTokCode.FILE_MISSING });
      const phones = (
        await tiktok.upload(ADVERTISER, lines(sha256Values(5, 'p')), { calculateType: 'PHONE_SHA256' })
      ).data.file_path;
      const mismatch = await tiktok.post('/dmp/custom_audience/create/', {
        advertiser_id: ADVERTISER,
        custom_audience_name: 'Mismatch',
        calculate_type: 'EMAIL_SHA256',
        file_paths: [phones],
      });
      expect(mismatch.code).toBe(TikTokCode.PARAM_INVALID);
      expect(mismatch.message).toMatch(/calculate_type mismatch/);
    });

    it("creates device-id audiences under FIRST_*, the create enum's name for MAID_*, and refuses MAID_* there", async () => {
      const maids = lines(sha256Values(5, 'maid'));
      const upload = (calculateType: string) => tiktok.upload(ADVERTISER, maids, { calculateType });
      // The upload endpoint knows both names (same TikTok value); the create endpoint only FIRST_*.
      const first = (await upload('FIRST_SHA256')).data.file_path as string;
      expect((await upload('MAID_SHA256')).code).toBe(0);
      const createWith = (calculateType: string) =>
        tiktok.post('/dmp/custom_audience/create/', {
          advertiser_id: ADVERTISER,
          custom_audience_name: `Devices ${calculateType}`,
          calculate_type: calculateType,
          file_paths: [first],
        });
      for (const refused of ['MAID_SHA256', 'MAID_MD5']) {
        expect(await createWith(refused)).toMatchObject({
          code: TikTokCode.PARAM_INVALID,
          message: expect.stringMatching(
            /^calculate_type: must be one of EMAIL_SHA256, FIRST_MD5, FIRST_SHA256,/,
          ),
        });
      }
      const created = await createWith('FIRST_SHA256');
      expect(created.code).toBe(0);
      const audienceId = created.data.custom_audience_id as string;
      expect(await inspect(audienceId)).toMatchObject({
        calculate_type: 'FIRST_SHA256',
        identifiers: { FIRST_SHA256: { count: 5 } },
      });
      // The specs below count this advertiser's audiences.
      await tiktok.post('/dmp/custom_audience/delete/', {
        advertiser_id: ADVERTISER,
        custom_audience_ids: [audienceId],
      });
    });

    it('validates names, retention and the number of files (40002 naming the field)', async () => {
      const filePath = await upload(sha256Values(5, 'validation'));
      const attempt = (extra: Record<string, unknown>) =>
        tiktok.post('/dmp/custom_audience/create/', {
          advertiser_id: ADVERTISER,
          custom_audience_name: 'ok',
          calculate_type: 'EMAIL_SHA256',
          file_paths: [filePath],
          ...extra,
        });
      expect((await attempt({ custom_audience_name: '' })).message).toMatch(
        /custom_audience_name: must NOT have fewer than 1 characters/,
      );
      expect((await attempt({ custom_audience_name: 'n'.repeat(129) })).message).toMatch(
        /custom_audience_name: must NOT have more than 128/,
      );
      expect((await attempt({ retention_in_days: 0 })).message).toMatch(/retention_in_days: must be >= 1/);
      expect((await attempt({ retention_in_days: 366 })).message).toMatch(
        /retention_in_days: must be <= 365/,
      );
      expect((await attempt({ file_paths: Array(501).fill(filePath) })).message).toMatch(
        /file_paths: must NOT have more than 500 items/,
      );
      expect((await attempt({ advertiser_id: undefined })).message).toMatch(/advertiser_id: is required/);
    });
  });

  describe('list, get, delete, limits, processing', () => {
    it('lists with pagination, newest first', async () => {
      const page = await tiktok.get('/dmp/custom_audience/list/', {
        advertiser_id: ADVERTISER,
        page: 1,
        page_size: 2,
      });
      expect(page.code).toBe(0);
      expect(page.data.page_info).toMatchObject({ page: 1, page_size: 2, total_number: expect.any(Number) });
      expect(page.data.list).toHaveLength(2);
      expect(page.data.list[0]).toEqual(
        expect.objectContaining({
          audience_id: expect.any(String),
          name: expect.any(String),
          cover_num: 0,
          is_valid: false,
          calculate_type: 'EMAIL_SHA256',
          audience_type: 'Customer File',
        }),
      );
      const total = page.data.page_info.total_number as number;
      const all = await tiktok.get('/dmp/custom_audience/list/', {
        advertiser_id: ADVERTISER,
        page_size: 100,
      });
      expect(all.data.list).toHaveLength(total);
      expect(page.data.list[0].audience_id).toBe(all.data.list[0].audience_id);
    });

    it('refuses a create beyond the per-advertiser audience limit, then accepts it after a delete', async () => {
      const filePath = await upload(sha256Values(5, 'limit'));
      let created: string[] = [];
      for (;;) {
        const answer = await tiktok.post('/dmp/custom_audience/create/', {
          advertiser_id: ADVERTISER,
          custom_audience_name: 'Limit',
          calculate_type: 'EMAIL_SHA256',
          file_paths: [filePath],
        });
        if (answer.code !== 0) {
          expect(answer.code).toBe(TikTokCode.PARAM_INVALID);
          expect(answer.message).toMatch(/maximum is 6/);
          break;
        }
        created = [...created, answer.data.custom_audience_id];
      }
      expect(
        await tiktok.post('/dmp/custom_audience/delete/', {
          advertiser_id: ADVERTISER,
          custom_audience_ids: created,
        }),
      ).toMatchObject({ code: 0 });
      expect(
        await tiktok.get('/dmp/custom_audience/get/', {
          advertiser_id: ADVERTISER,
          custom_audience_ids: [created[0]],
        }),
      ).toMatchObject({ code: TikTokCode.NOT_FOUND });
      expect(
        await tiktok.post('/dmp/custom_audience/delete/', {
          advertiser_id: ADVERTISER,
          custom_audience_ids: ['1'],
        }),
      ).toMatchObject({ code: TikTokCode.NOT_FOUND });
      const again = await create('After delete', [filePath]);
      expect(
        await tiktok.post('/dmp/custom_audience/delete/', {
          advertiser_id: ADVERTISER,
          custom_audience_ids: [again],
        }),
      ).toMatchObject({ code: 0 });
    });

    it('becomes valid after processing, with a deterministic matched count', async () => {
      const values = sha256Values(200, 'valid');
      const audienceId = await create('Valid soon', [await upload(values)]);
      await tiktok.admin('POST', '/audiences/finish-processing');
      const details = await tiktok.get('/dmp/custom_audience/get/', {
        advertiser_id: ADVERTISER,
        custom_audience_ids: [audienceId],
      });
      const expectedMatched = values.filter(
        (value) => parseInt(value.slice(2, 4), 16) < Math.round(0.8 * 256),
      ).length;
      expect(details.data.list[0].audience_details).toMatchObject({
        is_valid: true,
        cover_num: expectedMatched,
        msg: '',
      });
    });

    it("cannot see another advertiser's audiences", async () => {
      const audienceId = await create('Private', [await upload(sha256Values(5, 'private'))]);
      expect(
        await tiktok.get('/dmp/custom_audience/get/', {
          advertiser_id: OTHER_ADVERTISER,
          custom_audience_ids: [audienceId],
        }),
      ).toMatchObject({ code: TikTokCode.NOT_FOUND });
    });
  });

  describe('processing', () => {
    it('refuses to change the members of an audience it is still processing (40002), renames it, and edits it once processed', async () => {
      const clock = new ManualClock();
      const slow = await startAuthorized({ clock, processingDelayMs: 60_000, minAudienceSizeAfterUpdate: 1 });
      try {
        const uploadTo = async (label: string) =>
          (await slow.tiktok.upload(ADVERTISER, lines(sha256Values(3, label)))).data.file_path as string;
        const created = await slow.tiktok.post('/dmp/custom_audience/create/', {
          advertiser_id: ADVERTISER,
          custom_audience_name: 'Busy',
          calculate_type: 'EMAIL_SHA256',
          file_paths: [await uploadTo('busy')],
        });
        const audienceId = created.data.custom_audience_id as string;
        const update = async (body: Record<string, unknown>) =>
          slow.tiktok.post('/dmp/custom_audience/update/', {
            advertiser_id: ADVERTISER,
            custom_audience_id: audienceId,
            ...body,
          });
        const refusal = {
          code: TikTokCode.PARAM_INVALID,
          message:
            'The custom audience is not editable while it is processing. Please try again after processing completes.',
          data: {},
        };

        for (const action of ['APPEND', 'REPLACE', 'REMOVE'])
          expect(await update({ action, file_paths: [await uploadTo(action)] })).toMatchObject(refusal);
        expect(await update({ custom_audience_name: 'Busy, renamed' })).toMatchObject({ code: 0 });
        clock.advance(59_999);
        expect(await update({ action: 'APPEND', file_paths: [await uploadTo('early')] })).toMatchObject(
          refusal,
        );
        const history = () =>
          (slow.running.emulator.inspectAudiences()[0]['history'] as { action: string }[]).map(
            (entry) => entry.action,
          );
        expect(history()).toEqual(['CREATE', 'RENAME']);

        clock.advance(1);
        expect(await update({ action: 'APPEND', file_paths: [await uploadTo('late')] })).toMatchObject({
          code: 0,
        });
        // Each change starts processing anew.
        expect(await update({ action: 'APPEND', file_paths: [await uploadTo('again')] })).toMatchObject(
          refusal,
        );
        clock.advance(60_000);
        expect(await update({ action: 'APPEND', file_paths: [await uploadTo('again')] })).toMatchObject({
          code: 0,
        });
        expect(history()).toEqual(['CREATE', 'RENAME', 'APPEND', 'APPEND']);
      } finally {
        await slow.running.close();
      }
    });
  });

  describe('envelope and paths', () => {
    it('answers unknown paths and paths without the trailing slash with HTTP 404', async () => {
      expect(
        (await fetch(`${running.url}/open_api/v1.3/dmp/custom_audience/list?advertiser_id=${ADVERTISER}`))
          .status,
      ).toBe(404);
      expect((await fetch(`${running.url}/open_api/v1.3/nope/`)).status).toBe(404);
    });

    it('answers as a spec alters it, and as TikTok documents once the alteration is removed', async () => {
      running.emulator.alterAnswers((path, data) => {
        if (path !== '/user/info/') return data;
        const { core_user_id: _omitted, ...rest } = data;
        return rest;
      });
      try {
        const altered = await tiktok.get('/user/info/');
        expect(altered).toMatchObject({ code: 0, data: { display_name: 'Emulated TikTok user' } });
        expect(altered.data).not.toHaveProperty('core_user_id');
        // Only the path the alteration picks changes.
        expect((await tiktok.get('/dmp/custom_audience/list/', { advertiser_id: ADVERTISER })).code).toBe(0);
      } finally {
        running.emulator.alterAnswers(undefined);
      }
      expect((await tiktok.get('/user/info/')).data).toHaveProperty('core_user_id', '7400000000000000001');
    });

    it('answers API errors with HTTP 200 and the envelope', async () => {
      const response = await fetch(`${running.url}/open_api/v1.3/dmp/custom_audience/create/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{oops',
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        code: TikTokCode.PARAM_INVALID,
        message: 'The request body is not valid JSON.',
        request_id: expect.any(String),
        data: {},
      });
    });
  });
});
