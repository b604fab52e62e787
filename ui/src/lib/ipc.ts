import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { ArgsOf, CommandName, NoArgs, ResultOf } from './commands';
import type { TerminalErrorCode } from './generated';

/** A problem with one field of a form, as the shell reports it. */
export interface FieldError {
  field: string;
  message_ja: string;
}

/**
 * The shell's error: a stable code for the screen's logic and the Japanese the clerk reads. The code is the
 * generated `TerminalErrorCode` (the terminal's codes and the union's), so comparing it with a code that
 * does not exist fails `npm run check`.
 */
export class IpcFailure extends Error {
  readonly code: TerminalErrorCode;
  readonly messageJa: string;
  readonly fields: FieldError[];

  constructor(code: TerminalErrorCode, messageJa: string, fields: FieldError[] = []) {
    super(code);
    this.name = 'IpcFailure';
    this.code = code;
    this.messageJa = messageJa;
    this.fields = fields;
  }

  /** The message for one field, if the shell named it. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message_ja;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Whatever the shell threw, as an {@link IpcFailure}: never a raw object or an English message on screen. */
export function toFailure(error: unknown): IpcFailure {
  if (error instanceof IpcFailure) {
    return error;
  }
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message_ja === 'string') {
    const fields = Array.isArray(error.fields)
      ? error.fields.filter(
          (f): f is FieldError =>
            isRecord(f) && typeof f.field === 'string' && typeof f.message_ja === 'string',
        )
      : [];
    // The shell only sends `TerminalErrorCode` values (IpcError's generated type).
    return new IpcFailure(error.code as TerminalErrorCode, error.message_ja, fields);
  }
  return new IpcFailure(
    'internal',
    '処理できませんでした。もう一度お試しください。続く場合は情報システム管理者に連絡してください。',
  );
}

/** A command's arguments as `call`'s rest parameter: none for a command without arguments. */
export type CallArgs<K extends CommandName> = ArgsOf<K> extends NoArgs ? [] : [ArgsOf<K>];

/**
 * Calls a shell command by its name in the typed map (`commands.ts`): the arguments and the result are the
 * generated Rust types. Failures always arrive as {@link IpcFailure}.
 */
export async function call<K extends CommandName>(
  cmd: K,
  ...args: CallArgs<K>
): Promise<ResultOf<K>> {
  try {
    return await invoke<ResultOf<K>>(cmd, args[0]);
  } catch (error) {
    throw toFailure(error);
  }
}

/**
 * Listens to a shell event. Returns the stop function; outside the app (tests without event mocks) it
 * quietly does nothing, since the screens also poll what matters.
 */
export async function onEvent(
  name: string,
  handler: (payload: unknown) => void,
): Promise<() => void> {
  try {
    return await listen<unknown>(name, (event) => {
      handler(event.payload);
    });
  } catch {
    return () => undefined;
  }
}
