/**
 * The default OAuth return page: what the person in the browser reads after consenting at the
 * provider. It speaks to that person in plain words; what an application would call (the API) is
 * secondary, under "Technical details". Self-contained: inline CSS, no script, no external asset.
 */

export interface OAuthResultQuery {
  authorizationId?: string;
  status?: string;
  error?: string;
  message?: string;
}

export interface OAuthResultPage {
  httpStatus: number;
  html: string;
}

const START_AGAIN =
  'Go back to the application that sent you here and connect the account again: it will open a new link.';

/** What to tell a person for each failure code of the callback (see `OAuthFailureCode`). */
const ADVICE: Record<string, string> = {
  STATE_MISSING: `This link did not come from Conduit, or part of it is missing. ${START_AGAIN}`,
  STATE_INVALID: `This link did not come from Conduit, or it was changed on the way. ${START_AGAIN}`,
  STATE_EXPIRED: `This link expired before access was granted. ${START_AGAIN}`,
  STATE_ALREADY_USED: `This link was already used, or a newer one replaced it. ${START_AGAIN}`,
  CONSENT_DENIED: `Access was not granted. If that was not intended, ${START_AGAIN.charAt(0).toLowerCase()}${START_AGAIN.slice(1)}`,
  CODE_MISSING: `The provider sent you back without the code Conduit needs. ${START_AGAIN}`,
  PROVIDER_REJECTED: `The provider refused the connection (the details below say why). Once that is fixed: ${START_AGAIN.charAt(0).toLowerCase()}${START_AGAIN.slice(1)}`,
  PROVIDER_UNAVAILABLE: `The provider could not be reached to finish the connection. Try again in a few minutes: ${START_AGAIN.charAt(0).toLowerCase()}${START_AGAIN.slice(1)}`,
  PROVIDER_NOT_CONFIGURED:
    'This Conduit is not set up to connect accounts of this provider. Ask the people who run it.',
};

/** Failures that change nothing on an account that is connected: a replayed or outdated link. */
const HARMLESS_ON_CONNECTED = new Set(['STATE_ALREADY_USED', 'STATE_EXPIRED']);

export function renderOAuthResult(query: OAuthResultQuery): OAuthResultPage {
  const { authorizationId, status, error, message } = query;
  const connected = status === 'AUTHENTICATED';
  if (!error && connected) {
    return page(
      200,
      'ok',
      'Account connected',
      ['Conduit can now use this account. You can close this window.'],
      {
        authorizationId,
        status,
      },
    );
  }
  if (connected && HARMLESS_ON_CONNECTED.has(error ?? '')) {
    return page(
      200,
      'ok',
      'Account already connected',
      [
        'This account is already connected to Conduit; this link was an old one, so nothing changed. You can close this window.',
      ],
      { authorizationId, status, error, message },
    );
  }
  const lines = [ADVICE[error ?? ''] ?? `The connection did not complete. ${START_AGAIN}`];
  if (connected) lines.push('The account stays connected as it was before: it still works.');
  return page(400, 'failed', 'The account was not connected', lines, {
    authorizationId,
    status,
    error,
    message,
    ...(authorizationId && error !== 'PROVIDER_NOT_CONFIGURED'
      ? { api: `POST /authorizations/${authorizationId}/reauthorize returns a new authorize URL.` }
      : {}),
  });
}

const STYLE = `
  :root { color-scheme: light dark; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f5f7;
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; }
  main { max-width: 34rem; margin: 1.5rem; padding: 2rem 2.25rem; background: #fff; border-radius: 12px;
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.12); border-top: 6px solid var(--accent); }
  .ok { --accent: #1a7f37; } .failed { --accent: #cf222e; }
  h1 { margin: 0 0 0.75rem; font-size: 1.4rem; }
  p { margin: 0 0 0.75rem; }
  details { margin-top: 1.25rem; font-size: 0.85rem; color: #59636e; }
  summary { cursor: pointer; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.75rem; margin: 0.5rem 0 0; }
  dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
  code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
  @media (prefers-color-scheme: dark) {
    body { background: #0d1117; color: #e6edf3; } main { background: #161b22; } details { color: #9198a1; }
  }`;

const DETAIL_LABELS: Record<string, string> = {
  authorizationId: 'Authorization',
  status: 'Status',
  error: 'Error code',
  message: 'Message',
  api: 'API',
};

function page(
  httpStatus: number,
  tone: 'ok' | 'failed',
  title: string,
  lines: string[],
  details: Record<string, string | undefined>,
): OAuthResultPage {
  const rows = Object.entries(details)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length > 0)
    .map(([key, value]) => `<dt>${DETAIL_LABELS[key]}</dt><dd><code>${escapeHtml(value)}</code></dd>`)
    .join('');
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>Conduit: ${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><main class="${tone}"><h1>${escapeHtml(title)}</h1>` +
    lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('') +
    (rows ? `<details><summary>Technical details</summary><dl>${rows}</dl></details>` : '') +
    '</main></body></html>';
  return { httpStatus, html };
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] as string,
  );
}
