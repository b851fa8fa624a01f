/** Query parameters that carry one-time secrets (OAuth codes and states): never logged. */
const SECRET_PARAMETERS = /^(code|auth_code|state|access_token|token|secret)$/i;

/** The URL as logs may show it: secret query values replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const params = new URLSearchParams(url.slice(query + 1));
  let changed = false;
  for (const key of [...new Set(params.keys())]) {
    if (SECRET_PARAMETERS.test(key)) {
      params.set(key, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, query)}?${params.toString()}` : url;
}
