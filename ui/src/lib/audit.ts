/** The 監査ログ screen's wire types (generated from `madoguchi_protocol::audit_chain` and the counter). */
import { warekiDateTime } from './display';
import type { AuditOutcome } from './generated';

export type {
  AuditChainFlag,
  AuditSearchForm,
  AuditSearchResponse,
  CollectedAuditEntry,
  ExportedReport,
} from './generated';

/** Japan time, to the second, the date in 和暦: 令和8年11月21日 09:05:03 (issue 14 #9). */
export const jstTime = warekiDateTime;

/** 実施 or 拒否, in words; the refusal's code goes to the details column ({@link outcomeDetail}). */
export function outcomeLabel(o: AuditOutcome): string {
  return o.result === 'done' ? '実施' : '拒否';
}

/** The refusal's code, for the details column only. */
export function outcomeDetail(o: AuditOutcome): string {
  return o.result === 'done' ? '' : o.code;
}

/** What a target's kind is called at the counter (the prefix before `:` in the audit chain's target). */
const TARGET_KINDS: Record<string, string> = {
  resident: '被保険者',
  queue: '受付',
  document: '証書',
  distribution: '配信',
  roster: 'オフライン名簿',
  staff: '職員',
  'ended-by-union': '広域連合によるサインアウト',
  password: 'パスワード',
  'audit-log': '監査ログ',
  'audit-report': '監査報告',
  'audit-flags': '監査ログの連続性',
  'staff-list': '職員一覧',
};

/** What a target's action says at the counter (the words after the id). */
const TARGET_ACTIONS: Record<string, string> = {
  issued: '交付',
  returned: '回収',
  closed: '完了',
  correction: '訂正',
  'reprint-approval': '再印刷の承認',
};

/**
 * The 対象 of an audit line in clerk words (issue 14 #9): 「受付 19 訂正」, 「証書 回収」, 「職員 t.sato」. Opaque ids
 * (UUIDs) are left to the details column; an unknown target says nothing here and stays in the details.
 */
export function targetLabel(target: string | null | undefined): string {
  if (!target) {
    return '';
  }
  const words = target.split(' ');
  const head = words[0] ?? '';
  const colon = head.indexOf(':');
  const kind = colon < 0 ? head : head.slice(0, colon);
  const id = colon < 0 ? '' : head.slice(colon + 1);
  const name = TARGET_KINDS[kind];
  if (name === undefined) {
    return '';
  }
  const opaque = /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(id);
  const shown = opaque ? '' : id;
  const actions: string[] = words
    .slice(1)
    .map((w) => TARGET_ACTIONS[w.split(':')[0] ?? ''] ?? '')
    .filter((w) => w !== '');
  const suffix = kind === 'roster' && shown !== '' ? `${shown}件` : shown;
  return [name, suffix, ...actions].filter((w) => w !== '').join(' ');
}
