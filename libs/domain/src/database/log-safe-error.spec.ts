import { DriverException } from '@mikro-orm/core';
import { serializeLoggedError, withoutSqlValues } from './log-safe-error';

describe('errors as logged', () => {
  const secretHash = 'b1946ac92492d2347c6235b4d2611184';

  it('keeps a failed statement’s shape and drops its values', () => {
    const failure = new DriverException(
      new Error(
        `insert into \`api_keys\` (\`id\`, \`secret_hash\`) values ('key_01J', '${secretHash}') - SQLITE_BUSY: database is locked`,
      ),
    );
    const logged = JSON.stringify(serializeLoggedError(failure));
    expect(logged).not.toContain(secretHash);
    expect(logged).not.toContain('key_01J');
    expect(logged).toContain(
      'insert into `api_keys` (`id`, `secret_hash`) values (?, ?) - SQLITE_BUSY: database is locked',
    );
  });

  it('reads escaped quotes and hex blobs as one value', () => {
    expect(withoutSqlValues("where name = 'it''s' and blob = X'00ff'")).toBe('where name = ? and blob = ?');
  });

  it('leaves other errors to pino’s own serializer', () => {
    expect(serializeLoggedError(new Error('plain'))).toMatchObject({ type: 'Error', message: 'plain' });
  });
});
