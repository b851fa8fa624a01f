import { EventEmitter } from 'node:events';
import { reportConnectionTrouble, TROUBLE_REPORT_EVERY_MS } from './connection-trouble';

function watched() {
  const connection = new EventEmitter();
  const lines: string[] = [];
  let clock = 1_000_000;
  reportConnectionTrouble(
    connection,
    'Redis for the job queue',
    { warn: (line: string) => lines.push(`warn ${line}`), log: (line: string) => lines.push(`log ${line}`) },
    () => clock,
  );
  return {
    lines,
    fail: (message = 'connect ECONNREFUSED 127.0.0.1:6379') => connection.emit('error', new Error(message)),
    ready: () => connection.emit('ready'),
    advance: (ms: number) => (clock += ms),
  };
}

describe('reportConnectionTrouble', () => {
  it('reports the first error at once, then one line a minute counting the retries in between', () => {
    const redis = watched();
    redis.fail();
    for (let retry = 0; retry < 30; retry++) {
      redis.advance(1000);
      redis.fail();
    }
    expect(redis.lines).toEqual([
      'warn Redis for the job queue: connect ECONNREFUSED 127.0.0.1:6379; retrying',
    ]);
    redis.advance(TROUBLE_REPORT_EVERY_MS - 30_000);
    redis.fail('connect ETIMEDOUT');
    expect(redis.lines).toEqual([
      'warn Redis for the job queue: connect ECONNREFUSED 127.0.0.1:6379; retrying',
      'warn Redis for the job queue: connect ETIMEDOUT; retrying (30 more errors since the last report)',
    ]);
  });

  it('says when the connection is back, after how long, and reports the next outage at once', () => {
    const redis = watched();
    redis.ready();
    expect(redis.lines).toEqual([]);
    redis.fail();
    redis.advance(12_400);
    redis.fail();
    redis.ready();
    redis.advance(5_000);
    redis.fail('Connection is closed.');
    expect(redis.lines).toEqual([
      'warn Redis for the job queue: connect ECONNREFUSED 127.0.0.1:6379; retrying',
      'log Redis for the job queue: connected again after 12 s',
      'warn Redis for the job queue: Connection is closed; retrying',
    ]);
  });
});
