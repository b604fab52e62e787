import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import MainScreen from './MainScreen.svelte';
import NotificationPanel from './NotificationPanel.svelte';
import { DECISION, PREVIEW, mockShell } from '../test/shell';

// Issue 14 #8: after each step of the clerk's day the cursor is where the next key press is meant to go.

const COUNTER = ['counter_work', 'my_number'] as const;

// user-event walks a radio group with the arrow keys through CSS.escape, which jsdom lacks.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- absent at run time in jsdom
if (!window.CSS?.escape) {
  Object.defineProperty(window, 'CSS', {
    value: { escape: (s: string) => s.replace(/[^\w-]/g, (c) => `\\${c}`) },
  });
}

function focused(): Element | null {
  return document.activeElement;
}

async function focusIs(el: () => Element) {
  await waitFor(() => {
    expect(focused()).toBe(el());
  });
}

function decidedShell() {
  return mockShell({
    submit: () => ({ result: 'decided', seq: 7, decision: DECISION }),
    preview_document: () => PREVIEW,
    print_document: () => ({ job: 'CUPS-PDF-1', printer: 'CUPS-PDF', pages: 1 }),
    record_issuance: () => ({}),
  });
}

describe('focus on the 届出 screen', () => {
  it('the screen opens with the cursor in the first entry of a 転入 (宛名番号)', async () => {
    mockShell({});
    render(MainScreen, { capabilities: [...COUNTER] });
    await focusIs(() => screen.getByLabelText('宛名番号'));
  });

  it('検索 (Alt+1) puts the cursor in the search box', async () => {
    mockShell({});
    const user = userEvent.setup();
    render(MainScreen, { capabilities: [...COUNTER] });
    await focusIs(() => screen.getByLabelText('宛名番号'));
    await user.keyboard('{Alt>}1{/Alt}');
    await focusIs(() => screen.getByLabelText('被保険者番号'));
  });

  it('keyboard only: 転入 → decision → 印刷 → 交付 → Alt+N, each step focusing the next action', async () => {
    const calls = decidedShell();
    const user = userEvent.setup();
    render(MainScreen, { capabilities: [...COUNTER] });
    await focusIs(() => screen.getByLabelText('宛名番号'));
    await user.keyboard('880001{Tab}9880001{Tab}研修　花子{Tab}ケンシュウ ハナコ{Tab}S19.4.4{Tab}');
    expect(focused()).toBe(screen.getByLabelText('男'));
    await user.keyboard('{ArrowRight}');
    expect(screen.getByLabelText<HTMLInputElement>('女').checked).toBe(true);
    await user.keyboard('{Tab}新潟県見附市研修町1-2-3{Tab}987654321096{Tab}R8.11.21');
    expect(focused()).toBe(screen.getByLabelText('転入日'));
    await user.keyboard('{Control>}{Enter}{/Control}');

    // The decision: the cursor goes to it, then to 印刷 once the preview is there; Enter prints.
    await screen.findByAltText('資格確認書のプレビュー（見本）');
    await focusIs(() => screen.getByRole('button', { name: '印刷' }));
    await user.keyboard('{Enter}');
    await screen.findByText(/印刷しました（プリンター CUPS-PDF/);
    // After printing: the first 本人確認書類 (Space ticks it), then Alt+K records the handover.
    await focusIs(() => screen.getByLabelText('マイナンバーカード'));
    await user.keyboard(' {Alt>}k{/Alt}');
    await screen.findByText('交付を記録しました。');
    await focusIs(() => screen.getByRole('button', { name: '次の届出へ' }));
    expect(calls.find((c) => c.cmd === 'record_issuance')?.args.form).toMatchObject({
      identity_documents: ['my_number_card'],
      method: 'counter',
    });

    // Alt+N: a new 届出, the cursor in its first entry.
    await user.keyboard('{Alt>}n{/Alt}');
    await focusIs(() => screen.getByLabelText('宛名番号'));
    expect(screen.getByLabelText<HTMLInputElement>('宛名番号').value).toBe('');
    expect(calls.filter((c) => c.cmd === 'submit')).toHaveLength(1);
  });

  it('Alt+N keeps a half-typed 届出 and puts the cursor back in its first field', async () => {
    mockShell({});
    const user = userEvent.setup();
    render(MainScreen, { capabilities: [...COUNTER] });
    await focusIs(() => screen.getByLabelText('宛名番号'));
    await user.keyboard('880001');
    await user.click(screen.getByRole('tab', { name: /受付一覧/ }));
    await user.keyboard('{Alt>}n{/Alt}');
    await focusIs(() => screen.getByLabelText('宛名番号'));
    expect(screen.getByLabelText<HTMLInputElement>('宛名番号').value).toBe('880001');
  });

  it('次の届出へ (Enter) puts the cursor in the first entry of the next 届出', async () => {
    decidedShell();
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await user.keyboard('{Control>}{Enter}{/Control}');
    await screen.findByAltText('資格確認書のプレビュー（見本）');
    await user.click(screen.getByRole('button', { name: '印刷' }));
    await user.click(screen.getByLabelText('マイナンバーカード'));
    await user.keyboard('{Alt>}k{/Alt}');
    await focusIs(() => screen.getByRole('button', { name: '次の届出へ' }));
    await user.keyboard('{Enter}');
    await focusIs(() => screen.getByLabelText('宛名番号'));
  });

  it('a 受付控: the cursor goes to 受付控を印刷, then to 次の届出へ', async () => {
    mockShell({
      submit: () => ({
        result: 'queued',
        reception_number: 'KENSYU-01-000002-5',
        seq: 2,
        kind: 'acquisition_move_in',
        kind_ja: '資格取得（転入）',
        queued_at: '2026-11-21T00:00:00Z',
        why_ja: '回線が切断されているため、受付として保存しました。',
      }),
      preview_receipt: () => PREVIEW,
      print_receipt: () => ({ job: 'CUPS-PDF-2', printer: 'CUPS-PDF', pages: 1 }),
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await user.keyboard('{Control>}{Enter}{/Control}');
    await screen.findByAltText('受付控のプレビュー');
    await focusIs(() => screen.getByRole('button', { name: '受付控を印刷' }));
    await user.keyboard('{Enter}');
    await focusIs(() => screen.getByRole('button', { name: '次の届出へ' }));
  });

  it('a decision with nothing to hand over: the cursor goes to 回収を記録, then to 完了', async () => {
    mockShell({
      submit: () => ({
        result: 'decided',
        seq: 9,
        decision: {
          ...DECISION,
          kind: 'loss_death',
          document: null,
          documents_to_return: [
            {
              document_id: 'd-old',
              kind: 'shikaku_kakuninsho',
              valid_from: '2025-08-01',
              valid_until: '2027-07-31',
              state: 'to_return',
            },
          ],
        },
      }),
      record_return: () => ({}),
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await user.keyboard('{Control>}{Enter}{/Control}');
    await focusIs(() => screen.getByRole('button', { name: '回収を記録' }));
    await user.keyboard('{Enter}');
    await screen.findByText('回収済み');
    await focusIs(() => screen.getByRole('button', { name: /完了/ }));
  });

  it("the union's refusal naming 転入日 marks that field and puts the cursor in it", async () => {
    mockShell({
      submit: () => ({
        result: 'refused',
        seq: 4,
        code: 'invalid_dates',
        reason_ja: '転入日が生年月日より前です。転入日と生年月日を確認してください。',
        field: 'moved_in_on',
      }),
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await user.keyboard('{Control>}{Enter}{/Control}');
    expect(await screen.findByText(/差戻し/)).toBeTruthy();
    const movedIn = screen.getByLabelText('転入日');
    await focusIs(() => movedIn);
    expect(movedIn.getAttribute('aria-invalid')).toBe('true');
  });
});
