import type { RevealPurpose as RevealPurposeCode } from './generated';

/** 利用目的 of a 個人番号 reveal, as the shell takes it (`madoguchi_protocol::reveal::RevealPurpose`). */
export type { RevealPurposeCode };

/** The arguments of `reveal_my_number` besides the resident. */
export interface RevealPurpose {
  purpose: RevealPurposeCode;
  purposeText: string | null;
}

/** The choices of the dialog, in the order the union lists them. */
export const PURPOSES: readonly { code: RevealPurposeCode; label: string }[] = [
  { code: 'notification', label: '届出の審査・入力' },
  { code: 'identity_check', label: '本人確認' },
  { code: 'number_check', label: '番号の確認・訂正' },
  { code: 'inquiry', label: '情報提供ネットワーク照会' },
  { code: 'other', label: 'その他' },
];

/** Longest その他 text (the union refuses longer). */
export const PURPOSE_TEXT_MAX = 100;

/** The purpose the dialog sends, or the Japanese of what is missing. */
export function purposeFrom(code: string, text: string): RevealPurpose | string {
  const choice = PURPOSES.find((p) => p.code === code);
  if (!choice) {
    return '個人番号を表示する利用目的を選んでください。';
  }
  if (choice.code !== 'other') {
    return { purpose: choice.code, purposeText: null };
  }
  const t = text.trim();
  if (t.length === 0) {
    return '利用目的が「その他」のときは、目的を入力してください。';
  }
  if (Array.from(t).length > PURPOSE_TEXT_MAX) {
    return `目的は${String(PURPOSE_TEXT_MAX)}文字以内で入力してください。`;
  }
  return { purpose: 'other', purposeText: t };
}
