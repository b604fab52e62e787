/** The session's endpoints: start-up facts, sign-in and -out, the screen lock, the 回線, passwords. */
import { call } from '../ipc';
import type { StaffInfo } from '../generated';

export const appInfo = () => call('app_info');
export const signIn = (userId: string, password: string) => call('sign_in', { userId, password });
export const signOut = () => call('sign_out');
export const sessionInfo = () => call('session_info');
export const sessionState = () => call('session_state');
export const lockScreen = () => call('lock_screen');
export const unlock = (password: string): Promise<StaffInfo> => call('unlock', { password });
export const lineState = () => call('line_state');
/** 研修モード only: cut or restore the line to the training union. */
export const simulateLineFailure = (on: boolean) => call('simulate_line_failure', { on });
export const changePassword = (currentPassword: string, newPassword: string) =>
  call('change_password', { currentPassword, newPassword });
