import { startHeartbeat } from './heartbeat';

describe('startHeartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('beats on every interval until stopped', async () => {
    const beat = jest.fn().mockResolvedValue(undefined);
    const stop = startHeartbeat(1000, beat, () => undefined);
    await jest.advanceTimersByTimeAsync(999);
    expect(beat).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(2001);
    expect(beat).toHaveBeenCalledTimes(3);
    stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(beat).toHaveBeenCalledTimes(3);
  });

  it('skips a beat while the previous one is still in flight', async () => {
    let release: () => void = () => undefined;
    const beat = jest.fn(() => new Promise<void>((resolve) => (release = resolve)));
    const stop = startHeartbeat(1000, beat, () => undefined);
    await jest.advanceTimersByTimeAsync(3000);
    expect(beat).toHaveBeenCalledTimes(1);
    release();
    await jest.advanceTimersByTimeAsync(1000);
    expect(beat).toHaveBeenCalledTimes(2);
    stop();
  });

  it('reports a failed beat and keeps beating', async () => {
    const errors: unknown[] = [];
    const beat = jest.fn().mockRejectedValueOnce(new Error('database down')).mockResolvedValue(undefined);
    const stop = startHeartbeat(1000, beat, (error) => errors.push(error));
    await jest.advanceTimersByTimeAsync(2000);
    expect(errors).toEqual([new Error('database down')]);
    expect(beat).toHaveBeenCalledTimes(2);
    stop();
  });
});
