/** The 届出 and 受付一覧 screens' endpoints: submit, the queue, the work list and corrections. */
import { call } from '../ipc';
import type { NotificationForm } from '../generated';

export const submit = (form: NotificationForm) => call('submit', { form });
export const queue = () => call('queue');
export const workList = () => call('work_list');
export const retry = (seq: number) => call('retry', { seq });
export const withdraw = (seq: number) => call('withdraw', { seq });
/** A refused item opened for correction: the union's reason and the entries as typed. */
export const correction = (seq: number) => call('correction', { seq });
/** The corrected form of refused item `seq`, sent as a new attempt linked to it. */
export const correct = (seq: number, form: NotificationForm) => call('correct', { seq, form });
