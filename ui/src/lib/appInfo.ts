import { call } from './ipc';
import { isLineState } from './display';
import type { AppInfo, StartupState, TerminalErrorCode, TrainingAccount } from './generated';

export type { LineState } from './types';
export { lineLabel as lineStateLabel } from './display';

/** How far the start got, and what the counter screen knows before anyone signs in (generated). */
export type { AppInfo, StartupState } from './generated';

/** The training accounts of the answer, keeping only well-formed entries (none outside 研修モード). */
function trainingAccounts(value: unknown): TrainingAccount[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(
    (a): a is TrainingAccount =>
      typeof a === 'object' &&
      a !== null &&
      typeof (a as Record<string, unknown>).user_id === 'string' &&
      typeof (a as Record<string, unknown>).display_name === 'string' &&
      typeof (a as Record<string, unknown>).password === 'string',
  );
}

function isStartup(value: unknown): value is StartupState {
  return value === 'starting' || value === 'ready' || value === 'failed';
}

/**
 * Asks the app shell for its state. The answer is checked rather than trusted: a malformed answer is an
 * error, never a silently wrong banner.
 */
export async function loadAppInfo(): Promise<AppInfo> {
  const raw: unknown = await call('app_info');
  if (typeof raw !== 'object' || raw === null) {
    throw new Error('app_info: not an object');
  }
  const {
    version,
    training_mode,
    line_state,
    startup,
    error,
    idle_lock_seconds,
    terminal_revoked,
    training_accounts,
  } = raw as Record<string, unknown>;
  if (
    typeof version !== 'string' ||
    typeof training_mode !== 'boolean' ||
    !isLineState(line_state) ||
    !isStartup(startup) ||
    typeof idle_lock_seconds !== 'number'
  ) {
    throw new Error('app_info: unexpected shape');
  }
  const info: AppInfo = {
    version,
    training_mode,
    line_state,
    startup,
    idle_lock_seconds,
    terminal_revoked: terminal_revoked === true,
    training_accounts: trainingAccounts(training_accounts),
  };
  if (typeof error === 'object' && error !== null) {
    const { code, message_ja } = error as Record<string, unknown>;
    if (typeof code === 'string' && typeof message_ja === 'string') {
      // The shell only sends `TerminalErrorCode` values (IpcError's generated type).
      info.error = { code: code as TerminalErrorCode, message_ja };
    }
  }
  return info;
}
