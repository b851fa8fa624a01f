import { DomainException, ErrorCode, type FieldProblem } from '@conduit/domain';
import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { NOT_NULL_RULE } from './optional-not-null.decorator';

/**
 * The global pipe: DTOs are validated with class-validator, unknown fields are refused (so a typo never
 * passes silently), and every problem is reported with its field path and rule — the one that matters:
 * a missing field is `required` (not also too short and of the wrong type), a value of the wrong type
 * gets its type rule only, and a value of the right type every rule it breaks.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // Values are read here to tell a missing field from a wrong one; they never reach a response.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const summary = details
        .slice(0, 3)
        .map((problem) => `${problem.field} ${problem.message}`)
        .join('; ');
      const more = details.length > 3 ? ` (and ${details.length - 3} more)` : '';
      return new DomainException(
        ErrorCode.VALIDATION_FAILED,
        `The request is invalid: ${summary}${more}.`,
        details,
      );
    },
  });
}

/** Rules about a value's type: when one fails, the others (length, range, pattern) are noise. */
const TYPE_RULES = new Set([
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isObject',
  'isEnum',
  'isIn',
  'isDate',
  'isDateString',
  'isISO8601',
]);

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    return [...problemsOf(error, field), ...flatten(error.children ?? [], field)];
  });
}

function problemsOf(error: ValidationError, field: string): FieldProblem[] {
  const constraints = Object.entries(error.constraints ?? {});
  if (constraints.length === 0) return [];
  if (error.constraints?.['whitelistValidation']) {
    return [
      {
        field,
        rule: 'unknownField',
        message: 'is not a known field; remove it (see the API reference for the accepted fields)',
      },
    ];
  }
  const notNull = error.constraints?.[NOT_NULL_RULE];
  if (notNull) return [{ field, rule: NOT_NULL_RULE, message: notNull }];
  if (error.value === undefined || error.value === null) {
    return [{ field, rule: 'required', message: 'is required' }];
  }
  const typeRules = constraints.filter(([rule]) => TYPE_RULES.has(rule));
  return (typeRules.length > 0 ? typeRules : constraints).map(([rule, message]) => ({
    field,
    rule,
    message: withoutFieldName(message, error.property),
  }));
}

/** class-validator messages start with the property name ("name must be…"); we report it as `field`. */
function withoutFieldName(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
