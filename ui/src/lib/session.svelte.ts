/**
 * The one session store of the window (Svelte 5 runes): what the terminal said at start, the 回線, who is
 * signed in with what rights, the screen lock and the polling that keeps them current. Screens read it
 * (`session.staff`, `session.line`, …) instead of props threaded down from `App.svelte`; its methods are the
 * only writers.
 *
 * The idle lock (FR-22, N:3889–3890) counts user input only: it is armed by `signedIn` and `locked`, which
 * the 3-second refresh does not change, so a data refresh never restarts the 1-minute timer.
 */
import * as api from './api/session';
import { loadAppInfo, type AppInfo } from './appInfo';
import { isLineState } from './display';
import { drafts } from './drafts.svelte';
import { watchIdle } from './idle';
import { onEvent, toFailure } from './ipc';
import { isRevokedStatus, TERMINAL_REVOKED_CODE } from './revocation';
import type { Capability, LineState, SessionState, StaffInfo } from './types';

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How often the 回線 and the session are polled (events carry most changes; this catches the rest). */
const POLL_MS = 3000;

export class Session {
  info: AppInfo | undefined = $state();
  /** The shell did not answer at start (or answered nonsense). */
  infoError = $state(false);
  line: LineState = $state('unknown');
  staff: StaffInfo | undefined = $state();
  /** What the signed-in staff member may do; the screens show only these functions. */
  capabilities: Capability[] = $state([]);
  /** Offline or online, and a password that must be changed first (from the shell). */
  state: SessionState | undefined = $state();
  locked = $state(false);
  signingIn = $state(false);
  signInError = $state('');
  switching = $state(false);
  revoked = $state(false);

  ready = $derived(this.info?.startup === 'ready');
  /** Someone is signed in. A boolean, so replacing `staff` with an equal copy does not re-run effects. */
  signedIn = $derived(this.staff !== undefined);
  offline = $derived(this.state?.offline ?? false);

  /** Back to the state of a window that just opened (tests mount the app more than once). */
  reset(): void {
    this.info = undefined;
    this.infoError = false;
    this.line = 'unknown';
    this.staff = undefined;
    this.capabilities = [];
    this.state = undefined;
    this.locked = false;
    this.signingIn = false;
    this.signInError = '';
    this.switching = false;
    this.revoked = false;
    drafts.clear();
  }

  private terminalRevoked() {
    this.revoked = true;
    this.staff = undefined;
    this.locked = false;
    drafts.clear();
  }

  /** Takes the staff member from the shell's answer, keeping the object when nothing changed. */
  private setStaff(next: StaffInfo) {
    if (JSON.stringify(next) !== JSON.stringify(this.staff)) {
      this.staff = next;
    }
  }

  async refreshSession(): Promise<void> {
    try {
      const view = await api.sessionState();
      this.state = view.session ?? undefined;
      if (this.state) {
        this.setStaff(this.state.staff);
      }
    } catch {
      // A start in progress: the screen works as an online session.
      this.state = undefined;
    }
  }

  async refreshLine(): Promise<void> {
    if (this.staff) {
      void this.refreshSession();
    }
    try {
      const s: unknown = await api.lineState();
      if (isLineState(s)) {
        this.line = s;
      }
    } catch {
      // The header keeps the last known state; the next event or poll corrects it.
    }
  }

  /** Waits for the terminal to start, then follows its events and polls. Returns the stop function. */
  start(): () => void {
    this.reset();
    const life = { stopped: false };
    const stops: (() => void)[] = [];
    void (async () => {
      let info: AppInfo;
      try {
        // The embedded union and the vault start in the background: wait for them without blocking.
        for (;;) {
          info = await loadAppInfo();
          this.info = info;
          this.line = info.line_state;
          if (info.startup !== 'starting' || life.stopped) {
            break;
          }
          await sleep(150);
        }
      } catch {
        this.infoError = true;
        return;
      }
      if (info.startup !== 'ready' || life.stopped) {
        return;
      }
      if (info.terminal_revoked) {
        this.terminalRevoked();
      }
      stops.push(
        await onEvent('terminal-status', (s) => {
          if (isRevokedStatus(s)) {
            this.terminalRevoked();
          }
        }),
      );
      stops.push(
        await onEvent('line-state', (s) => {
          if (isLineState(s)) {
            this.line = s;
          }
        }),
      );
      const timer = setInterval(() => void this.refreshLine(), POLL_MS);
      stops.push(() => {
        clearInterval(timer);
      });
    })();
    return () => {
      life.stopped = true;
      for (const s of stops) {
        s();
      }
    };
  }

  /**
   * Locks the screen after the configured time without keyboard or pointer input, while someone is
   * signed in and the screen is not locked. Call from an `$effect`: it reads only `signedIn`, `locked`
   * and the configured seconds, so data refreshes do not re-arm it.
   */
  idleLock(): (() => void) | undefined {
    const seconds = this.info?.idle_lock_seconds;
    if (seconds === undefined || !this.signedIn || this.locked) {
      return undefined;
    }
    return watchIdle(seconds, () => {
      void this.lock();
    });
  }

  /** 画面ロック now (the ロック button, Ctrl+Alt+L, or the idle timer). Drafts stay in memory. */
  async lock(): Promise<void> {
    if (!this.staff || this.locked) {
      return;
    }
    try {
      await api.lockScreen();
    } finally {
      this.locked = true;
    }
  }

  async signIn(userId: string, password: string): Promise<void> {
    if (this.signingIn) {
      return;
    }
    this.signingIn = true;
    this.signInError = '';
    try {
      this.staff = await api.signIn(userId, password);
      this.locked = false;
      await this.loadCapabilities();
      await this.refreshSession();
      void this.refreshLine();
    } catch (error) {
      const failure = toFailure(error);
      if (failure.code === TERMINAL_REVOKED_CODE) {
        this.terminalRevoked();
      }
      this.signInError = failure.messageJa;
    } finally {
      this.signingIn = false;
    }
  }

  async loadCapabilities(): Promise<void> {
    try {
      this.capabilities = (await api.sessionInfo()).capabilities;
    } catch {
      this.capabilities = [];
    }
  }

  /** The lock screen took the password again. */
  unlocked(again: StaffInfo): void {
    this.setStaff(again);
    this.locked = false;
    void this.loadCapabilities();
    void this.refreshSession();
  }

  passwordChanged(again: StaffInfo): void {
    this.setStaff(again);
    void this.loadCapabilities();
    void this.refreshSession();
  }

  /** サインアウト: the drafts of every screen go with the session. */
  async signOut(): Promise<void> {
    try {
      await api.signOut();
    } finally {
      this.staff = undefined;
      this.capabilities = [];
      this.state = undefined;
      this.locked = false;
      drafts.clear();
    }
  }

  /** 研修モード: cut or restore the line to the training union. */
  async toggleLine(): Promise<void> {
    if (this.switching) {
      return;
    }
    this.switching = true;
    try {
      const s: unknown = await api.simulateLineFailure(this.line !== 'offline');
      if (isLineState(s)) {
        this.line = s;
      }
    } finally {
      this.switching = false;
    }
  }
}

/** The window's session. */
export const session = new Session();
