import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, ConnectionError } from 'slonik';
import { DatabaseUnreachableError, EvaluatorError } from '../errors.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  '57P01',
  '57P02',
  '57P03',
  '28P01',
  '28000',
  '3D000',
]);
/** The codes of a failure worth another try: the server may still be starting. */
const RETRYABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', '57P03']);
/** Node's codes for a server certificate that TLS verification refused. */
const CERTIFICATE_REFUSED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The reason of {@link DatabaseUnreachableError} when the server wants a password and none was given. */
export const PASSWORD_REQUIRED = 'the server asks for a password; set it in DATABASE_URL or PGPASSWORD';

/** Thrown by the probe's password callback: the server asked for a password, and none is configured. */
export class PasswordRequired extends Error {}

/** Every string `code` along the error's chain of causes, outermost first (`pg`, Node and slonik errors carry one). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** The first string `code` along the error's chain of causes (`pg`, Node and slonik errors carry one). */
export function errorCode(error: unknown): string | undefined {
  return errorCodes(error)[0];
}

/**
 * True when the server refused a connection because a connection limit was
 * reached (the role's `CONNECTION LIMIT`, the database's, or `max_connections`):
 * SQLSTATE 53300 anywhere along the error's chain of causes.
 */
export function isConnectionLimit(error: unknown): boolean {
  return errorCodes(error).includes('53300');
}

function errorMessages(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
  return messages.join(' | ');
}

/**
 * Maps a lost or refused connection, from `pg` or slonik, to
 * {@link DatabaseUnreachableError} (exit 4); anything else is returned as is.
 * A server that asks for a password none was given for, one that refuses TLS
 * when `sslmode` asks for it, and a server certificate that verification
 * refuses get a sentence that says what to set. The message names the target
 * by `description` only, so no password leaks.
 */
export function asUnreachable(error: unknown, description: string): unknown {
  if (error instanceof EvaluatorError) return error;
  const code = errorCode(error);
  const messages = errorMessages(error);
  const unreachable = (reason: string) =>
    new DatabaseUnreachableError(`database unreachable at ${description}: ${reason}`, { cause: error });
  if (error instanceof PasswordRequired || messages.includes('client password must be a string')) return unreachable(PASSWORD_REQUIRED);
  if (messages.includes('The server does not support SSL connections')) {
    return unreachable(
      'the server does not accept TLS, but sslmode (in DATABASE_URL or PGSSLMODE) asks for it: enable TLS on the server, or use sslmode=disable on a network you trust',
    );
  }
  if (code && CERTIFICATE_REFUSED.has(code)) {
    const reason = error instanceof Error ? error.message : String(error);
    return unreachable(
      `the server's TLS certificate was refused (${reason}; ${code}): give the root certificate of its authority in sslrootcert or PGSSLROOTCERT`,
    );
  }
  const lost =
    error instanceof BackendTerminatedError || error instanceof BackendTerminatedUnexpectedlyError || error instanceof ConnectionError;
  if (!lost && !(code && UNREACHABLE.has(code))) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return unreachable(`${reason}${code ? ` (${code})` : ''}`);
}

/** True when a failed connection is worth another try (refused, unresolved, timed out, server starting). */
export function isRetryable(code: string | undefined): code is string {
  return code !== undefined && RETRYABLE.has(code);
}
