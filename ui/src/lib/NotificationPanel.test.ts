import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import NotificationPanel from './NotificationPanel.svelte';
import { drafts } from './drafts.svelte';
import { DECISION, PREVIEW, mockShell } from '../test/shell';

async function fillMoveIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText('宛名番号'), '880001');
  await user.type(screen.getByLabelText('世帯番号'), '9880001');
  await user.type(screen.getByLabelText('氏名'), '研修　花子');
  await user.type(screen.getByLabelText('カナ氏名'), 'ケンシュウ ハナコ');
  await user.type(screen.getByLabelText('生年月日'), 'S19.4.4');
  await user.click(screen.getByLabelText('女'));
  await user.type(screen.getByLabelText('住所'), '新潟県見附市研修町1-2-3');
  await user.type(screen.getByLabelText('個人番号'), '987654321096');
  await user.type(screen.getByLabelText('転入日'), 'R8.11.21');
}

describe('NotificationPanel', () => {
  it('転入: submit, decision on screen, preview, print, record the handover at the counter', async () => {
    const calls = mockShell({
      submit: () => ({ result: 'decided', seq: 7, decision: DECISION }),
      preview_document: () => PREVIEW,
      print_document: () => ({ job: 'CUPS-PDF-1', printer: 'CUPS-PDF', pages: 1 }),
      record_issuance: () => ({}),
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await fillMoveIn(user);
    await user.click(screen.getByRole('button', { name: '届出を送信' }));

    expect(await screen.findByText('資格取得を決定しました。')).toBeTruthy();
    expect(screen.getByText('12345678')).toBeTruthy();
    expect(screen.getByText('1割')).toBeTruthy();
    const img = await screen.findByAltText('資格確認書のプレビュー（見本）');
    expect(img.getAttribute('src')).toBe(PREVIEW.data_url);

    const submit = calls.find((c) => c.cmd === 'submit');
    expect(submit?.args.form).toMatchObject({
      kind: 'acquisition_move_in',
      birth_date: 'S19.4.4',
      sex: 'female',
      my_number: '987654321096',
    });

    await user.click(screen.getByRole('button', { name: '印刷' }));
    expect(await screen.findByText(/印刷しました（プリンター CUPS-PDF/)).toBeTruthy();

    await user.click(screen.getByLabelText('マイナンバーカード'));
    await user.click(screen.getByRole('button', { name: '交付を記録' }));
    expect(await screen.findByText('交付を記録しました。')).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'record_issuance')?.args.form).toEqual({
      document_id: 'd-1',
      method: 'counter',
      identity_documents: ['my_number_card'],
      seq: 7,
    });
  });

  // Issue 14 #8: shortcuts for 送信, 印刷 and 交付 — the whole 転入 by keyboard.
  it('Ctrl+Enter sends, Alt+P prints and Alt+K records the handover', async () => {
    const calls = mockShell({
      submit: () => ({ result: 'decided', seq: 7, decision: DECISION }),
      preview_document: () => PREVIEW,
      print_document: () => ({ job: 'CUPS-PDF-1', printer: 'CUPS-PDF', pages: 1 }),
      record_issuance: () => ({}),
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await fillMoveIn(user);
    await user.keyboard('{Control>}{Enter}{/Control}');
    await screen.findByAltText('資格確認書のプレビュー（見本）');
    await user.keyboard('{Alt>}p{/Alt}');
    expect(await screen.findByText(/印刷しました（プリンター CUPS-PDF/)).toBeTruthy();
    await user.click(screen.getByLabelText('マイナンバーカード'));
    await user.keyboard('{Alt>}k{/Alt}');
    expect(await screen.findByText('交付を記録しました。')).toBeTruthy();
    expect(calls.filter((c) => c.cmd === 'print_document')).toHaveLength(1);
    expect(calls.filter((c) => c.cmd === 'record_issuance')).toHaveLength(1);
  });

  it('a double click sends one submission only', async () => {
    let release: (v: unknown) => void = () => undefined;
    const calls = mockShell({
      submit: () =>
        new Promise((resolve) => {
          release = resolve;
        }),
      preview_receipt: () => PREVIEW,
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await fillMoveIn(user);
    const button = screen.getByRole('button', { name: '届出を送信' });
    await user.dblClick(button);
    await user.click(button);
    expect(calls.filter((c) => c.cmd === 'submit')).toHaveLength(1);
    expect(screen.getByRole('button', { name: '送信中…' }).hasAttribute('disabled')).toBe(true);
    release({
      result: 'queued',
      reception_number: 'KENSYU-01-000001-7',
      seq: 1,
      kind: 'acquisition_move_in',
      kind_ja: '資格取得（転入）',
      queued_at: '2026-11-21T00:00:00Z',
      why_ja: '回線が切断されているため、受付として保存しました。',
    });
    expect(await screen.findByText('KENSYU-01-000001-7')).toBeTruthy();
  });

  it('offline: the 受付控 with the 受付番号 is previewed and printed', async () => {
    const calls = mockShell({
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
    await fillMoveIn(user);
    await user.click(screen.getByRole('button', { name: '届出を送信' }));
    expect(await screen.findByText('受付として保存しました')).toBeTruthy();
    expect(screen.getByText('回線が切断されているため、受付として保存しました。')).toBeTruthy();
    await screen.findByAltText('受付控のプレビュー');
    await user.click(screen.getByRole('button', { name: '受付控を印刷' }));
    expect(await screen.findByText(/受付控を印刷しました（プリンター CUPS-PDF）/)).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'print_receipt')?.args).toEqual({ seq: 2 });
  });

  it('shows the Japanese message next to each field the shell refused', async () => {
    mockShell({
      submit: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw {
          code: 'invalid_input',
          message_ja: '入力内容に誤りがあります。',
          fields: [{ field: 'birth_date', message_ja: '生年月日: 日付が正しくありません。' }],
        };
      },
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await user.click(screen.getByRole('button', { name: '届出を送信' }));
    expect(await screen.findByText('生年月日: 日付が正しくありません。')).toBeTruthy();
    expect(screen.getByLabelText('生年月日').getAttribute('aria-invalid')).toBe('true');
  });

  // Issue 14 #8: after a refused submit the cursor went back to the page.
  it('Ctrl+Enter sends from a field, and the cursor lands on the first refused field', async () => {
    const calls = mockShell({
      submit: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw {
          code: 'invalid_input',
          message_ja: '入力内容に誤りがあります。',
          fields: [{ field: 'birth_date', message_ja: '生年月日: 日付が正しくありません。' }],
        };
      },
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await user.type(screen.getByLabelText('氏名'), '見本　花子');
    await user.keyboard('{Control>}{Enter}{/Control}');
    expect(await screen.findByText('生年月日: 日付が正しくありません。')).toBeTruthy();
    expect(calls.filter((c) => c.cmd === 'submit')).toHaveLength(1);
    expect(document.activeElement).toBe(screen.getByLabelText('生年月日'));
  });

  it('a resident kind needs a resident chosen in 検索', () => {
    mockShell({});
    render(NotificationPanel, { initialKind: 'reissue' });
    expect(screen.getByText('先に「検索」で対象の方を選んでください。')).toBeTruthy();
    expect(screen.getByRole('button', { name: '届出を送信' }).hasAttribute('disabled')).toBe(true);
  });
});

describe('IssuanceFlow returns', () => {
  it('records the return (回収) of an old document', async () => {
    const calls = mockShell({
      submit: () => ({
        result: 'decided',
        seq: 8,
        decision: {
          ...DECISION,
          kind: 'reissue',
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
      preview_document: () => PREVIEW,
      record_return: () => ({}),
    });
    const user = userEvent.setup();
    render(NotificationPanel, {});
    await fillMoveIn(user);
    await user.click(screen.getByRole('button', { name: '届出を送信' }));
    await user.click(await screen.findByRole('button', { name: '回収を記録' }));
    expect(await screen.findByText('回収済み')).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'record_return')?.args).toEqual({
      form: { document_id: 'd-old' },
    });
  });
});

describe('NotificationPanel for a chosen resident', () => {
  const RESIDENT = {
    resident_id: 'r-5',
    name: '見本　障子',
    kana: 'ミホン ショウコ',
    birth_date: '1956-03-03',
    birth_wareki: '昭和31年3月3日',
    insured_number: null,
  };

  it('障害認定申請 sends the resident, the 個人番号 and the evidence shown', async () => {
    const calls = mockShell({
      submit: () => ({
        result: 'refused',
        seq: 4,
        code: 'not_eligible',
        reason_ja: '年齢が対象外です。',
      }),
    });
    const user = userEvent.setup();
    render(NotificationPanel, { resident: RESIDENT, initialKind: 'acquisition_disability' });
    expect(screen.getByText(/対象:/).textContent).toContain('見本　障子');
    await user.type(screen.getByLabelText('個人番号'), '987654321096');
    await user.click(screen.getByLabelText('療育手帳（A）'));
    await user.click(screen.getByRole('button', { name: '届出を送信' }));
    expect(await screen.findByText(/年齢が対象外です。/)).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'submit')?.args.form).toEqual({
      kind: 'acquisition_disability',
      resident_id: 'r-5',
      my_number: '987654321096',
      evidence: 'rehabilitation_certificate_a',
    });
  });

  it('names the target fully, and sends a refused 届出 again as its linked correction', async () => {
    const calls = mockShell({
      submit: () => ({
        result: 'refused',
        seq: 4,
        code: 'invalid_dates',
        reason_ja: '日付が不正です。',
      }),
      correct: () => ({
        result: 'queued',
        reception_number: 'T-000005-0',
        seq: 5,
        kind: 'acquisition_disability',
        kind_ja: '資格取得（障害認定）',
        queued_at: '2026-12-07T03:00:00Z',
        why_ja: '',
        undecided_ja: '資格の決定と資格確認書の交付は、広域連合の決定の後になります。',
      }),
    });
    const user = userEvent.setup();
    render(NotificationPanel, { resident: RESIDENT, initialKind: 'acquisition_disability' });
    const target = screen.getByText(/対象:/).textContent;
    expect(target).toContain('ミホン ショウコ');
    expect(target).toContain('昭和31年3月3日');
    await user.type(screen.getByLabelText('個人番号'), '987654321096');
    await user.click(screen.getByLabelText('療育手帳（A）'));
    await user.click(screen.getByRole('button', { name: '届出を送信' }));
    expect(await screen.findByText(/差戻し/)).toBeTruthy();
    // What was typed is still there; the next press sends the correction of item 4, not a new 届出.
    expect(screen.getByLabelText<HTMLInputElement>('個人番号').value).toBe('987654321096');
    await user.click(screen.getByRole('button', { name: '訂正して再送' }));
    const sent = calls.find((c) => c.cmd === 'correct');
    expect(sent?.args.seq).toBe(4);
    expect(calls.filter((c) => c.cmd === 'submit')).toHaveLength(1);
  });

  it('次の届出へ starts without the previous resident as target (issue #14 finding 4)', async () => {
    mockShell({
      submit: () => ({
        result: 'queued',
        reception_number: 'KENSYU-01-000006-8',
        seq: 6,
        kind: 'reissue',
        kind_ja: '再交付',
        queued_at: '2026-12-07T03:00:00Z',
        why_ja: '回線が切断されているため、受付として保存しました。',
        undecided_ja: '新しい資格確認書の印刷・交付は、広域連合の決定の後になります。',
      }),
      preview_receipt: () => PREVIEW,
    });
    drafts.resident = RESIDENT;
    const user = userEvent.setup();
    render(NotificationPanel, { resident: RESIDENT, initialKind: 'reissue' });
    await user.click(screen.getByLabelText('紛失'));
    await user.click(screen.getByRole('button', { name: '届出を送信' }));
    await user.click(await screen.findByRole('button', { name: '次の届出へ' }));
    expect(drafts.resident).toBeUndefined();
    drafts.clear();
  });
});
