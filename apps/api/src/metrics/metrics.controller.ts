import { createHash, timingSafeEqual } from 'node:crypto';
import { ConduitMetrics, DomainException, ErrorCode } from '@conduit/domain';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import type { ApiEnv } from '../config/api.env';

/**
 * Prometheus' scrape endpoint (text format 0.0.4): no API key, as an operator's scraper has none; with
 * METRICS_TOKEN set it must send `Authorization: Bearer <token>`. Not part of the API's contract (kept
 * out of the OpenAPI document) and never rate limited: a scraper calls it every few seconds.
 */
@ApiExcludeController()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  private readonly token?: Buffer;

  constructor(
    private readonly metrics: ConduitMetrics,
    config: ConfigService<ApiEnv, true>,
  ) {
    const token = config.get('METRICS_TOKEN', { infer: true });
    this.token = token ? digest(token) : undefined;
  }

  @Get()
  @Public()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() response: Response) {
    if (this.token && !this.authorized(authorization)) {
      throw new DomainException(
        ErrorCode.UNAUTHENTICATED,
        'This endpoint needs the metrics token: send `Authorization: Bearer <METRICS_TOKEN>`.',
      );
    }
    const text = await this.metrics.text();
    // Written as is: Express's send() would reorder the content type's parameters.
    response.status(200).setHeader('Content-Type', this.metrics.contentType);
    response.setHeader('Cache-Control', 'no-store');
    response.end(text);
  }

  /** Compared as digests, in constant time: the answer's timing says nothing about the token. */
  private authorized(header: string | undefined): boolean {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    return !!match && !!this.token && timingSafeEqual(digest(match[1]), this.token);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
