import { invoke } from '@tauri-apps/api/core';

/** 回線 state as the Rust side reports it (`LineState` in src-tauri, snake_case). */
export type LineState = 'unknown' | 'online' | 'offline';

/** What the counter screen knows before anyone signs in (`AppInfo` in src-tauri). */
export interface AppInfo {
  version: string;
  /** 研修モード: the terminal runs against the embedded training union with synthetic residents. */
  training_mode: boolean;
  line_state: LineState;
}

const LINE_STATE_LABELS: Record<LineState, string> = {
  unknown: '未確認',
  online: '接続中',
  offline: '切断',
};

/** The Japanese label staff see next to 回線. */
export function lineStateLabel(state: LineState): string {
  return LINE_STATE_LABELS[state];
}

function isLineState(value: unknown): value is LineState {
  return value === 'unknown' || value === 'online' || value === 'offline';
}

/**
 * Asks the app shell for its state. The answer is checked rather than trusted: a malformed answer is an
 * error, never a silently wrong banner.
 */
export async function loadAppInfo(): Promise<AppInfo> {
  const raw: unknown = await invoke('app_info');
  if (typeof raw !== 'object' || raw === null) {
    throw new Error('app_info: not an object');
  }
  const { version, training_mode, line_state } = raw as Record<string, unknown>;
  if (
    typeof version !== 'string' ||
    typeof training_mode !== 'boolean' ||
    !isLineState(line_state)
  ) {
    throw new Error('app_info: unexpected shape');
  }
  return { version, training_mode, line_state };
}
