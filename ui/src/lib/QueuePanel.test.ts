import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import QueuePanel from './QueuePanel.svelte';
import ReadyPanel from './ReadyPanel.svelte';
import { DECISION, mockShell } from '../test/shell';

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

describe('ReadyPanel', () => {
  it('lists decisions waiting for handover', async () => {
    mockShell({ ready_to_issue: () => [{ seq: 3, decision: DECISION }] });
    render(ReadyPanel);
    expect(await screen.findByText(/資格確認書 — 資格取得を決定しました。/)).toBeTruthy();
  });
});
