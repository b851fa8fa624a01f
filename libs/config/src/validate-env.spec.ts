import { randomBytes } from 'node:crypto';
import { IsOptional, IsString } from 'class-validator';
import { InvalidEnvironmentError, validateEnv } from './validate-env';
import { IsEncryptionKeys, IsLogLevel, IsOptionalPostgresUrl, IsPort, type LogLevel } from './env-decorators';

class SampleEnv {
  @IsPort()
  PORT = 3000;

  @IsOptionalPostgresUrl()
  DATABASE_URL?: string;

  @IsLogLevel()
  LOG_LEVEL: LogLevel = 'info';

  @IsOptional()
  @IsString()
  API_SECRET?: string;

  @IsEncryptionKeys()
  ENCRYPTION_KEYS?: string;
}

const problemsOf = (raw: Record<string, unknown>): readonly string[] => {
  try {
    validateEnv(SampleEnv, raw);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems;
    throw error;
  }
  return [];
};

describe('validateEnv', () => {
  it('applies defaults when variables are absent or blank', () => {
    const env = validateEnv(SampleEnv, { PORT: '', UNRELATED: 'x' });
    expect(env).toMatchObject({ PORT: 3000, LOG_LEVEL: 'info' });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('parses and keeps valid values', () => {
    const env = validateEnv(SampleEnv, {
      PORT: '8080',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/conduit',
      LOG_LEVEL: 'debug',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/conduit',
      LOG_LEVEL: 'debug',
    });
  });

  it('reports every invalid variable in one error', () => {
    let caught: unknown;
    try {
      validateEnv(SampleEnv, { PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEnvironmentError);
    const problems = (caught as InvalidEnvironmentError).problems;
    expect(problems.some((p) => p.startsWith('PORT: must be an integer port number'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL: must be a PostgreSQL URL'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL: must be one of fatal, error'))).toBe(true);
    expect((caught as Error).message).toContain('Invalid configuration (');
  });

  it('never echoes the value of a secret-looking variable', () => {
    expect(() => validateEnv(SampleEnv, { API_SECRET: 42 as unknown as string })).toThrow(
      /API_SECRET: .*\(got \(hidden\)\)/,
    );
  });

  describe('IsEncryptionKeys', () => {
    const key = (bytes = 32) => randomBytes(bytes).toString('base64');

    it('accepts id:key entries in standard or url-safe base64, and an absent value', () => {
      const spec = ` new:${key()} , old:${randomBytes(32).toString('base64url')},`;
      expect(validateEnv(SampleEnv, { ENCRYPTION_KEYS: spec }).ENCRYPTION_KEYS).toBe(spec);
      expect(validateEnv(SampleEnv, {}).ENCRYPTION_KEYS).toBeUndefined();
    });

    it('names every bad entry without echoing a key', () => {
      const good = key();
      const short = key(16);
      const problems = problemsOf({
        ENCRYPTION_KEYS: `a:${good},a:${good},${good},b:${short},c:not base64!`,
      });
      expect(problems).toEqual([
        'ENCRYPTION_KEYS: must be comma-separated key entries "id:<base64 of 32 bytes>", the current key first ' +
          '(entry 2 ("a"): the key id is used twice; ' +
          'entry 3: must start with a key id (1-32 letters, digits, - or _) and a colon; ' +
          'entry 4 ("b"): the key must be 32 bytes of base64, got 16 bytes; ' +
          'entry 5 ("c"): the key must be 32 bytes of base64, got 0 bytes); ' +
          'generate one with `npm run conduit -- keys:generate` (got (hidden))',
      ]);
      expect(problems.join()).not.toContain(good);
      expect(problems.join()).not.toContain(short);
    });

    it('refuses a blank list and a value that is not a string', () => {
      expect(problemsOf({ ENCRYPTION_KEYS: ' , ' })).toEqual([
        expect.stringContaining('the current key first (no entry given);'),
      ]);
      expect(problemsOf({ ENCRYPTION_KEYS: 42 })).toEqual([
        expect.stringContaining('the current key first (not a string);'),
      ]);
    });
  });
});
