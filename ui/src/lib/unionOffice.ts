/** 広域連合事務: the checks and wording the union staff screens share (the shell parses again). */
import type { DailyRun } from './generated';

/** Age in full years on `onIso` of someone born on `birthIso` (both ISO dates). */
export function ageOn(birthIso: string, onIso: string): number {
  const [by, bm, bd] = birthIso.split('-').map(Number);
  const [y, m, d] = onIso.split('-').map(Number);
  if ([by, bm, bd, y, m, d].some((n) => n === undefined || Number.isNaN(n))) {
    return NaN;
  }
  const before = (m as number) < (bm as number) || (m === bm && (d as number) < (bd as number));
  return (y as number) - (by as number) - (before ? 1 : 0);
}

/** What the 審査 form lacks, in Japanese (empty when it can be sent). */
export function reviewProblems(
  decision: 'certify' | 'refuse' | undefined,
  reason: string,
): string[] {
  if (decision === undefined) {
    return ['認定または却下を選んでください。'];
  }
  if (decision === 'refuse' && reason.trim() === '') {
    return ['却下の理由を入力してください。'];
  }
  return [];
}

/** The counts of one daily run, by kind, as the screen lists them. */
export function dailyRunCounts(r: DailyRun): { label: string; value: string }[] {
  const n = (x: number) => `${x.toLocaleString('ja-JP')}件`;
  return [
    { label: '75歳到達（資格取得予定）', value: `${n(r.age_75)}（うち今回 ${n(r.new_age_75)}）` },
    { label: '資格取得の発効', value: n(r.acquisitions_effective) },
    { label: '資格喪失の発効', value: n(r.losses_effective) },
    {
      label: '有効期限切れの書類',
      value: `${n(r.documents_expired)}（未交付の無効化 ${n(r.new_documents_voided)}）`,
    },
  ];
}
