import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import SearchPanel from './SearchPanel.svelte';
import { mockShell } from '../test/shell';

const DETAIL = {
  resident_id: 'r-9',
  addressee_number: '100001',
  household_number: '9100001',
  name: '見本　太郎',
  kana: 'ミホン タロウ',
  birth_date: '1951-12-01',
  sex: 'male',
  address: '新潟県見附市昭和町1-1',
  state: 'insured',
  qualification: {
    insured_number: '00000017',
    insurer_number: '39152114',
    acquired_on: '2026-12-01',
    burden_ratio: '2',
  },
  on_welfare: false,
  mynumber_health_card: false,
  has_my_number: true,
  documents: [],
};

/** A row as the shell's search answers it (sorted, with 和暦, age, 町域, 宛名番号). */
const ROW = {
  resident_id: 'r-9',
  name: '見本　太郎',
  kana: 'ミホン タロウ',
  birth_date: '1951-12-01',
  birth_wareki: '昭和26年12月1日',
  age: 75,
  sex: 'male',
  insured_number: '00000017',
  state: 'insured',
  state_ja: '資格あり',
  addressee_number: '100001',
  address_area: '新潟県見附市昭和町',
  name_has_gaiji: false,
};

describe('SearchPanel', () => {
  it('searches by 和暦 birth date, shows rows in 和暦 and the record with the 個人番号 masked', async () => {
    const calls = mockShell({
      search: () => ({
        residents: [ROW],
        truncated: false,
        roster: null,
      }),
      resident: () => DETAIL,
    });
    const onchoose = vi.fn();
    const user = userEvent.setup();
    render(SearchPanel, { onchoose });
    await user.type(screen.getByLabelText('生年月日'), 'S26.12.1{Enter}');
    expect(calls.find((c) => c.cmd === 'search')?.args.form).toEqual({
      insured_number: '',
      kana: '',
      birth_date: 'S26.12.1',
    });
    expect(await screen.findByText('1件')).toBeTruthy();
    expect(screen.getByText('昭和26年12月1日')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '見本　太郎' }));
    expect(await screen.findByText('＊＊＊＊ ＊＊＊＊ ＊＊＊＊（登録あり）')).toBeTruthy();
    expect(screen.getByText('2割')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'この方の届出へ' }));
    expect(onchoose).toHaveBeenCalledWith(expect.objectContaining({ resident_id: 'r-9' }));
  });

  it('reveals the 個人番号 only on an explicit action, and only with the permission', async () => {
    const search = () => ({
      residents: [ROW],
      truncated: false,
      roster: null,
    });
    // Without the permission there is no way to show it.
    mockShell({ search, resident: () => DETAIL });
    const user = userEvent.setup();
    const first = render(SearchPanel, { onchoose: vi.fn() });
    await user.type(screen.getByLabelText('カナ氏名（前方一致）'), 'ミホン{Enter}');
    await user.click(await screen.findByRole('button', { name: '見本　太郎' }));
    await screen.findByText('＊＊＊＊ ＊＊＊＊ ＊＊＊＊（登録あり）');
    expect(screen.queryByRole('button', { name: '個人番号を表示' })).toBeNull();
    first.unmount();

    // With it: masked until the clerk asks, then shown, then hidden again on request.
    const calls = mockShell({
      search,
      resident: () => DETAIL,
      reveal_my_number: () => '987654321096',
    });
    render(SearchPanel, { onchoose: vi.fn(), canRevealMyNumber: true });
    await user.type(screen.getByLabelText('カナ氏名（前方一致）'), 'ミホン{Enter}');
    await user.click(await screen.findByRole('button', { name: '見本　太郎' }));
    await screen.findByText('＊＊＊＊ ＊＊＊＊ ＊＊＊＊（登録あり）');
    expect(calls.some((c) => c.cmd === 'reveal_my_number')).toBe(false);
    // First the purpose (利用目的): cancelling reveals nothing.
    await user.click(screen.getByRole('button', { name: '個人番号を表示' }));
    await user.click(screen.getByRole('button', { name: 'やめる' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.some((c) => c.cmd === 'reveal_my_number')).toBe(false);
    await user.click(screen.getByRole('button', { name: '個人番号を表示' }));
    await user.selectOptions(screen.getByLabelText('利用目的'), '本人確認');
    await user.click(screen.getByRole('button', { name: '表示する' }));
    expect(await screen.findByText('987654321096')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.find((c) => c.cmd === 'reveal_my_number')?.args).toEqual({
      residentId: 'r-9',
      purpose: 'identity_check',
      purposeText: null,
    });
    await user.click(screen.getByRole('button', { name: '隠す' }));
    expect(screen.queryByText('987654321096')).toBeNull();
  });

  it('shows a field error in Japanese', async () => {
    mockShell({
      search: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw {
          code: 'invalid_input',
          message_ja: '入力内容に誤りがあります。',
          fields: [{ field: 'kana', message_ja: 'カナ氏名: カタカナで入力してください。' }],
        };
      },
    });
    const user = userEvent.setup();
    render(SearchPanel, { onchoose: vi.fn() });
    await user.type(screen.getByLabelText('カナ氏名（前方一致）'), 'abc{Enter}');
    expect(await screen.findByText('カナ氏名: カタカナで入力してください。')).toBeTruthy();
  });

  it('shows age, 町域 and 宛名番号, and offline says the roster age and chooses from the row', async () => {
    mockShell({
      search: () => ({
        residents: [{ ...ROW, sex: null, addressee_number: null, address_area: null }],
        truncated: false,
        roster: {
          as_of: '2026-12-07',
          refreshed_at: '2026-12-07T03:03:00Z',
          label_ja: '名簿 12:03 時点',
        },
      }),
    });
    const onchoose = vi.fn();
    const user = userEvent.setup();
    render(SearchPanel, { onchoose });
    await user.type(screen.getByLabelText('カナ氏名（前方一致）'), 'ミホン{Enter}');
    expect(await screen.findByText(/オフライン名簿で検索しました（名簿 12:03 時点）/)).toBeTruthy();
    expect(screen.getByText('75歳')).toBeTruthy();
    // No record view offline: the row itself is the target, with what the target line shows.
    expect(screen.queryByRole('button', { name: '見本　太郎' })).toBeNull();
    await user.click(screen.getByRole('button', { name: '届出へ' }));
    expect(onchoose).toHaveBeenCalledWith({
      resident_id: 'r-9',
      name: '見本　太郎',
      kana: 'ミホン タロウ',
      birth_date: '1951-12-01',
      birth_wareki: '昭和26年12月1日',
      insured_number: '00000017',
    });
  });

  it('online rows carry 町域 and 宛名番号', async () => {
    mockShell({ search: () => ({ residents: [ROW], truncated: false, roster: null }) });
    const user = userEvent.setup();
    render(SearchPanel, { onchoose: vi.fn() });
    await user.type(screen.getByLabelText('カナ氏名（前方一致）'), 'ミホン{Enter}');
    expect(await screen.findByText('新潟県見附市昭和町')).toBeTruthy();
    expect(screen.getByText('100001')).toBeTruthy();
    expect(screen.queryByText(/オフライン名簿/)).toBeNull();
  });
});
