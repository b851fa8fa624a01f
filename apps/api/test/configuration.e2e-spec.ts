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
      expect.stringMatching(/^DATABASE_URL: must be a PostgreSQL URL/),
      expect.stringMatching(/^LOG_LEVEL: must be one of/),
      expect.stringMatching(/^PORT: must be an integer port number/),
      expect.stringMatching(/^PUBLIC_URL: must be an http\(s\) URL/),
    ]);
    expect(error.message).toMatch(/^Invalid configuration \(4 problems\):/);
  });
});
