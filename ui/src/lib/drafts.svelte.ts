/**
 * What staff typed and where they were, per screen, in memory only: it survives a tab switch and a screen
 * lock (the screens unmount while locked) and is cleared on submit or サインアウト. Never written to disk —
 * not localStorage, not the vault: a half-typed 届出 may hold a 個人番号.
 */
import { emptyValues, type EntryValues, type NotificationKindCode } from './notificationForm';
import type { CaseSubject, Submitted } from './types';

/** The main screen's tabs. */
export type Tab =
  | 'search'
  | 'notification'
  | 'queue'
  | 'ready'
  | 'distribution'
  | 'audit'
  | 'staff'
  | 'union_distribution'
  | 'disability_review'
  | 'daily_job';

/** The 届出 screen's entry. */
export interface NotificationDraft {
  kind: NotificationKindCode;
  values: EntryValues;
  /** The union's answer, until staff go on to the next 届出. */
  result: Submitted | undefined;
}

export class Drafts {
  /** The tab last shown. */
  tab: Tab = $state('notification');
  /** The resident chosen in 検索 for the next 届出 (cleared by 次の届出へ: never a left-over target). */
  resident: CaseSubject | undefined = $state();
  /** Bumped to start a fresh entry form when a resident is chosen. */
  entryKey = $state(0);
  /** The 届出 being typed; none until the screen is first opened. */
  notification: NotificationDraft | undefined = $state();

  /** The 届出 draft, started with `kind` if there is none. */
  notificationDraft(kind: NotificationKindCode): NotificationDraft {
    this.notification ??= { kind, values: emptyValues(), result: undefined };
    return this.notification;
  }

  /** A fresh 届出 (after 次の届出へ, or when another resident is chosen). */
  clearNotification(): void {
    this.notification = undefined;
  }

  /**
   * 新しい届出 (Alt+N): the 届出 screen with a fresh entry, its first field focused. A finished 届出 (decided
   * or queued) makes way, as with 次の届出へ; one being typed or corrected is kept — a shortcut never throws
   * away what was typed.
   */
  newNotification(): void {
    const result = this.notification?.result;
    if (result && result.result !== 'refused') {
      this.clearNotification();
      this.resident = undefined;
    }
    this.entryKey += 1;
    this.tab = 'notification';
  }

  /** Everything (サインアウト, a revoked terminal). */
  clear(): void {
    this.tab = 'notification';
    this.resident = undefined;
    this.entryKey = 0;
    this.notification = undefined;
  }
}

/** The window's drafts. */
export const drafts = new Drafts();
