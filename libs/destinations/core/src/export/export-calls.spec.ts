import { RateLimitedError } from '../errors/destination-errors';
import type { ExportMilestone } from '../provider/destination-provider';
import { cancelledExport } from './chunked-export';
import { ExportCalls, pauseUnlessCancelled, retryingMilestone } from './export-calls';
import { describeDuration, describeInvalid, formatCount } from './export-messages';

const POLICY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('ExportCalls', () => {
  it("tells each retry to the log of the export the call serves, and only that export's", async () => {
    const calls = new ExportCalls(POLICY);
    const logs: Record<string, ExportMilestone[]> = { a: [], b: [] };
    const flaky = () => {
      let failures = 1;
      return async () => {
        if (failures-- > 0) throw new RateLimitedError('Throttled.', 1);
        return 'ok';
      };
    };
    const reporter = (name: 'a' | 'b') => ({
      checkpoint: async () => undefined,
      milestone: (milestone: ExportMilestone) => void logs[name].push(milestone),
    });
    const [a, b] = await Promise.all([
      calls.during(reporter('a'), () => calls.call(flaky())),
      calls.during(reporter('b'), async () => {
        expect(calls.reporter).toBeDefined();
        return 'quiet';
      }),
    ]);
    expect([a, b]).toEqual(['ok', 'quiet']);
    expect(logs.a.map((milestone) => milestone.type)).toEqual(['RETRYING']);
    expect(logs.a[0]?.message).toMatch(/^Throttled\. Trying again in \d ms \(attempt 2 of 3\)\.$/);
    expect(logs.a[0]?.data).toMatchObject({ attempt: 1, kind: 'RATE_LIMITED' });
    expect(logs.b).toEqual([]);
    // Outside an export, calls still retry; nothing is logged and no reporter is at hand.
    await expect(calls.call(flaky())).resolves.toBe('ok');
    expect(calls.reporter).toBeUndefined();
  });

  it('stops retrying when shouldRetry says so, with the error of the last attempt', async () => {
    const calls = new ExportCalls(POLICY);
    let attempts = 0;
    const failure = new RateLimitedError('Throttled.', 1);
    await expect(
      calls.call(
        async () => {
          attempts++;
          throw failure;
        },
        (_error, attempt) => attempt < 2,
      ),
    ).rejects.toBe(failure);
    expect(attempts).toBe(2);
  });
});

describe('export messages', () => {
  it('writes counts and durations as people read them', () => {
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect([40, 1500, 90_000, 21_600_000, 5_700_000].map(describeDuration)).toEqual([
      '40 ms',
      '1.5 s',
      '1.5 min',
      '6 h',
      '1.6 h',
    ]);
    expect(describeInvalid({ read: 1200, valid: 0, invalid: {}, duplicates: 0, uploaded: 0 })).toBe(
      '1,200 rows read',
    );
    expect(
      describeInvalid({ read: 3, valid: 0, invalid: { MALFORMED: 2, EMPTY: 1 }, duplicates: 0, uploaded: 0 }),
    ).toBe('3 rows read; rejected: 2 MALFORMED, 1 EMPTY');
  });

  it('says what failed, when the next try is and which it is, with the error kind', () => {
    expect(retryingMilestone(new RateLimitedError('Meta throttled.'), 2, 5, 90_000)).toEqual({
      type: 'RETRYING',
      message: 'Meta throttled. Trying again in 1.5 min (attempt 3 of 5).',
      data: { attempt: 2, delayMs: 90_000, kind: 'RATE_LIMITED' },
    });
    expect(retryingMilestone('socket hang up', 1, 5, 10).data).toEqual({ attempt: 1, delayMs: 10 });
  });
});

describe('pauseUnlessCancelled', () => {
  it('sleeps, and fails as a cancelled export when the export is cancelled meanwhile', async () => {
    const started = Date.now();
    await pauseUnlessCancelled(20, undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    await expect(pauseUnlessCancelled(60_000, controller.signal)).rejects.toEqual(cancelledExport());
  });
});
