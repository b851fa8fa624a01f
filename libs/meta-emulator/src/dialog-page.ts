import type { MetaEmulatorAdAccount, MetaEmulatorApp, MetaEmulatorUser } from './emulator.options';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );

/** Permissions the dialog knows; another name is refused as Meta does ("Invalid Scopes"). */
export const KNOWN_SCOPES = [
  'ads_management',
  'ads_read',
  'business_management',
  'read_insights',
  'public_profile',
  'email',
] as const;

export interface DialogRequest {
  app: MetaEmulatorApp;
  redirectUri: string;
  state: string;
  scopes: string[];
  version: string;
}

/** Facebook Login's consent page: who asks, for what, on which ad accounts; Continue or Cancel. */
export function consentPage(
  request: DialogRequest,
  user: MetaEmulatorUser,
  adAccounts: readonly MetaEmulatorAdAccount[],
): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escape(value)}">`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in with Facebook (emulator) — ${escape(request.app.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1c1e21}
h1{font-size:1.4rem}li{margin:.2rem 0}button{border:0;border-radius:6px;padding:.6rem 1.4rem;font-size:1rem;cursor:pointer;margin-right:.5rem}
#approve{background:#1877f2;color:#fff}#deny{background:#e4e6eb;color:#1c1e21}.note{color:#666;font-size:.85rem}</style></head>
<body>
<h1><strong>${escape(request.app.name)}</strong> is requesting access to your Facebook account</h1>
<p>Logged in as <strong id="user">${escape(user.name)}</strong>.</p>
<p>It will be able to:</p>
<ul id="scopes">${request.scopes.map((scope) => `<li>${escape(scope)}</li>`).join('')}</ul>
<p>with the ad accounts you can use:</p>
<ul id="ad-accounts">${adAccounts.map((account) => `<li>${escape(account.name)} (act_${escape(account.id)})</li>`).join('')}</ul>
<form method="post" action="/${escape(request.version)}/dialog/oauth/confirm">
${hidden('client_id', request.app.appId)}${hidden('redirect_uri', request.redirectUri)}${hidden('state', request.state)}${hidden('scope', request.scopes.join(','))}
<button type="submit" name="decision" value="approve" id="approve">Continue as ${escape(user.name)}</button>
<button type="submit" name="decision" value="deny" id="deny">Cancel</button>
</form>
<p class="note">This is the Conduit Meta emulator, not Facebook.</p>
</body></html>`;
}

export function dialogErrorPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p id="error">${escape(message)}</p></body></html>`;
}
