import { IpcFailure } from './ipc';

import type { ReprintReason, SupervisorConsent } from './generated';

/** 再印刷の理由 (`madoguchi_domain::ReprintReason`), the dialog's choices and a 監督者's consent. */
export type { ReasonChoice, ReprintReason, SupervisorConsent } from './generated';

/** The union's policy wants a 監督者 to approve this reprint first. */
export function needsSupervisor(error: unknown): boolean {
  return error instanceof IpcFailure && error.code === 'supervisor_approval_required';
}

/** The consent the dialog sends, or the Japanese of what is missing. */
export function consentFrom(userId: string, password: string): SupervisorConsent | string {
  if (userId.trim() === '') {
    return '監督者のユーザIDを入力してください。';
  }
  if (password === '') {
    return '監督者のパスワードを入力してください。';
  }
  return { user_id: userId.trim(), password };
}

/** The shell refused a second print without a reason: ask for one. */
export function needsReprintReason(error: unknown): boolean {
  return error instanceof IpcFailure && error.code === 'reprint_reason_required';
}

/** The reason the dialog sends, or the Japanese of what is missing. */
export function reasonFrom(code: string, text: string): ReprintReason | string {
  switch (code) {
    case 'damaged':
    case 'misprint':
    case 'lost':
      return { code };
    case 'other': {
      const t = text.trim();
      if (t.length === 0) {
        return 'その他の理由を記入してください。';
      }
      if (Array.from(t).length > 200) {
        return '理由は200文字以内で記入してください。';
      }
      return { code: 'other', text: t };
    }
    default:
      return '再印刷の理由を選んでください。';
  }
}
