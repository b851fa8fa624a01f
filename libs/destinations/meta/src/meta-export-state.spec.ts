import {
  CHECKPOINT_VERSION,
  freshState,
  recordSent,
  REPLACE_WINDOW_MS,
  replaceWindowPassed,
  restoreState,
  toCheckpoint,
} from './meta-export-state';

const answer = (invalid: number, samples: Record<string, string> = {}) => ({
  audience_id: '1',
  session_id: '2',
  num_received: 10,
  num_invalid_entries: invalid,
  invalid_entry_samples: samples,
});
const chunk = (sequence: number, last = false, receipt = answer(0)) => ({
  sequence,
  endRow: sequence * 10,
  values: 10,
  bytes: 700,
  last,
  receipt,
});

describe('the Meta export state', () => {
  it('starts a session with a positive id of its own, nothing sent', () => {
    const first = freshState('users');
    const second = freshState('users');
    expect(first.session.id).toBeGreaterThan(0);
    expect(Number.isSafeInteger(first.session.id)).toBe(true);
    expect(first.session.id).not.toBe(second.session.id);
    expect(first).toMatchObject({ audienceId: null, sent: { chunks: 0, throughRow: 0 }, closed: false });
  });

  it('round-trips through a checkpoint, and ignores one of another version', () => {
    const state = freshState('usersreplace');
    state.audienceId = '42';
    const checkpoint = toCheckpoint(state);
    expect(checkpoint.version).toBe(CHECKPOINT_VERSION);
    expect(restoreState(JSON.parse(JSON.stringify(checkpoint)), 'usersreplace')).toEqual(state);
    expect(restoreState({ version: 99, state: {} }, 'users')).toMatchObject({ audienceId: null });
    expect(restoreState(null, 'users').session.edge).toBe('users');
  });

  it('records accepted batches in order, Meta’s cumulative invalid count and a few masked samples', () => {
    const state = freshState('users');
    recordSent(state, chunk(1, false, answer(1, { 'raw-value': 'EMAIL' })));
    recordSent(state, chunk(2, false, answer(3, { a1: 'PHONE', b2: 'EMAIL', c3: 'EMAIL' })));
    recordSent(state, { ...chunk(3, true), receipt: undefined });
    expect(state.sent).toEqual({ throughRow: 30, chunks: 3, values: 30, bytes: 2100 });
    expect(state.closed).toBe(true);
    expect(state.invalid.count).toBe(3);
    expect(state.invalid.samples).toEqual({ 'r••-v••••': 'EMAIL', 'a•': 'PHONE', 'b•': 'EMAIL' });
  });

  it('knows when Meta has discarded a replace session: open, past its window', () => {
    const state = freshState('usersreplace');
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(replaceWindowPassed(state, now)).toBe(false);
    state.session.startedAt = new Date(now - REPLACE_WINDOW_MS).toISOString();
    expect(replaceWindowPassed(state, now)).toBe(true);
    expect(replaceWindowPassed(state, now - 1)).toBe(false);
    state.closed = true;
    expect(replaceWindowPassed(state, now)).toBe(false);
    const append = { ...freshState('users'), session: { ...state.session, edge: 'users' as const } };
    expect(replaceWindowPassed({ ...append, closed: false }, now)).toBe(false);
  });
});
