import { DomainException, ErrorCode, type FieldProblem } from '@conduit/domain';
import { ValidationPipe, type ValidationError } from '@nestjs/common';

/**
 * The global pipe: DTOs are validated with class-validator, unknown fields are refused (so a typo never
 * passes silently), and every problem is reported with its field path and rule.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
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

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknownField' : rule,
      message:
        rule === 'whitelistValidation'
          ? 'is not a known field; remove it (see the API reference for the accepted fields)'
          : withoutFieldName(message, error.property),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** class-validator messages start with the property name ("name must be…"); we report it as `field`. */
function withoutFieldName(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
