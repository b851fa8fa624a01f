import { applyDecorators } from '@nestjs/common';
import { ValidateBy, ValidateIf } from 'class-validator';

/** The constraint name the validation pipe reports as the `notNull` rule. */
export const NOT_NULL_RULE = 'notNull';

/**
 * A field that may be left out but is never `null`. `@IsOptional()` lets `null` through unvalidated,
 * and a service defaulting an absent object (`overrides = {}`) then meets `null` and fails with a 500;
 * here `null` is a 400 naming the field, and every other rule still applies to a value that is sent.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object, value: unknown) => value !== undefined),
    ValidateBy({
      name: NOT_NULL_RULE,
      validator: {
        validate: (value: unknown) => value !== null,
        defaultMessage: () => 'must not be null; leave the field out instead',
      },
    }),
  );
}
