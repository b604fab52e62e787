/** Distributions (配信) as the supervisor's screen sees them (protocol `distribution`, shell batch types). */

import type {
  BatchReportView,
  BatchState,
  DistributionKind,
  DistributionState,
  MailClass,
} from './generated';

export type {
  BatchState,
  BatchStatus,
  DistributionKind,
  DistributionState,
  DistributionSummary,
  LedgerEntry,
  MailClass,
  SampleProof,
  WrittenFile,
} from './generated';

/** The reconciliation report as lines to show and print (`madoguchi_application::BatchReportView`). */
export type BatchReport = BatchReportView;

export const KIND_LABELS: Record<DistributionKind, string> = {
  monthly_age_arrival: '75歳到達 資格確認書（月次）',
  annual_renewal: '一斉更新 資格確認書（8月1日）',
  burden_ratio_change: '負担割合変更通知',
  qualification_file: '資格ファイル',
  premium_file: '保険料ファイル',
};

export const STATE_LABELS: Record<DistributionState, string> = {
  awaiting_union_approval: '広域連合承認待ち',
  released: '承認待ち',
  approved: '承認済',
  rejected: '差戻し',
};

export const MAIL_CLASS_LABELS: Record<MailClass, string> = {
  simple_registered_no_forward: '簡易書留・転送不要',
  recorded_delivery: '特定記録',
  ordinary: '普通郵便',
};

export const BATCH_STATE_LABELS: Record<BatchState, string> = {
  not_started: '印刷前',
  fetching: '承認済みの内容を取得中',
  running: '印刷中',
  paused: '一時停止中',
  stopped: '停止（要確認）',
  finished: '印刷完了',
};

/** Printed and mailed (the file kinds are exported to media instead). */
export function isPrinted(kind: DistributionKind): boolean {
  return (
    kind === 'monthly_age_arrival' || kind === 'annual_renewal' || kind === 'burden_ratio_change'
  );
}

/** The 確認コード staff compare between screen, proofs and report: the first 12 hex digits. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** What the decision form lacks, in Japanese (empty when it can be sent). */
export function decisionProblems(
  decision: 'approve' | 'reject' | undefined,
  reason: string,
  password: string,
): string[] {
  const problems: string[] = [];
  if (!decision) {
    problems.push('承認または差戻しを選んでください。');
  }
  if (decision === 'reject' && reason.trim() === '') {
    problems.push('差戻しの理由を入力してください。');
  }
  if (password === '') {
    problems.push('確認のため、ご自身のパスワードを入力してください。');
  }
  return problems;
}

/** Checks the password chosen for an export: long enough, typed twice alike. */
export function exportPasswordProblems(password: string, again: string): string[] {
  const problems: string[] = [];
  if (Array.from(password).length < 12) {
    problems.push('パスワードは12文字以上にしてください。');
  }
  if (password !== again) {
    problems.push('確認用のパスワードが一致しません。');
  }
  return problems;
}

/** Checks a reprint range against what was printed, and the reason (Japanese problems, empty when fine). */
export function reprintProblems(
  first: string,
  last: string,
  reason: string,
  printed: number,
): string[] {
  const problems: string[] = [];
  const isNumber = (s: string) => /^[0-9]+$/.test(s.trim());
  if (!isNumber(first) || !isNumber(last)) {
    problems.push('通し番号を数字で入力してください。');
  } else {
    const a = Number(first);
    const b = Number(last);
    if (a < 1 || a > b || b > printed) {
      problems.push(`通し番号は1〜${String(printed)}の範囲で、（から）≦（まで）にしてください。`);
    }
  }
  if (reason.trim() === '') {
    problems.push('再印刷の理由を入力してください。');
  }
  return problems;
}
