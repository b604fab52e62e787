/**
 * Wire types of the shell's answers and arguments. They are generated from the Rust types
 * (`./generated`, by `cargo test -p madoguchi export_bindings`) and only re-exported here under the names
 * the screens use; nothing is written by hand, so a Rust change that the screens do not follow fails
 * `npm run check`.
 */
export type {
  AppInfo,
  CaseSubject,
  Correction,
  ResidentList,
  ResidentRow,
  ReturnRecorded,
  RosterAge,
  BurdenRatio,
  Capability,
  DocumentKind,
  DocumentSummary,
  ErrorCode,
  TerminalErrorCode,
  FieldError,
  Grant,
  GrantView,
  IdentityDocument,
  IssueMethod,
  LimitCategory,
  LineState,
  NotificationDecision,
  NotificationForm,
  NotificationKind,
  PasswordChangeReason,
  Preview,
  Printed,
  Qualification,
  QueueEntry,
  ReadyToIssue,
  Receipt,
  ResidentDetail,
  ResidentSummary,
  Right,
  Sex,
  SessionInfo,
  SessionState,
  StaffAccount,
  StaffInfo,
  StaffList,
  Submitted,
} from './generated';

/** 資格の状態 (`madoguchi_protocol::v1::QualificationState`). */
export type { QualificationState as QualificationStateCode } from './generated';
/** A resident search's answer (`madoguchi_protocol::v1::ResidentSearchResponse`). */
export type { ResidentSearchResponse as SearchResponse } from './generated';
