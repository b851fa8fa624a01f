import { DomainException, ErrorCode, type FieldProblem } from '@conduit/domain';
import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Request, Response } from 'express';
import { allowedMethods } from './allowed-methods';
import { bodyParserException } from './body-parser-errors';
import { ERROR_STATUS, reasonPhrase } from './error-status';
import { requestId } from './request-id';
import type { ErrorResponseDto } from './error-response.dto';

interface Problem {
  code: ErrorCode;
  message: string;
  details?: readonly FieldProblem[];
  /** A 405's `Allow` header: the methods the path offers. */
  allow?: readonly string[];
}

/** The one place where failures become HTTP answers, all in the `ErrorResponseDto` shape. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception, request);
    const statusCode = ERROR_STATUS[problem.code];
    if (statusCode >= 500) {
      this.logger.error({ err: exception, code: problem.code }, 'Request failed');
    }
    if (statusCode === HttpStatus.UNAUTHORIZED) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="conduit"');
    }
    if (problem.allow) response.setHeader('Allow', problem.allow.join(', '));
    const body: ErrorResponseDto = {
      statusCode,
      error: reasonPhrase(statusCode),
      code: problem.code,
      message: problem.message,
      ...(problem.details && problem.details.length > 0 ? { details: [...problem.details] } : {}),
      // Body-parser failures happen before the logger middleware assigns an id: mint one then.
      requestId: String(request.id ?? requestId(request, response)),
    };
    response.status(statusCode).json(body);
  }

  private toProblem(exception: unknown, request: Request): Problem {
    if (exception instanceof DomainException) {
      return { code: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      return this.fromHttpException(exception, request);
    }
    const unreadBody = bodyParserException(exception);
    if (unreadBody) return this.toProblem(unreadBody, request);
    return {
      code: ErrorCode.INTERNAL_ERROR,
      message:
        'Something went wrong on our side. Retry later; if it persists, contact support with the request id.',
    };
  }

  private fromHttpException(exception: HttpException, request: Request): Problem {
    const status = exception.getStatus();
    const cause = exception.cause as { type?: string } | undefined;
    switch (status) {
      case HttpStatus.NOT_FOUND: {
        // No route answered: a path the API serves, asked with another method, is a 405 naming them.
        const allow = allowedMethods(this.adapterHost.httpAdapter.getInstance(), request.path);
        if (allow.length > 0 && !allow.includes(request.method)) {
          return {
            code: ErrorCode.METHOD_NOT_ALLOWED,
            message: `${request.method} is not allowed on ${request.path}; it answers ${allow.join(', ')}.`,
            allow,
          };
        }
        return {
          code: ErrorCode.ROUTE_NOT_FOUND,
          message: `No route ${request.method} ${request.path}; see /docs for the API reference.`,
        };
      }
      case HttpStatus.METHOD_NOT_ALLOWED:
        return {
          code: ErrorCode.METHOD_NOT_ALLOWED,
          message: `${request.method} is not allowed on ${request.path}.`,
        };
      case HttpStatus.PAYLOAD_TOO_LARGE:
        return { code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'The request body is too large.' };
      case HttpStatus.SERVICE_UNAVAILABLE:
        return {
          code: ErrorCode.SERVICE_UNAVAILABLE,
          message: 'A dependency of the service is unavailable; retry shortly.',
        };
      case HttpStatus.BAD_REQUEST:
        if (cause?.type === 'entity.parse.failed' || /JSON/i.test(exception.message)) {
          return { code: ErrorCode.MALFORMED_JSON, message: 'The request body is not valid JSON.' };
        }
        return { code: ErrorCode.VALIDATION_FAILED, message: exception.message };
      default:
        return status >= 500
          ? {
              code: ErrorCode.INTERNAL_ERROR,
              message:
                'Something went wrong on our side. Retry later; if it persists, contact support with the request id.',
            }
          : { code: ErrorCode.VALIDATION_FAILED, message: exception.message };
    }
  }
}
