import type { EmulatorAdvertiser, EmulatorApp } from './emulator.options';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );

/** The permissions every emulated app holds (TikTok fixes them in the app's settings: no scope parameter). */
export const APP_PERMISSIONS = ['Ad Account Management', 'Audience Management', 'Reporting'];
export const APP_SCOPES = [4, 5, 6];

export function consentPage(
  app: EmulatorApp,
  advertisers: EmulatorAdvertiser[],
  state: string,
  redirectUri: string,
): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TikTok for Business (emulator) — authorize ${escape(app.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#161823}
h1{font-size:1.4rem}li{margin:.2rem 0}button{background:#fe2c55;color:#fff;border:0;border-radius:4px;padding:.6rem 1.4rem;font-size:1rem;cursor:pointer}
.note{color:#666;font-size:.85rem}</style></head>
<body>
<h1><strong>${escape(app.name)}</strong> wants to access your TikTok for Business account</h1>
<p>It will be able to:</p>
<ul id="permissions">${APP_PERMISSIONS.map((permission) => `<li>${escape(permission)}</li>`).join('')}</ul>
<p>for these advertiser accounts:</p>
<ul id="advertisers">${advertisers.map((advertiser) => `<li>${escape(advertiser.name)} (${escape(advertiser.advertiserId)})</li>`).join('')}</ul>
<form method="post" action="/portal/auth/confirm">
<input type="hidden" name="app_id" value="${escape(app.appId)}">
<input type="hidden" name="state" value="${escape(state)}">
<input type="hidden" name="redirect_uri" value="${escape(redirectUri)}">
<button type="submit" id="confirm">Confirm</button>
</form>
<p class="note">This is the Conduit TikTok emulator, not TikTok.</p>
</body></html>`;
}

export function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head><body><h1>Authorization error</h1><p id="error">${escape(message)}</p></body></html>`;
}
