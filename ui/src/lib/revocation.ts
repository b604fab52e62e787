import type { TerminalErrorCode } from './generated';

/**
 * A revoked terminal (証明書の失効): the union no longer trusts this terminal's certificate, so the shell
 * has stopped the counter and wiped the terminal's saved data. The screen says so and nothing else.
 */

/** What staff read (the same text the shell uses). */
export const TERMINAL_REVOKED_JA =
  'この端末の証明書は失効しています。情報システム管理者に連絡してください。';

/** The shell's error code when a request met the revocation. */
export const TERMINAL_REVOKED_CODE: TerminalErrorCode = 'terminal_revoked';

/** Whether a `terminal-status` event (`{state: 'active' | 'revoked', wiped?}`) says revoked. */
export function isRevokedStatus(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>).state === 'revoked'
  );
}
