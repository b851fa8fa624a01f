import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IS_PUBLIC } from '../src/auth/public.decorator';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One documented operation, as the matrix suites iterate them. */
export interface DocumentedOperation {
  /** `Controller_method`, from the document's operationIdFactory. */
  id: string;
  method: HttpMethod;
  /** The OpenAPI template, e.g. `/destinations/{destinationId}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** The body type the operation reads, if any. */
  body?: 'json' | 'multipart';
  /** The documented success status (its first 2xx response). */
  successStatus: number;
  /** True when the operation lists no security requirement (nothing asks for an API key). */
  open: boolean;
}

const METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document, in document order. */
export function documentedOperations(document: OpenAPIObject): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => {
      const operation = item[method] as OperationObject;
      const parameters = (operation.parameters ?? []) as ParameterObject[];
      const content = Object.keys(
        (operation.requestBody as { content?: Record<string, unknown> } | undefined)?.content ?? {},
      );
      return {
        id: operation.operationId as string,
        method,
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        body: content.includes('multipart/form-data')
          ? 'multipart'
          : content.includes('application/json')
            ? 'json'
            : undefined,
        successStatus: Number(Object.keys(operation.responses).find((status) => /^2\d\d$/.test(status))),
        open: (operation.security ?? []).length === 0,
      };
    }),
  );
}

/** `/a/{x}/b` with `x` filled by `value(name)` (each value URL-encoded). */
export function fillPath(template: string, value: (param: string) => string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(value(name)));
}

/** A route as Nest registered it, in the document's `/a/{x}` form. */
export interface RegisteredRoute {
  method: HttpMethod;
  path: string;
  /** Marked @Public(): the API-key guard lets it through. */
  public: boolean;
}

/**
 * Every controller route of the booted app, read from the decorators rather than from the document, so
 * a route hidden from the docs (`@ApiExcludeEndpoint`) or marked @Public() cannot escape the suites.
 */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const seen = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        routes.push({
          method: method.toLowerCase() as HttpMethod,
          path: `/${[prefix, path]
            .map((part) => part.replace(/^\/+|\/+$/g, ''))
            .filter(Boolean)
            .join('/')}`.replace(/:(\w+)/g, '{$1}'),
          public: Boolean(
            Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, controller),
          ),
        });
      }
    }
  }
  return routes;
}
