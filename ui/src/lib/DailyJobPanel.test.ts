import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import DailyJobPanel from './DailyJobPanel.svelte';
import { mockShell } from '../test/shell';

const RUN = {
  on: '2026-12-20',
  finished_at: '2026-12-19T15:00:05Z',
  age_75: 8123,
  new_age_75: 8,
  acquisitions_effective: 3,
  losses_effective: 2,
  documents_expired: 1,
  new_documents_voided: 1,
};

describe('DailyJobPanel', () => {
  it('shows each run with its day in 和暦 and the counts by kind', async () => {
    mockShell({ daily_runs: () => [RUN] });
    render(DailyJobPanel, {});
    expect(await screen.findByText(/処理日 令和8年12月20日/)).toBeTruthy();
    expect(screen.getByText(/終了 令和8年12月20日 00:00:05/)).toBeTruthy();
    expect(screen.getByText('8,123件（うち今回 8件）')).toBeTruthy();
    expect(screen.getByText('3件')).toBeTruthy();
    expect(screen.getByText('2件')).toBeTruthy();
    expect(screen.getByText('1件（未交付の無効化 1件）')).toBeTruthy();
  });

  it('says when no run happened yet and loads again on 更新', async () => {
    let runs: (typeof RUN)[] = [];
    const calls = mockShell({ daily_runs: () => runs });
    const user = userEvent.setup();
    render(DailyJobPanel, {});
    expect(await screen.findByText(/日次処理はまだ実行されていません/)).toBeTruthy();
    runs = [RUN];
    await user.click(screen.getByRole('button', { name: '更新' }));
    expect(await screen.findByText(/処理日 令和8年12月20日/)).toBeTruthy();
    expect(calls.filter((c) => c.cmd === 'daily_runs')).toHaveLength(2);
  });
});
