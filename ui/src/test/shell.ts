import { mockIPC } from '@tauri-apps/api/mocks';

export type Handler = (args: Record<string, unknown>) => unknown;

/**
 * A mocked shell: answers the commands in `handlers` (throwing `{code, message_ja}` objects as the real
 * shell does) and records every call with its arguments.
 */
export function mockShell(
  handlers: Record<string, Handler>,
): { cmd: string; args: Record<string, unknown> }[] {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const h = handlers[cmd] ?? DEFAULTS[cmd];
    if (!h) {
      throw new Error(`unexpected command ${cmd}`);
    }
    return h(args);
  });
  return calls;
}

export const READY_INFO = {
  version: '0.1.0',
  training_mode: true,
  line_state: 'online',
  startup: 'ready',
  idle_lock_seconds: 60,
};

export const STAFF = {
  user_id: '152111-clerk',
  display_name: '研修 窓口担当',
  municipality: '152111',
  roles: ['clerk'],
  my_number_permission: true,
};

export const DECISION = {
  notification_id: 'n-1',
  kind: 'acquisition_move_in',
  resident_id: 'r-1',
  decided_at: '2026-11-21T00:00:00Z',
  outcome: 'decided',
  qualification: {
    insured_number: '12345678',
    insurer_number: '39152114',
    acquired_on: '2026-11-21',
    burden_ratio: '1',
  },
  document: {
    document_id: 'd-1',
    kind: 'shikaku_kakuninsho',
    valid_from: '2026-11-21',
    valid_until: '2027-07-31',
    state: 'to_issue',
  },
  documents_to_return: [],
  message_ja: '資格取得を決定しました。',
};

export const PREVIEW = {
  data_url: 'data:image/png;base64,iVBORw0KGgo=',
  title: '資格確認書',
  pages: 1,
  sample: true,
  gaiji: 0,
};

/** Answers every test gets unless it gives its own: a clerk with the 個人番号 permission. */
const DEFAULTS: Record<string, Handler> = {
  session_info: () => ({
    staff: STAFF,
    locked: false,
    capabilities: ['counter_work', 'my_number'],
  }),
};
