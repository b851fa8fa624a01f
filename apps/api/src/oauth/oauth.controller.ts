import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator';
import { OAuthCallbackService } from './oauth-callback.service';

@ApiTags('Authorizations')
@Controller('oauth')
export class OAuthController {
  constructor(private readonly callbacks: OAuthCallbackService) {}

  @Get('callback/:provider')
  @Public()
  @ApiOperation({
    summary: 'OAuth redirect URI (browser only)',
    description:
      "The provider sends the account owner's browser here after consent. Authenticated by the signed, " +
      'single-use `state` (not by an API key). Redirects (303) to the return URL with `authorizationId`, ' +
      '`status`, and on failure `error` (a stable code) and `message`.',
  })
  @ApiResponse({
    status: 303,
    description: 'Redirect (See Other) to the return URL with the outcome in the query.',
  })
  async callback(@Param('provider') provider: string, @Req() request: Request, @Res() response: Response) {
    await this.callbacks.handle(provider, request, response);
  }

  /** The default return page: tells the person in the browser how it went. */
  @Get('result')
  @Public()
  @ApiExcludeEndpoint()
  result(@Query() query: Record<string, unknown>, @Res() response: Response): void {
    const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 500) : '');
    const ok = !query['error'] && text(query['status']) === 'AUTHENTICATED';
    const title = ok ? 'Account connected' : 'The account was not connected';
    const detail = ok
      ? `Authorization ${text(query['authorizationId'])} is AUTHENTICATED. You can close this window.`
      : `${text(query['message']) || 'The authorization did not complete.'} (${text(query['error'])})`;
    response
      .status(ok ? 200 : 400)
      .type('html')
      .setHeader('Content-Security-Policy', "default-src 'none'")
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conduit: ${escapeHtml(title)}</title></head>` +
          `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>`,
      );
  }
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] as string,
  );
}
