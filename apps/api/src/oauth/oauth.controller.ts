import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiDefaultResponse, ApiExcludeEndpoint, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ErrorResponseDto } from '../http/error-response.dto';
import { OAuthCallbackService } from './oauth-callback.service';
import { renderOAuthResult } from './oauth-result.page';

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
      'single-use `state` (not by an API key). Redirects (303) to the return URL with `authorizationId` and ' +
      "`status` (the authorization's status after the callback) whenever the state names one of ours, and on " +
      'failure `error` (a stable code) and `message`.',
  })
  @ApiResponse({
    status: 303,
    description: 'Redirect (See Other) to the return URL with the outcome in the query.',
    headers: {
      Location: {
        required: true,
        description:
          'The return URL with `authorizationId`, `status` and, on failure, `error` and `message`.',
        schema: { type: 'string', format: 'uri-reference' },
      },
    },
    content: { 'text/plain': { schema: { type: 'string', example: 'See Other. Redirecting to …' } } },
  })
  @ApiDefaultResponse({
    description:
      'A request no return URL can receive (e.g. a body sent to this browser redirect): the error shape.',
    type: ErrorResponseDto,
  })
  async callback(@Param('provider') provider: string, @Req() request: Request, @Res() response: Response) {
    await this.callbacks.handle(provider, request, response);
  }

  /** The default return page: tells the person in the browser how it went, in plain words. */
  @Get('result')
  @Public()
  @ApiExcludeEndpoint()
  result(@Query() query: Record<string, unknown>, @Res() response: Response): void {
    const text = (value: unknown) =>
      typeof value === 'string' && value.length > 0 ? value.slice(0, 500) : undefined;
    const { httpStatus, html } = renderOAuthResult({
      authorizationId: text(query['authorizationId']),
      status: text(query['status']),
      error: text(query['error']),
      message: text(query['message']),
    });
    response
      .status(httpStatus)
      .type('html')
      // Inline styles only: no script, no external asset, nothing else may load.
      .setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(html);
  }
}
