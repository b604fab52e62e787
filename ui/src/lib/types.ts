/** Wire types of the shell's answers (src-tauri, madoguchi-counter, madoguchi-protocol v1). */

export type LineState = 'unknown' | 'online' | 'degraded' | 'offline';

export interface StaffInfo {
  user_id: string;
  display_name: string;
  municipality: string;
  roles: string[];
  my_number_permission: boolean;
}

/** Why the password must be changed before anything else. */
export type PasswordChangeReason = 'first_sign_in' | 'reset' | 'expired';

/** How a staff member is signed in (madoguchi-counter SessionState). */
export interface SessionState {
  staff: StaffInfo;
  /** オフライン受付のみ: signed in without the union; only queueing work. */
  offline: boolean;
  must_change_password: PasswordChangeReason | null;
  must_change_message_ja: string | null;
}

/** A grant of a right with its validity period. */
export interface Grant {
  right: 'clerk' | 'supervisor' | 'admin' | 'union_staff' | 'my_number';
  from: string;
  until?: string;
}

/** A staff account as the 情報システム管理者 sees it. */
export interface StaffAccount {
  user_id: string;
  display_name: string;
  municipality: string;
  grants: (Grant & { in_effect: boolean })[];
  state: 'active' | 'locked' | 'revoked';
  must_change_password?: PasswordChangeReason;
  revoked_at?: string;
}
/** A function of the system a role may be granted (protocol `access::Capability`). */
export type Capability =
  | 'counter_work'
  | 'my_number'
  | 'approve_distribution'
  | 'export_distribution'
  | 'approve_reprint'
  | 'manage_staff'
  | 'review_audit'
  | 'manage_distributions';

export interface SessionInfo {
  staff: StaffInfo | null;
  locked: boolean;
  capabilities: Capability[];
}

export type QualificationStateCode =
  | 'insured'
  | 'not_insured'
  | 'lost'
  | 'loss_scheduled'
  | 'acquisition_scheduled';

export interface ResidentSummary {
  resident_id: string;
  name: string;
  kana: string;
  birth_date: string;
  sex: 'male' | 'female';
  insured_number?: string;
  state: QualificationStateCode;
  name_has_gaiji: boolean;
}

export interface SearchResponse {
  residents: ResidentSummary[];
  truncated: boolean;
}

export interface Qualification {
  insured_number: string;
  insurer_number: string;
  acquired_on: string;
  lost_on?: string;
  burden_ratio: '1' | '2' | '3';
  limit_category?: string;
}

export interface DocumentSummary {
  document_id: string;
  kind: string;
  valid_from: string;
  valid_until: string;
  state: string;
}

export interface ResidentDetail {
  resident_id: string;
  addressee_number: string;
  household_number: string;
  name: string;
  kana: string;
  birth_date: string;
  sex: 'male' | 'female';
  address: string;
  state: QualificationStateCode;
  qualification?: Qualification;
  on_welfare: boolean;
  mynumber_health_card: boolean;
  has_my_number: boolean;
  documents: DocumentSummary[];
}

/** 届出の種類 as a stable code (madoguchi_domain::NotificationKind). */
export type NotificationKind =
  | 'acquisition_move_in'
  | 'acquisition_disability'
  | 'reissue'
  | 'change_of_particulars'
  | 'loss_move_out'
  | 'loss_death'
  | 'mailing_address_change'
  | 'optional_entries'
  | 'move_within_union'
  | 'welfare_started'
  | 'welfare_ended';

export interface NotificationDecision {
  notification_id: string;
  kind: NotificationKind;
  resident_id: string;
  decided_at: string;
  outcome: 'decided' | 'not_eligible';
  qualification?: Qualification;
  document?: DocumentSummary;
  documents_to_return: DocumentSummary[];
  message_ja: string;
}

export interface Receipt {
  reception_number: string;
  seq: number;
  kind: NotificationKind;
  kind_ja: string;
  queued_at: string;
  why_ja: string;
}

export type Submitted =
  | { result: 'decided'; seq: number; decision: NotificationDecision }
  | ({ result: 'queued' } & Receipt)
  | { result: 'refused'; code: string; reason_ja: string };

export interface QueueEntry {
  seq: number;
  reception_number: string;
  kind: NotificationKind;
  kind_ja: string;
  state: string;
  state_ja: string;
  reason_ja?: string | null;
  attempts: number;
  queued_at: string;
  needs_attention: boolean;
}

export interface ReadyToIssue {
  seq: number;
  decision: NotificationDecision;
}

export interface Preview {
  data_url: string;
  title: string;
  pages: number;
  sample: boolean;
  gaiji: number;
}

export interface Printed {
  job: string;
  printer: string;
  pages: number;
}
