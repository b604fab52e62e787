/** The 監査ログ screen's wire types (generated from `madoguchi_protocol::audit_chain` and the counter). */
import type { AuditOutcome } from './generated';

export type {
  AuditChainFlag,
  AuditSearchForm,
  AuditSearchResponse,
  CollectedAuditEntry,
  ExportedReport,
} from './generated';

/** Japan time, to the second: 2026-11-21 09:05:03. */
export function jstTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return iso;
  }
  const d = new Date(t + 9 * 3600 * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getUTCFullYear())}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** 実施 or 拒否（code）. */
export function outcomeLabel(o: AuditOutcome): string {
  return o.result === 'done' ? '実施' : `拒否（${o.code}）`;
}
