import { InvalidEnvironmentError } from '@conduit/config';
import { AppModule } from '../src/app.module';

describe('API configuration', () => {
  it('refuses to boot with every invalid variable listed in one message', async () => {
    Object.assign(process.env, {
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      PUBLIC_URL: 'ftp://x',
      DATABASE_URL: 'sqlite://x',
    });
    const attempt = AppModule.forRoot({ envFile: false });
    await expect(attempt).rejects.toBeInstanceOf(InvalidEnvironmentError);
    const error = (await attempt.catch((caught: unknown) => caught)) as InvalidEnvironmentError;
    expect([...error.problems].sort()).toEqual([
      expect.stringMatching(/^CONDUIT_ENCRYPTION_KEYS: is required when DATABASE_URL is set/),
      expect.stringMatching(/^DATABASE_URL: must be a PostgreSQL URL/),
      expect.stringMatching(/^LOG_LEVEL: must be one of/),
      expect.stringMatching(/^PORT: must be an integer port number/),
      expect.stringMatching(/^PUBLIC_URL: must be an http\(s\) URL/),
    ]);
    expect(error.message).toMatch(/^Invalid configuration \(5 problems\):/);
  });

  it('checks the TikTok app settings and the encryption keys, quoting no secret', async () => {
    const leakedKey = 'k1:c2hvcnQ=';
    Object.assign(process.env, {
      PORT: '3000',
      LOG_LEVEL: 'info',
      PUBLIC_URL: '',
      DATABASE_URL: '',
      TIKTOK_APP_ID: 'my-app',
      TIKTOK_API_BASE_URL: 'not a url',
      CONDUIT_ENCRYPTION_KEYS: leakedKey,
    });
    const error = (await AppModule.forRoot({ envFile: false }).catch(
      (caught: unknown) => caught,
    )) as InvalidEnvironmentError;
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    expect([...error.problems].sort()).toEqual([
      expect.stringMatching(
        /^CONDUIT_ENCRYPTION_KEYS: must be comma-separated key entries .*\(got \(hidden\)\)$/,
      ),
      expect.stringMatching(/^TIKTOK_API_BASE_URL: must be an http\(s\) URL/),
      expect.stringMatching(/^TIKTOK_APP_ID: must be the numeric app id/),
      expect.stringMatching(/^TIKTOK_APP_SECRET: is required with TIKTOK_APP_ID/),
    ]);
    expect(error.message).not.toContain(leakedKey);
  });
});
