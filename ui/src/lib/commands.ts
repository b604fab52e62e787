/**
 * Every shell command the screens may call: its name, its arguments (as Tauri passes them, camelCase) and
 * its result, in the types generated from Rust (`./generated`). `call` in `ipc.ts` only accepts these
 * names, so a misspelt command, a missing argument or a wrong result type fails `npm run check`.
 *
 * Kept by hand beside `src-tauri/src/lib.rs`: the Rust test
 * `bindings::tests::the_typed_command_map_names_exactly_the_registered_commands` fails when a command is
 * registered there but missing here, or listed here but not registered (ARCHITECTURE.md says why).
 */
import type {
  AppInfo,
  CaseSubject,
  Correction,
  ResidentList,
  ReturnRecorded,
  AuditFlagsResponse,
  AuditSearchForm,
  AuditSearchResponse,
  BatchReportView,
  BatchStatus,
  DailyRun,
  DisabilityReview,
  DisabilityReviewForm,
  DistributionRequestForm,
  DistributionId,
  DistributionSummary,
  DocumentData,
  DocumentId,
  ExportedReport,
  Grant,
  IssuanceForm,
  LedgerEntry,
  LineState,
  NotificationDecision,
  NotificationForm,
  Preview,
  Printed,
  QueueEntry,
  ReadyToIssue,
  ReasonChoice,
  ReprintReason,
  ResidentDetail,
  ResidentId,
  ReturnForm,
  RevealPurpose,
  SampleProof,
  SearchForm,
  SessionInfo,
  SessionView,
  ShippingStatus,
  StaffAccount,
  StaffInfo,
  StaffList,
  Submitted,
  SupervisorConsent,
  WrittenFile,
} from './generated';

/** A command without arguments. */
export type NoArgs = Record<string, never>;

/** 承認 or 差戻し of a distribution (`decide_distribution`'s `decision`). */
export type DistributionDecisionCode = 'approve' | 'reject';

export interface Commands {
  app_info: { args: NoArgs; result: AppInfo };
  sign_in: { args: { userId: string; password: string }; result: StaffInfo };
  sign_out: { args: NoArgs; result: null };
  session_info: { args: NoArgs; result: SessionInfo };
  lock_screen: { args: NoArgs; result: null };
  unlock: { args: { password: string }; result: StaffInfo };
  line_state: { args: NoArgs; result: LineState };
  simulate_line_failure: { args: { on: boolean }; result: LineState };
  search: { args: { form: SearchForm }; result: ResidentList };
  resident: { args: { residentId: ResidentId }; result: ResidentDetail };
  target: { args: { residentId: ResidentId }; result: CaseSubject | null };
  reveal_my_number: {
    args: { residentId: ResidentId; purpose: RevealPurpose; purposeText: string | null };
    result: string;
  };
  submit: { args: { form: NotificationForm }; result: Submitted };
  queue: { args: NoArgs; result: QueueEntry[] };
  work_list: { args: NoArgs; result: QueueEntry[] };
  retry: { args: { seq: number }; result: QueueEntry };
  withdraw: { args: { seq: number }; result: QueueEntry };
  correction: { args: { seq: number }; result: Correction };
  correct: { args: { seq: number; form: NotificationForm }; result: Submitted };
  close_ready: { args: { seq: number }; result: null };
  ready_to_issue: { args: NoArgs; result: ReadyToIssue[] };
  document: { args: { documentId: DocumentId }; result: DocumentData };
  preview_document: { args: { documentId: DocumentId }; result: Preview };
  print_document: {
    args: { documentId: DocumentId; reason?: ReprintReason; supervisor?: SupervisorConsent };
    result: Printed;
  };
  preview_receipt: { args: { seq: number }; result: Preview };
  print_receipt: { args: { seq: number; reason?: ReprintReason }; result: Printed };
  record_issuance: { args: { form: IssuanceForm }; result: unknown };
  record_return: { args: { form: ReturnForm }; result: ReturnRecorded };
  reprint_reasons: { args: NoArgs; result: ReasonChoice[] };
  audit_operations: { args: NoArgs; result: ReasonChoice[] };
  audit_search: { args: { form: AuditSearchForm }; result: AuditSearchResponse };
  audit_flags: { args: NoArgs; result: AuditFlagsResponse };
  audit_shipping: { args: NoArgs; result: ShippingStatus };
  audit_export: { args: { form: AuditSearchForm }; result: ExportedReport };
  distributions: { args: NoArgs; result: DistributionSummary[] };
  distribution_samples: { args: { distributionId: DistributionId }; result: SampleProof[] };
  decide_distribution: {
    args: {
      distributionId: DistributionId;
      decision: DistributionDecisionCode;
      reason: string | null;
      contentHash: string;
      password: string;
    };
    result: LedgerEntry;
  };
  batch_status: { args: { distributionId: DistributionId }; result: BatchStatus };
  batch_start: { args: { distributionId: DistributionId }; result: BatchStatus };
  batch_pause: { args: { distributionId: DistributionId }; result: BatchStatus };
  batch_resume: { args: { distributionId: DistributionId }; result: BatchStatus };
  batch_report: { args: { distributionId: DistributionId }; result: BatchReportView };
  mailing_list: { args: { distributionId: DistributionId; password: string }; result: WrittenFile };
  export_distribution: {
    args: { distributionId: DistributionId; password: string };
    result: WrittenFile;
  };
  batch_reprint: {
    args: { distributionId: DistributionId; first: number; last: number; reason: string };
    result: BatchReportView;
  };
  batch_print_report: { args: { distributionId: DistributionId }; result: string };
  session_state: { args: NoArgs; result: SessionView };
  change_password: {
    args: { currentPassword: string; newPassword: string };
    result: StaffInfo;
  };
  staff_accounts: { args: NoArgs; result: StaffList };
  create_staff: {
    args: { userId: string; displayName: string; initialPassword: string; grants: Grant[] };
    result: StaffAccount;
  };
  set_staff_grants: { args: { userId: string; grants: Grant[] }; result: StaffAccount };
  revoke_staff: { args: { userId: string }; result: StaffAccount };
  unlock_staff: { args: { userId: string }; result: StaffAccount };
  reset_staff_password: { args: { userId: string; newPassword: string }; result: StaffAccount };
  // 広域連合事務 (広域連合職員).
  union_distributions: { args: NoArgs; result: DistributionSummary[] };
  create_distribution: { args: { form: DistributionRequestForm }; result: DistributionSummary };
  union_approve_distribution: {
    args: { distributionId: DistributionId; contentHash: string };
    result: DistributionSummary;
  };
  disability_reviews: { args: NoArgs; result: DisabilityReview[] };
  decide_disability_review: { args: { form: DisabilityReviewForm }; result: NotificationDecision };
  daily_runs: { args: NoArgs; result: DailyRun[] };
}

/** A command's name. */
export type CommandName = keyof Commands;
/** What `name` takes. */
export type ArgsOf<K extends CommandName> = Commands[K]['args'];
/** What `name` answers. */
export type ResultOf<K extends CommandName> = Commands[K]['result'];
