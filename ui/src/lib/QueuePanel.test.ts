import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import QueuePanel from './QueuePanel.svelte';
import ReadyPanel from './ReadyPanel.svelte';
import { drafts } from './drafts.svelte';
import { DECISION, mockShell } from '../test/shell';

const SUBJECT = {
  resident_id: 'r-7',
  name: '見本　花子',
  kana: 'ミホン ハナコ',
  birth_date: '1944-04-04',
  birth_wareki: '昭和19年4月4日',
  insured_number: '00000042',
};

function entry(seq: number, state: string, state_ja: string, reason_ja: string | null = null) {
  return {
    seq,
    reception_number: `KENSYU-01-00000${String(seq)}-0`,
    kind: 'reissue',
    kind_ja: '再交付',
    state,
    state_ja,
    reason_ja,
    attempts: 0,
    queued_at: '2026-11-21T00:00:00Z',
    needs_attention: state === 'rejected' || state === 'conflict',
    subject: SUBJECT,
    corrects: null,
    corrected_by: null,
  };
}

describe('QueuePanel', () => {
  it('lists every item with its honest state and puts refusals on the work list', async () => {
    mockShell({
      queue: () => [
        entry(1, 'queued', '未送信'),
        entry(2, 'sending', '送信中'),
        entry(3, 'decided', '決定'),
        entry(4, 'rejected', '差戻し', '資格がありません。'),
      ],
    });
    render(QueuePanel);
    expect(await screen.findByText('未送信')).toBeTruthy();
    expect(screen.getByText('送信中')).toBeTruthy();
    expect(screen.getByText('決定')).toBeTruthy();
    expect(screen.getByText('要対応（差戻し・競合）: 1件')).toBeTruthy();
    expect(screen.getAllByText(/資格がありません。/).length).toBeGreaterThan(0);
  });
});

describe('QueuePanel work list', () => {
  it('sends a refused item again or withdraws it', async () => {
    const calls = mockShell({
      queue: () => [entry(4, 'conflict', '競合', '既に資格喪失が登録されています。')],
      retry: () => entry(4, 'queued', '未送信'),
      withdraw: () => entry(4, 'withdrawn', '取下げ'),
    });
    const user = userEvent.setup();
    render(QueuePanel);
    await user.click(await screen.findByRole('button', { name: '再送' }));
    await user.click(await screen.findByRole('button', { name: '取下げ' }));
    expect(calls.filter((c) => c.cmd === 'retry' || c.cmd === 'withdraw')).toEqual([
      { cmd: 'retry', args: { seq: 4 } },
      { cmd: 'withdraw', args: { seq: 4 } },
    ]);
  });
});

describe('QueuePanel names and corrections', () => {
  it('names whose case each line is, and 訂正 opens the entries in the 届出 screen with the reason', async () => {
    const calls = mockShell({
      queue: () => [entry(4, 'rejected', '差戻し', '転入日が受付日より後です。')],
      correction: () => ({
        seq: 4,
        reception_number: 'KENSYU-01-000004-0',
        kind: 'acquisition_move_in',
        kind_ja: '資格取得（転入）',
        state_ja: '差戻し',
        reason_ja: '転入日が受付日より後です。',
        subject: { ...SUBJECT, resident_id: null, insured_number: null },
        received_on: '2026-12-07',
        entries: {
          kind: 'acquisition_move_in',
          name: '見本　花子',
          moved_in_on: 'R8.12.8',
          my_number: '',
        },
        my_number_kept: true,
      }),
    });
    const user = userEvent.setup();
    render(QueuePanel);
    expect((await screen.findAllByText(/見本.花子/)).length).toBeGreaterThan(0);
    // In the work list and in the table, each on one line of its own (issue 14 #10).
    expect(screen.getAllByText('昭和19年4月4日')).toHaveLength(2);
    expect(screen.getByText('00000042')).toBeTruthy();
    // A refusal by the union reads as one, with its reason; 訂正 is offered beside 再送 and 取下げ.
    expect(screen.getByText(/差戻し（広域連合の理由）: 転入日が受付日より後です。/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '訂正' }));
    expect(calls.some((c) => c.cmd === 'correction')).toBe(true);
    expect(drafts.tab).toBe('notification');
    expect(drafts.notification?.kind).toBe('acquisition_move_in');
    expect(drafts.notification?.values.moved_in_on).toBe('R8.12.8');
    expect(drafts.notification?.result).toMatchObject({ result: 'refused', seq: 4 });
    drafts.clear();
  });
});

describe('ReadyPanel', () => {
  it('lists decisions waiting for handover with whose they are', async () => {
    mockShell({
      ready_to_issue: () => [
        {
          seq: 3,
          reception_number: 'KENSYU-01-000003-7',
          subject: SUBJECT,
          needs_handover: true,
          returns_recorded: [],
          decision: DECISION,
        },
      ],
    });
    render(ReadyPanel);
    expect(await screen.findByText(/資格確認書 — 資格取得を決定しました。/)).toBeTruthy();
    expect(screen.getByText('KENSYU-01-000003-7')).toBeTruthy();
    expect(screen.getAllByText(/見本.花子/)[0]).toBeTruthy();
    // A name cut short with an ellipsis at a narrow width keeps its whole text in the title.
    expect(screen.getByText('ミホン ハナコ').getAttribute('title')).toBe('ミホン ハナコ');
    expect(screen.getByText('昭和19年4月4日').classList.contains('one-line')).toBe(true);
    expect(screen.getByText('00000042')).toBeTruthy();
  });

  it('closes a 転出 decision after its 回収, recorded once', async () => {
    let ready = [
      {
        seq: 5,
        reception_number: 'KENSYU-01-000005-1',
        subject: SUBJECT,
        needs_handover: false,
        returns_recorded: [],
        decision: {
          ...DECISION,
          kind: 'loss_move_out',
          document: undefined,
          documents_to_return: [{ ...DECISION.document, document_id: 'old-1', state: 'to_return' }],
          message_ja: '資格喪失を決定しました。',
        },
      },
    ];
    const calls = mockShell({
      ready_to_issue: () => ready,
      record_return: () => ({
        document_id: 'old-1',
        returned_on: '2026-12-07',
        already_recorded: false,
      }),
      close_ready: () => {
        ready = [];
        return null;
      },
    });
    const user = userEvent.setup();
    render(ReadyPanel);
    await user.click(await screen.findByRole('button', { name: /交付なし/ }));
    const record = screen.getByRole('button', { name: '回収を記録' });
    await user.click(record);
    expect(await screen.findByText('回収済み')).toBeTruthy();
    expect(screen.queryByRole('button', { name: '回収を記録' })).toBeNull();
    await user.click(screen.getByRole('button', { name: /完了/ }));
    expect(await screen.findByText('交付待ちの書類はありません。')).toBeTruthy();
    // Issue 14 #8: the cursor goes back to the list (its heading when it is empty), not to the page.
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByRole('heading', { name: '交付待ち' }));
    });
    expect(calls.filter((c) => c.cmd === 'record_return')).toHaveLength(1);
    expect(calls.find((c) => c.cmd === 'close_ready')?.args).toEqual({ seq: 5 });
  });
});
