import type { ApiEnv } from './api.env';

/** The base URL people reach this API at: PUBLIC_URL, else the listening address. */
export function publicUrlOf(env: Pick<ApiEnv, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  if (env.PUBLIC_URL) return env.PUBLIC_URL.replace(/\/+$/, '');
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  return `http://${host}:${env.PORT}`;
}
