import { GraphApiError } from './graph-errors';
import { UploadSessions } from './upload-sessions';

const session = (sessionId: number, batchSeq: number, last = false) => ({
  session_id: sessionId,
  batch_seq: batchSeq,
  last_batch_flag: last,
});

function subcodeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof GraphApiError) return error.extra.subcode ?? error.code;
    throw error;
  }
  return undefined;
}

describe('UploadSessions: the replace rules of reference §4.6', () => {
  it('starts a replace on batch 1, then takes any batch but 1', () => {
    const sessions = new UploadSessions(1);
    expect(subcodeOf(() => sessions.forReplace('acc', 'aud', session(9, 2), ['EMAIL'], 0))).toBe(1870147);
    const started = sessions.forReplace('acc', 'aud', session(9, 1), ['EMAIL'], 0);
    expect(started).toMatchObject({ kind: 'replace', state: 'open', staged: [] });
    expect(sessions.forReplace('acc', 'aud', session(9, 7), ['EMAIL'], 0)).toBe(started);
    expect(sessions.forReplace('acc', 'aud', session(9, 7), ['EMAIL'], 0)).toBe(started);
    expect(subcodeOf(() => sessions.forReplace('acc', 'aud', session(9, 1), ['EMAIL'], 0))).toBe(1870147);
    expect(subcodeOf(() => sessions.forReplace('acc', 'aud', session(9, 2), ['PHONE'], 0))).toBe(100);
  });

  it('runs one replace per audience, but replaces of other audiences run beside it', () => {
    const sessions = new UploadSessions(1);
    sessions.forReplace('acc', 'aud', session(1, 1), ['EMAIL'], 0);
    expect(subcodeOf(() => sessions.forReplace('acc', 'aud', session(2, 1), ['EMAIL'], 0))).toBe(1870145);
    expect(sessions.forReplace('acc', 'other', session(3, 1), ['EMAIL'], 0).state).toBe('open');
    expect(sessions.activeReplace('aud')?.sessionId).toBe('1');
  });

  it('closes a replace 90 minutes after its first batch; a finished or timed-out session takes no batch', () => {
    const sessions = new UploadSessions(1);
    const finished = sessions.forReplace('acc', 'a', session(1, 1), ['EMAIL'], 0);
    finished.state = 'finished';
    expect(subcodeOf(() => sessions.forReplace('acc', 'a', session(1, 2), ['EMAIL'], 0))).toBe(1870159);
    sessions.forReplace('acc', 'b', session(2, 1), ['EMAIL'], 1000);
    const window = 90 * 60_000;
    expect(sessions.expire(1000 + window - 1, window)).toEqual([]);
    expect(sessions.expire(1000 + window, window).map((expired) => expired.sessionId)).toEqual(['2']);
    expect(subcodeOf(() => sessions.forReplace('acc', 'b', session(2, 3), ['EMAIL'], 0))).toBe(1870158);
    expect(sessions.activeReplace('b')).toBeUndefined();
  });
});

describe('UploadSessions: /users', () => {
  it('keeps an advertiser’s session across batches and assigns an id when none is given', () => {
    const sessions = new UploadSessions(1);
    const first = sessions.forUsers('acc', 'aud', 'add', session(5, 1), 0);
    expect(sessions.forUsers('acc', 'aud', 'add', session(5, 2), 0)).toBe(first);
    const assigned = sessions.forUsers('acc', 'aud', 'add', undefined, 0);
    const another = sessions.forUsers('acc', 'aud', 'add', undefined, 0);
    expect(assigned.assigned).toBe(true);
    expect(assigned.sessionId).toMatch(/^\d+$/);
    expect(another.sessionId).not.toBe(assigned.sessionId);
  });

  it('refuses a session id used by another audience or operation of the ad account', () => {
    const sessions = new UploadSessions(1);
    sessions.forUsers('acc', 'aud', 'add', session(5, 1), 0);
    expect(subcodeOf(() => sessions.forUsers('acc', 'other', 'add', session(5, 2), 0))).toBe(100);
    expect(subcodeOf(() => sessions.forUsers('acc', 'aud', 'remove', session(5, 2), 0))).toBe(100);
    // Another ad account has its own ids.
    expect(sessions.forUsers('acc-2', 'other', 'add', session(5, 1), 0).adAccountId).toBe('acc-2');
  });
});
