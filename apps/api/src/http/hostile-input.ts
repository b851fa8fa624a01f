import { DomainException, ErrorCode, type FieldProblem } from '@conduit/domain';
import type { NextFunction, Request, Response } from 'express';

/** Deepest nesting of objects and arrays a JSON body may have; no operation reads more than 4. */
export const JSON_BODY_MAX_DEPTH = 32;

/** A reported field path is cut here: a key may be as long as the body. */
const MAX_REPORTED_PATH = 200;

interface Pending {
  value: unknown;
  path: string;
  /** How many objects or arrays enclose this value. */
  depth: number;
}

/**
 * Express middleware, after the JSON parser: refuses (400) what no operation accepts and what would
 * otherwise fail deep inside: a NUL character anywhere (databases refuse it in text, SQLite with an
 * "unrecognized token"), a body nested deeper than `JSON_BODY_MAX_DEPTH` (the validation pipe recurses
 * and would overflow the stack) and a `__proto__` key (assigning it replaces an object's prototype).
 */
export function refuseHostileInput(request: Request, _response: Response, next: NextFunction): void {
  const problem =
    pathProblem(request.path) ?? findHostileValue(request.query, 'query') ?? bodyProblem(request);
  if (!problem) {
    next();
    return;
  }
  next(
    new DomainException(
      ErrorCode.VALIDATION_FAILED,
      `The request is invalid: ${problem.field} ${problem.message}.`,
      [problem],
    ),
  );
}

/** Express hands path parameters over decoded: `%00` would reach a handler as a NUL character. */
function pathProblem(path: string): FieldProblem | undefined {
  return /%00/i.test(path) ? nulProblem('path') : undefined;
}

function bodyProblem(request: Request): FieldProblem | undefined {
  const body: unknown = request.body;
  return typeof body === 'object' && body !== null ? findHostileValue(body, '') : undefined;
}

/**
 * The first hostile spot in a parsed JSON value, its field path dotted like the validation pipe's
 * (`keyColumns.0.column`). Walks with an explicit stack: a recursive walk is what a deep body breaks.
 */
export function findHostileValue(root: unknown, rootPath: string): FieldProblem | undefined {
  const pending: Pending[] = [{ value: root, path: rootPath, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string') {
      if (value.includes('\0')) return nulProblem(path || 'body');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= JSON_BODY_MAX_DEPTH) {
      return {
        field: reported(path),
        rule: 'maxDepth',
        message: `is nested deeper than ${JSON_BODY_MAX_DEPTH} levels of objects and arrays`,
      };
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\0')) return nulProblem(childPath);
      if (key === '__proto__') {
        return { field: reported(childPath), rule: 'reservedKey', message: 'is a reserved key; remove it' };
      }
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

function nulProblem(path: string): FieldProblem {
  return {
    field: reported(path),
    rule: 'noNulCharacter',
    message: 'contains a NUL character (\\u0000), which no field accepts',
  };
}

function reported(path: string): string {
  return path.length > MAX_REPORTED_PATH ? `${path.slice(0, MAX_REPORTED_PATH)}…` : path;
}
