import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import DistributionPanel from './DistributionPanel.svelte';
import {
  decisionProblems,
  exportPasswordProblems,
  reprintProblems,
  shortHash,
} from './distribution';
import { mockShell } from '../test/shell';

const HASH = 'ab12cd34ef56'.padEnd(64, '0');

function summary(over: Record<string, unknown> = {}) {
  return {
    distribution_id: 'dist-1',
    kind: 'annual_renewal',
    municipality: '152111',
    reference_date: '2027-08-01',
    mail_class: 'simple_registered_no_forward',
    state: 'released',
    record_count: 1200,
    page_count: 1200,
    breakdown: [
      { label: '1割', count: 1000 },
      { label: '2割', count: 200 },
    ],
    content_hash: HASH,
    created_by: 'union-staff1',
    created_at: '2027-07-01T00:00:00Z',
    union_approved_by: 'union-staff2',
    note: '',
    ...over,
  };
}

describe('decision and export checks', () => {
  it('asks for a choice, a reason when rejecting and the password', () => {
    expect(decisionProblems(undefined, '', '')).toHaveLength(2);
    expect(decisionProblems('reject', '  ', 'pw')).toEqual(['差戻しの理由を入力してください。']);
    expect(decisionProblems('approve', '', 'pw')).toEqual([]);
  });

  it('wants an export password of 12 characters, typed twice alike', () => {
    expect(exportPasswordProblems('short', 'short')).toEqual([
      'パスワードは12文字以上にしてください。',
    ]);
    expect(exportPasswordProblems('long enough pw', 'long enough pX')).toEqual([
      '確認用のパスワードが一致しません。',
    ]);
    expect(exportPasswordProblems('long enough pw', 'long enough pw')).toEqual([]);
    expect(shortHash(HASH)).toBe('ab12cd34ef56');
  });
});

describe('DistributionPanel', () => {
  it('lists released distributions, shows proofs and approves the shown content with the password', async () => {
    let state = 'released';
    const calls = mockShell({
      distributions: () => [summary({ state })],
      distribution_samples: () => [
        { seq: 1, position_ja: '先頭', rows: [{ label: '被保険者番号', value: '12345678' }] },
        { seq: 1200, position_ja: '末尾', rows: [{ label: '被保険者番号', value: '12345679' }] },
      ],
      decide_distribution: () => {
        state = 'approved';
        return {};
      },
      batch_status: () => ({
        state: 'not_started',
        records_done: 0,
        records_total: 1200,
        pages_spooled: 0,
      }),
    });
    const user = userEvent.setup();
    render(DistributionPanel, { canExport: true });
    await user.click(await screen.findByRole('button', { name: '開く' }));
    expect(await screen.findByText('先頭（1件目）')).toBeTruthy();
    expect(screen.getByText('末尾（1200件目）')).toBeTruthy();
    // Nothing is sent without a choice and the password.
    await user.click(screen.getByRole('button', { name: '確定' }));
    expect(await screen.findByText('承認または差戻しを選んでください。')).toBeTruthy();
    expect(calls.some((c) => c.cmd === 'decide_distribution')).toBe(false);
    await user.click(screen.getByLabelText('承認'));
    await user.type(screen.getByLabelText('パスワード（本人確認のため再入力）'), 'kensyu-pw');
    await user.click(screen.getByRole('button', { name: '確定' }));
    expect(await screen.findByRole('button', { name: '印刷開始' })).toBeTruthy();
    const sent = calls.find((c) => c.cmd === 'decide_distribution')?.args;
    expect(sent).toEqual({
      distributionId: 'dist-1',
      decision: 'approve',
      reason: null,
      contentHash: HASH,
      password: 'kensyu-pw',
    });
  });

  it('shows the union refusal in Japanese and clears the password', async () => {
    mockShell({
      distributions: () => [summary()],
      distribution_samples: () => [],
      decide_distribution: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw { code: 'content_changed', message_ja: '配信データが変更されています。' };
      },
    });
    const user = userEvent.setup();
    render(DistributionPanel, {});
    await user.click(await screen.findByRole('button', { name: '開く' }));
    await user.click(await screen.findByLabelText('差戻し'));
    await user.type(screen.getByLabelText(/差戻し理由/), '件数が想定と違う');
    const pw = screen.getByLabelText('パスワード（本人確認のため再入力）');
    await user.type(pw, 'secret');
    await user.click(screen.getByRole('button', { name: '確定' }));
    expect(await screen.findByText('配信データが変更されています。')).toBeTruthy();
    expect((pw as HTMLInputElement).value).toBe('');
  });

  it('prints an approved distribution with progress, pause and resume', async () => {
    let status = { state: 'not_started', records_done: 0, records_total: 1200, pages_spooled: 0 };
    const calls = mockShell({
      distributions: () => [summary({ state: 'approved' })],
      batch_status: () => status,
      batch_start: () => {
        status = { state: 'running', records_done: 300, records_total: 1200, pages_spooled: 300 };
        return status;
      },
      batch_pause: () => {
        status = { ...status, state: 'paused' };
        return status;
      },
    });
    const user = userEvent.setup();
    render(DistributionPanel, {});
    await user.click(await screen.findByRole('button', { name: '開く' }));
    expect(await screen.findByText('印刷前: 1,200件を印刷します')).toBeTruthy();
    expect(screen.queryByText(/0 \/\s*1,200件/)).toBeNull();
    await user.click(await screen.findByRole('button', { name: '印刷開始' }));
    expect(await screen.findByText(/印刷中: 300 \/\s*1,200件/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '一時停止' }));
    expect(await screen.findByRole('button', { name: '続きから再開' })).toBeTruthy();
    expect(calls.map((c) => c.cmd)).toContain('batch_pause');
  });
});

