import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ErrorCode, LIMITS, type FieldError } from '@parley/protocol';
import { SignalingException } from './signaling.exception.js';

function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix + error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...fieldErrors(error.children ?? [], `${field}.`)];
  });
}

/**
 * Validates every client payload against its DTO. Nest's default pipe throws an HTTP
 * exception, which means nothing inside a gateway, so failures become `invalid-message`.
 */
export const signalingValidationPipe = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => {
    // Only the first few: the frame budget bounds the list, but a reply must stay small.
    const all = fieldErrors(errors);
    const details = all.slice(0, LIMITS.maxErrorDetails);
    const more = all.length > details.length ? ` and ${all.length - details.length} more` : '';
    const fields = details.map((d) => d.field.slice(0, 64)).join(', ');
    return new SignalingException(ErrorCode.InvalidMessage, `Invalid message: check ${fields || 'the payload'}${more}`, details);
  },
});
