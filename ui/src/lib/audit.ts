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
