/** The 届出 and 受付一覧 screens' endpoints: submit, the queue and the work list. */
import { call } from '../ipc';
import type { NotificationForm } from '../generated';

export const submit = (form: NotificationForm) => call('submit', { form });
export const queue = () => call('queue');
export const workList = () => call('work_list');
export const retry = (seq: number) => call('retry', { seq });
export const withdraw = (seq: number) => call('withdraw', { seq });
