import type {
  DisabilityEvidence,
  LimitCategory,
  NotificationForm,
  NotificationKind,
  ReissueReason,
} from './generated';
import { NOTIFICATION_KIND_LABELS } from './vocabulary';

/** The kinds that act on a resident found by the search (all but 転入). */
const NEEDS_RESIDENT: Record<NotificationKind, boolean> = {
  acquisition_move_in: false,
  reissue: true,
  acquisition_disability: true,
  change_of_particulars: true,
  loss_move_out: true,
  loss_death: true,
  mailing_address_change: true,
  optional_entries: true,
  // 県内転居: found by the 被保険者番号 the person keeps, not by a search of this municipality.
  move_within_union: false,
  welfare_started: true,
  welfare_ended: true,
};

/** The notification kinds the counter screen offers, in the order staff meet them (転入 first). */
export const NOTIFICATION_KINDS: readonly {
  code: NotificationKind;
  label: string;
  needsResident: boolean;
}[] = (Object.keys(NOTIFICATION_KIND_LABELS) as NotificationKind[]).map((code) => ({
  code,
  label: NOTIFICATION_KIND_LABELS[code],
  needsResident: NEEDS_RESIDENT[code],
}));

/** 届出の種類 (generated from `madoguchi_domain::NotificationKind`). */
export type NotificationKindCode = NotificationKind;

/** Everything the entry screen can hold, as typed (strings; the shell parses and checks). */
export interface EntryValues {
  addressee_number: string;
  household_number: string;
  name: string;
  kana: string;
  birth_date: string;
  sex: '' | 'male' | 'female';
  address: string;
  my_number: string;
  moved_in_on: string;
  on_welfare: boolean;
  mynumber_health_card: boolean;
  reason: '' | ReissueReason;
  evidence: '' | DisabilityEvidence;
  changed_on: string;
  moved_out_on: string;
  died_on: string;
  remove_mailing: boolean;
  recipient: string;
  postal_code: string;
  mailing_address: string;
  limit_category: '' | LimitCategory;
  long_term_hospitalization_on: string;
  /** 被保険者番号 (県内転居: the number the person keeps). */
  insured_number: string;
  /** 転居日 (県内転居). */
  moved_on: string;
  /** 保護開始日 / 保護廃止日. */
  on: string;
}

export function emptyValues(): EntryValues {
  return {
    addressee_number: '',
    household_number: '',
    name: '',
    kana: '',
    birth_date: '',
    sex: '',
    address: '',
    my_number: '',
    moved_in_on: '',
    on_welfare: false,
    mynumber_health_card: false,
    reason: '',
    evidence: '',
    changed_on: '',
    moved_out_on: '',
    died_on: '',
    remove_mailing: false,
    recipient: '',
    postal_code: '',
    mailing_address: '',
    limit_category: '',
    long_term_hospitalization_on: '',
    insured_number: '',
    moved_on: '',
    on: '',
  };
}

/** The form the shell's `submit` command takes (`NotificationForm` in src-tauri). */
export function toForm(
  kind: NotificationKindCode,
  v: EntryValues,
  residentId: string,
): NotificationForm {
  switch (kind) {
    case 'acquisition_move_in':
      return {
        kind,
        addressee_number: v.addressee_number,
        household_number: v.household_number,
        name: v.name,
        kana: v.kana,
        birth_date: v.birth_date,
        sex: v.sex === '' ? null : v.sex,
        address: v.address,
        on_welfare: v.on_welfare,
        my_number: v.my_number,
        moved_in_on: v.moved_in_on,
        mynumber_health_card: v.mynumber_health_card,
      };
    case 'acquisition_disability':
      return {
        kind,
        resident_id: residentId,
        my_number: v.my_number,
        evidence: v.evidence === '' ? null : v.evidence,
      };
    case 'reissue':
      return { kind, resident_id: residentId, reason: v.reason === '' ? null : v.reason };
    case 'change_of_particulars':
      return {
        kind,
        resident_id: residentId,
        changed_on: v.changed_on,
        name: v.name,
        kana: v.kana,
        address: v.address,
      };
    case 'loss_move_out':
      return { kind, resident_id: residentId, moved_out_on: v.moved_out_on };
    case 'loss_death':
      return { kind, resident_id: residentId, died_on: v.died_on };
    case 'mailing_address_change':
      return {
        kind,
        resident_id: residentId,
        remove: v.remove_mailing,
        mailing: { recipient: v.recipient, postal_code: v.postal_code, address: v.mailing_address },
      };
    case 'optional_entries':
      return {
        kind,
        resident_id: residentId,
        limit_category: v.limit_category === '' ? null : v.limit_category,
        long_term_hospitalization_on: v.long_term_hospitalization_on,
      };
    case 'move_within_union':
      return {
        kind,
        insured_number: v.insured_number,
        birth_date: v.birth_date,
        addressee_number: v.addressee_number,
        household_number: v.household_number,
        address: v.address,
        moved_on: v.moved_on,
      };
    case 'welfare_started':
    case 'welfare_ended':
      return { kind, resident_id: residentId, on: v.on };
  }
}

/**
 * The entries of a refused 届出 as the shell gives them back for correction (`Correction.entries`: the form's
 * own field names, dates in 和暦, the 個人番号 left blank) turned back into what the entry screen holds.
 */
export function fromEntries(entries: unknown): { kind: NotificationKindCode; values: EntryValues } {
  const e = (entries ?? {}) as Record<string, unknown>;
  const values = emptyValues();
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const target = values as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(e)) {
    if (key === 'kind' || key === 'resident_id' || !(key in values)) {
      continue;
    }
    target[key] = typeof target[key] === 'boolean' ? value === true : text(value);
  }
  if (typeof e.remove === 'boolean') {
    values.remove_mailing = e.remove;
  }
  const mailing = (e.mailing ?? {}) as Record<string, unknown>;
  values.recipient = text(mailing.recipient);
  values.postal_code = text(mailing.postal_code);
  values.mailing_address = text(mailing.address);
  const kind = NOTIFICATION_KINDS.find((k) => k.code === e.kind)?.code ?? 'acquisition_move_in';
  return { kind, values };
}
