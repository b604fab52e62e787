/** Distributions (配信) as the supervisor's screen sees them (protocol `distribution`, shell batch types). */

export type DistributionKind =
  | 'monthly_age_arrival'
  | 'annual_renewal'
  | 'burden_ratio_change'
  | 'qualification_file'
  | 'premium_file';

export type DistributionState = 'awaiting_union_approval' | 'released' | 'approved' | 'rejected';

export type MailClass = 'simple_registered_no_forward' | 'recorded_delivery' | 'ordinary';

export interface LedgerEntry {
  seq: number;
  distribution_id: string;
  action: {
    action: 'created' | 'regenerated' | 'union_approved' | 'approved' | 'rejected';
    reason?: string;
  };
  by: string;
  terminal_id: string;
  at: string;
  record_count: number;
  content_hash: string;
}

export interface DistributionSummary {
  distribution_id: string;
  kind: DistributionKind;
  municipality: string;
  reference_date: string;
  mail_class: MailClass;
  state: DistributionState;
  record_count: number;
  page_count: number;
  breakdown: { label: string; count: number }[];
  content_hash: string;
  created_by: string;
  created_at: string;
  union_approved_by?: string;
  decision?: LedgerEntry;
  note: string;
}

/** One sample proof: a rendered page (printed kinds) or the row as label/value pairs (files). */
export interface SampleProof {
  seq: number;
  /** 「先頭」「末尾」「無作為抽出」. */
  position_ja: string;
  preview?: { data_url: string; title: string; pages: number; sample: boolean; gaiji: number };
  rows?: { label: string; value: string }[];
}

export type BatchState = 'not_started' | 'running' | 'paused' | 'stopped' | 'finished';

/** Where a batch print is (the shell's `BatchStatus`). */
export interface BatchStatus {
  state: BatchState;
  records_done: number;
  records_total: number;
  pages_spooled: number;
  /** Why it stopped (a printer fault, a page failing the pre-flight), in Japanese. */
  message_ja?: string;
}

/** The reconciliation report as lines to show and print. */
export interface BatchReport {
  lines: { label: string; value: string }[];
}

/** A file written for the operator (宛名一覧, 媒体出力). */
export interface WrittenFile {
  path: string;
  records: number;
}

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
  not_started: '未印刷',
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
