import type { BurdenRatio, LineState, QualificationStateCode, Sex } from './types';
import { DOCUMENT_KIND_LABELS } from './vocabulary';

/** 和暦 eras with their first days (display only; the shell parses what staff type). */
const ERAS: { name: string; start: string }[] = [
  { name: '令和', start: '2019-05-01' },
  { name: '平成', start: '1989-01-08' },
  { name: '昭和', start: '1926-12-25' },
  { name: '大正', start: '1912-07-30' },
  { name: '明治', start: '1868-01-25' },
];

/** 「昭和26年12月1日」 for an ISO date `1951-12-01`; anything else is shown as given. */
export function wareki(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) {
    return iso;
  }
  const [, y, mo, d] = m;
  const era = ERAS.find((e) => iso >= e.start);
  if (!era || y === undefined || mo === undefined || d === undefined) {
    return iso;
  }
  const year = Number(y) - Number(era.start.slice(0, 4)) + 1;
  return `${era.name}${year === 1 ? '元' : String(year)}年${String(Number(mo))}月${String(Number(d))}日`;
}

/** 「令和8年11月21日 09:05:03」: an instant in Japan time, the date in 和暦 (what staff read). */
export function warekiDateTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return iso;
  }
  const d = new Date(t + 9 * 3600 * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${String(d.getUTCFullYear())}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  return `${wareki(day)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

const LINE_LABELS: Record<LineState, string> = {
  unknown: '確認中',
  online: '接続中',
  degraded: '不安定',
  offline: '切断',
};

/** 回線 state as staff read it. */
export function lineLabel(state: LineState): string {
  return LINE_LABELS[state];
}

export function isLineState(value: unknown): value is LineState {
  return typeof value === 'string' && value in LINE_LABELS;
}

/** The 個人番号 is never shown: only whether one is linked. */
export function maskedMyNumber(linked: boolean): string {
  return linked ? '＊＊＊＊ ＊＊＊＊ ＊＊＊＊（登録あり）' : '登録なし';
}

const STATE_LABELS: Record<QualificationStateCode, string> = {
  insured: '資格あり',
  not_insured: '資格なし',
  lost: '資格喪失',
  loss_scheduled: '喪失予定',
  acquisition_scheduled: '取得予定',
};

export function qualificationLabel(state: QualificationStateCode): string {
  return STATE_LABELS[state];
}

export function sexLabel(sex: Sex): string {
  return sex === 'male' ? '男' : '女';
}

export function burdenLabel(ratio: BurdenRatio): string {
  return `${ratio}割`;
}

export function documentKindLabel(kind: string): string {
  return (DOCUMENT_KIND_LABELS as Record<string, string>)[kind] ?? kind;
}
