/**
 * The Japanese labels of the enum vocabularies that cross IPC. The codes are generated from the Rust enums
 * (`./generated`); each label table is a `Record` over the generated union, so a variant added in Rust and
 * not labelled here fails `npm run check`. Order of the entries is the order the screens offer them.
 */
import type {
  DisabilityEvidence,
  DocumentKind,
  IdentityDocument,
  LimitCategory,
  NotificationKind,
  ReissueReason,
} from './generated';

/** A choice of a select or a radio group. */
export interface Choice<C extends string> {
  code: C;
  label: string;
}

/** The entries of a label table as choices, in table order. */
export function choices<C extends string>(labels: Record<C, string>): Choice<C>[] {
  return (Object.keys(labels) as C[]).map((code) => ({ code, label: labels[code] }));
}

/** 限度区分 (`madoguchi_domain::LimitCategory`). */
export const LIMIT_CATEGORY_LABELS: Record<LimitCategory, string> = {
  geneki_nami_iii: '現役並みⅢ',
  geneki_nami_ii: '現役並みⅡ',
  geneki_nami_i: '現役並みⅠ',
  ippan_ii: '一般Ⅱ',
  ippan_i: '一般Ⅰ',
  kubun_ii: '区分Ⅱ',
  kubun_i: '区分Ⅰ',
};

/** 証書 the counter hands over (`madoguchi_domain::DocumentKind`). */
export const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = {
  shikaku_kakuninsho: '資格確認書',
  shikaku_joho_oshirase: '資格情報のお知らせ',
  hihokenshasho: '被保険者証',
  gendogaku_ninteisho: '限度額適用認定証',
  futan_kubun_shomeisho: '負担区分等証明書',
};

/** 本人確認書類 seen at the counter (`madoguchi_protocol::v1::IdentityDocument`). */
export const IDENTITY_DOCUMENT_LABELS: Record<IdentityDocument, string> = {
  my_number_card: 'マイナンバーカード',
  drivers_license: '運転免許証',
  driving_history_certificate: '運転経歴証明書',
  passport: '旅券',
  disability_certificate: '身体障害者手帳等',
  residence_card: '在留カード',
  pension_certificate: '年金手帳・年金証書',
  insurance_document: '資格確認書・保険証',
  other: 'その他',
};

/** 障害認定 evidence (`madoguchi_protocol::v1::DisabilityEvidence`). */
export const DISABILITY_EVIDENCE_LABELS: Record<DisabilityEvidence, string> = {
  physical_disability_certificate: '身体障害者手帳（1〜3級・4級の一部）',
  rehabilitation_certificate_a: '療育手帳（A）',
  mental_health_certificate: '精神障害者保健福祉手帳（1〜2級）',
  disability_pension: '障害基礎年金（1〜2級）の年金証書',
};

/** 再交付の理由 (`madoguchi_protocol::v1::ReissueReason`). */
export const REISSUE_REASON_LABELS: Record<ReissueReason, string> = {
  lost: '紛失',
  damaged: '破損・汚損',
  stolen: '盗難',
};

/** 届出の種類 (`madoguchi_domain::NotificationKind`), in the order staff meet them (転入 first). */
export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  acquisition_move_in: '資格取得（転入）',
  reissue: '再交付',
  acquisition_disability: '資格取得（障害認定申請）',
  change_of_particulars: '記載事項変更',
  loss_move_out: '資格喪失（転出）',
  loss_death: '資格喪失（死亡）',
  mailing_address_change: '送付先変更',
  optional_entries: '任意記載事項（限度区分）',
  move_within_union: '県内転居（広域連合内の転入）',
  welfare_started: '資格喪失（生活保護開始）',
  welfare_ended: '資格取得（生活保護廃止）',
};

/** 障害認定の審査結果 as the union staff screen offers it (`DisabilityReviewForm::certified`). */
export const DISABILITY_DECISION_LABELS: Record<'certify' | 'refuse', string> = {
  certify: '認定',
  refuse: '却下',
};
