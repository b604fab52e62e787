import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import DisabilityReviewPanel from './DisabilityReviewPanel.svelte';
import { ageOn, reviewProblems } from './unionOffice';
import { DECISION, mockShell } from '../test/shell';

const REVIEW = {
  resident_id: 'r-7',
  municipality: '152111',
  received_on: '2026-12-01',
  birth_date: '1956-04-02',
  evidence: 'physical_disability_certificate',
};

describe('review checks', () => {
  it('counts the age in full years and wants a reason for 却下', () => {
    expect(ageOn('1956-04-02', '2026-12-01')).toBe(70);
    expect(ageOn('1956-12-02', '2026-12-01')).toBe(69);
    expect(ageOn('1956-12-01', '2026-12-01')).toBe(70);
    expect(reviewProblems(undefined, '')).toEqual(['認定または却下を選んでください。']);
    expect(reviewProblems('refuse', ' ')).toEqual(['却下の理由を入力してください。']);
    expect(reviewProblems('certify', '')).toEqual([]);
  });
});

describe('DisabilityReviewPanel', () => {
  it('lists applications 審査中 with age and evidence only, and certifies one', async () => {
    let pending = [REVIEW];
    const calls = mockShell({
      disability_reviews: () => pending,
      decide_disability_review: () => {
        pending = [];
        return {
          ...DECISION,
          message_ja: '障害認定により資格取得を決定しました（広域連合審査）。',
        };
      },
    });
    const user = userEvent.setup();
    render(DisabilityReviewPanel, {});
    expect(await screen.findByText('令和8年12月1日')).toBeTruthy();
    expect(screen.getByText('身体障害者手帳（1〜3級・4級の一部）')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '審査' }));
    expect(screen.getByText('昭和31年4月2日（70歳で受付）')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '決定' }));
    expect(await screen.findByText('認定または却下を選んでください。')).toBeTruthy();
    expect(calls.some((c) => c.cmd === 'decide_disability_review')).toBe(false);
    await user.click(screen.getByLabelText('認定'));
    await user.click(screen.getByRole('button', { name: '決定' }));
    expect(await screen.findByText(/資格取得を決定しました/)).toBeTruthy();
    expect(await screen.findByText('審査中の申請はありません。')).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'decide_disability_review')?.args).toEqual({
      form: { resident_id: 'r-7', certified: true, certified_on: '', reason: '' },
    });
  });

  it('refuses with a reason, and shows the union’s refusal of the decision', async () => {
    const calls = mockShell({
      disability_reviews: () => [REVIEW],
      decide_disability_review: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw { code: 'forbidden', message_ja: 'この操作の権限がありません。' };
      },
    });
    const user = userEvent.setup();
    render(DisabilityReviewPanel, {});
    await user.click(await screen.findByRole('button', { name: '審査' }));
    await user.click(screen.getByLabelText('却下'));
    await user.click(screen.getByRole('button', { name: '決定' }));
    expect(await screen.findByText('却下の理由を入力してください。')).toBeTruthy();
    await user.type(screen.getByLabelText(/^却下の理由/), '等級が対象外');
    await user.click(screen.getByRole('button', { name: '決定' }));
    expect(await screen.findByText('この操作の権限がありません。')).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'decide_disability_review')?.args).toEqual({
      form: { resident_id: 'r-7', certified: false, certified_on: '', reason: '等級が対象外' },
    });
  });
});
