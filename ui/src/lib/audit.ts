/** One entry of a terminal's audit chain, as the union collected it. */
export interface CollectedAuditEntry {
  terminal_id: string;
  entry: {
    seq: number;
    hash: string;
    event: {
      at: string;
      terminal: string;
      user: string;
      operation: string;
      target: string | null;
      purpose: string | null;
      outcome: { result: 'done' | 'refused'; code?: string };
    };
  };
}

/** The union's answer to a search. */
export interface AuditSearchResponse {
  entries: CollectedAuditEntry[];
  truncated: boolean;
}

/** A continuity flag (gap, edit, reordering …) of a terminal's chain. */
export interface AuditChainFlag {
  id: number;
  at: string;
  terminal_id: string;
  kind: string;
  expected_seq: number;
  found_seq: number | null;
  message_ja: string;
}

/** Where an export was written. */
export interface ExportedReport {
  dir: string;
  files: string[];
  matched: number;
}

/** The search form as typed. */
export interface AuditSearchForm {
  user_id: string;
  insured_number: string;
  from: string;
  to: string;
  operation: string;
}

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
export function outcomeLabel(o: { result: string; code?: string }): string {
  return o.result === 'done' ? '実施' : `拒否（${o.code ?? '-'}）`;
}
