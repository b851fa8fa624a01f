import { IsOptional, IsString } from 'class-validator';
import { InvalidEnvironmentError, validateEnv } from './validate-env';
import { IsLogLevel, IsOptionalPostgresUrl, IsPort, type LogLevel } from './env-decorators';

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
}

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
});