describe('DistributionPanel exports', () => {
  it('writes the 宛名一覧 of a printed distribution encrypted with a password typed twice', async () => {
    const calls = mockShell({
      distributions: () => [summary({ state: 'approved' })],
      batch_status: () => ({
        state: 'finished',
        records_done: 1200,
        records_total: 1200,
        pages_spooled: 1200,
      }),
      batch_report: () => ({ lines: [{ label: '照合結果', value: '全件を一度ずつ' }] }),
      mailing_list: () => ({ path: '/exports/atena-ab12cd34ef56.csv.age', records: 1200 }),
    });
    const user = userEvent.setup();
    render(DistributionPanel, { canExport: true });
    await user.click(await screen.findByRole('button', { name: '開く' }));
    expect(await screen.findByText('全件を一度ずつ')).toBeTruthy();
    await user.type(screen.getByLabelText('暗号化パスワード（12文字以上）'), 'Atena-Natsu-2027');
    await user.type(screen.getByLabelText('暗号化パスワード（確認）'), 'Atena-Natsu-2027');
    await user.click(screen.getByRole('button', { name: '宛名一覧を出力' }));
    expect(await screen.findByText(/atena-ab12cd34ef56\.csv\.age/)).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'mailing_list')?.args).toEqual({
      distributionId: 'dist-1',
      password: 'Atena-Natsu-2027',
    });
  });
});

describe('reprint of a printed range', () => {
  it('wants numbers inside what was printed, in order, and a reason', () => {
    expect(reprintProblems('a', '2', 'x', 10)).toEqual(['通し番号を数字で入力してください。']);
    expect(reprintProblems('5', '3', 'x', 10)).toHaveLength(1);
    expect(reprintProblems('1', '11', 'x', 10)).toHaveLength(1);
    expect(reprintProblems('2', '3', ' ', 10)).toEqual(['再印刷の理由を入力してください。']);
    expect(reprintProblems('2', '3', '紙詰まり', 10)).toEqual([]);
  });

  it('sends the range and the reason and shows the updated report', async () => {
    const calls = mockShell({
      distributions: () => [summary({ state: 'approved' })],
      batch_status: () => ({
        state: 'finished',
        records_done: 1200,
        records_total: 1200,
        pages_spooled: 1200,
      }),
      batch_report: () => ({ lines: [{ label: '再印刷', value: '0件（0ページ）' }] }),
      batch_reprint: () => ({ lines: [{ label: '再印刷', value: '1件（3ページ）' }] }),
    });
    const user = userEvent.setup();
    render(DistributionPanel, { canExport: true });
    await user.click(await screen.findByRole('button', { name: '開く' }));
    expect(await screen.findByText('0件（0ページ）')).toBeTruthy();
    await user.type(screen.getByLabelText('通し番号（から）'), '10');
    await user.type(screen.getByLabelText('通し番号（まで）'), '12');
    await user.type(screen.getByLabelText('再印刷の理由'), '紙詰まり');
    await user.click(screen.getByRole('button', { name: '再印刷' }));
    expect(await screen.findByText('1件（3ページ）')).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'batch_reprint')?.args).toEqual({
      distributionId: 'dist-1',
      first: 10,
      last: 12,
      reason: '紙詰まり',
    });
  });
});
