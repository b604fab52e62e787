import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import UnionDistributionPanel from './UnionDistributionPanel.svelte';
import { mockShell } from '../test/shell';

const HASH = 'ab12cd34ef56'.padEnd(64, '0');

function summary(over: Record<string, unknown> = {}) {
  return {
    distribution_id: 'dist-1',
    kind: 'monthly_age_arrival',
    municipality: '152111',
    reference_date: '2027-01-01',
    mail_class: 'simple_registered_no_forward',
    state: 'awaiting_union_approval',
    record_count: 11,
    page_count: 11,
    breakdown: [],
    content_hash: HASH,
    created_by: '152111-union-staff1',
    created_at: '2026-12-01T00:00:00Z',
    note: '',
    ...over,
  };
}

describe('UnionDistributionPanel', () => {
  it('creates a 75歳到達 distribution for a month and lists it waiting for a second approver', async () => {
    let list: ReturnType<typeof summary>[] = [];
    const calls = mockShell({
      union_distributions: () => list,
      create_distribution: () => {
        list = [summary()];
        return list[0];
      },
    });
    const user = userEvent.setup();
    render(UnionDistributionPanel, {});
    expect(await screen.findByText('配信はまだありません。')).toBeTruthy();
    await user.clear(screen.getByLabelText('配信先の市区町村コード（6桁）'));
    await user.type(screen.getByLabelText('配信先の市区町村コード（6桁）'), '152111');
    await user.type(screen.getByLabelText(/^基準日/), '令和9年1月1日');
    await user.type(screen.getByLabelText(/承認者へのメモ/), '1月分');
    await user.click(screen.getByRole('button', { name: '作成' }));
    expect(await screen.findByText(/別の広域連合職員の承認を待ちます/)).toBeTruthy();
    expect(screen.getByText('令和9年1月1日')).toBeTruthy();
    expect(screen.getAllByText('広域連合承認待ち').length).toBeGreaterThan(0);
    expect(calls.find((c) => c.cmd === 'create_distribution')?.args).toEqual({
      form: {
        kind: 'monthly_age_arrival',
        municipality: '152111',
        reference_date: '令和9年1月1日',
        mail_class: 'simple_registered_no_forward',
        note: '1月分',
      },
    });
  });

  it('asks for the 基準日 before sending and shows the shell’s field errors', async () => {
    const calls = mockShell({
      union_distributions: () => [],
      create_distribution: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw {
          code: 'invalid_input',
          message_ja: '入力内容に誤りがあります。',
          fields: [
            { field: 'municipality', message_ja: '配信先の市区町村コード: 検査数字が違います。' },
          ],
        };
      },
    });
    const user = userEvent.setup();
    render(UnionDistributionPanel, {});
    await user.click(await screen.findByRole('button', { name: '作成' }));
    expect(await screen.findByText('基準日を入力してください。')).toBeTruthy();
    expect(calls.some((c) => c.cmd === 'create_distribution')).toBe(false);
    await user.type(screen.getByLabelText(/^基準日/), '2027-01-01');
    await user.click(screen.getByRole('button', { name: '作成' }));
    expect(await screen.findByText('配信先の市区町村コード: 検査数字が違います。')).toBeTruthy();
  });

  it('approves the shown content, and shows the union’s refusal when the creator tries', async () => {
    let state = 'awaiting_union_approval';
    let refuse = true;
    const calls = mockShell({
      union_distributions: () => [summary({ state })],
      union_approve_distribution: () => {
        if (refuse) {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
          throw {
            code: 'self_approval',
            message_ja: '自分が作成した配信は承認できません。別の職員が承認してください。',
          };
        }
        state = 'released';
        return summary({ state });
      },
    });
    const user = userEvent.setup();
    render(UnionDistributionPanel, {});
    await user.click(
      await screen.findByRole('button', { name: '承認（確認コード ab12cd34ef56）' }),
    );
    expect(
      await screen.findByText('自分が作成した配信は承認できません。別の職員が承認してください。'),
    ).toBeTruthy();
    refuse = false;
    await user.click(screen.getByRole('button', { name: '承認（確認コード ab12cd34ef56）' }));
    expect(await screen.findByText(/市区町村（152111）の監督者の承認待ち/)).toBeTruthy();
    expect(screen.getByText('承認待ち')).toBeTruthy();
    expect(calls.filter((c) => c.cmd === 'union_approve_distribution').at(-1)?.args).toEqual({
      distributionId: 'dist-1',
      contentHash: HASH,
    });
  });
});
