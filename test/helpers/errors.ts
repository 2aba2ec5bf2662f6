import { UsageError } from '../../src/errors.js';

/**
 * The UsageError `fn` throws.
 *
 * @throws the error itself when it is not a UsageError; an Error when nothing is thrown.
 */
export function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('no error thrown');
}
