/** The 職員管理 screen's endpoints (情報システム管理者). */
import { call } from '../ipc';
import type { Grant } from '../generated';

export const staffAccounts = () => call('staff_accounts');
export const createStaff = (
  userId: string,
  displayName: string,
  initialPassword: string,
  grants: Grant[],
) => call('create_staff', { userId, displayName, initialPassword, grants });
export const setStaffGrants = (userId: string, grants: Grant[]) =>
  call('set_staff_grants', { userId, grants });
export const revokeStaff = (userId: string) => call('revoke_staff', { userId });
export const unlockStaff = (userId: string) => call('unlock_staff', { userId });
export const resetStaffPassword = (userId: string, newPassword: string) =>
  call('reset_staff_password', { userId, newPassword });
