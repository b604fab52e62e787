import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import RevealPurposeDialog from './RevealPurposeDialog.svelte';
import { PURPOSES, purposeFrom } from './revealPurpose';

describe('RevealPurposeDialog', () => {
  it('lists the purposes and needs one before revealing', async () => {
    const onconfirm = vi.fn();
    render(RevealPurposeDialog, { onconfirm, oncancel: vi.fn() });
    const user = userEvent.setup();
    const select = screen.getByLabelText('利用目的');
    const labels = Array.from(select.querySelectorAll('option:not([disabled])')).map(
      (o) => o.textContent,
    );
    expect(labels).toEqual([
      '届出の審査・入力',
      '本人確認',
      '番号の確認・訂正',
      '情報提供ネットワーク照会',
      'その他',
    ]);
    await user.click(screen.getByRole('button', { name: '表示する' }));
    expect(screen.getByRole('alert').textContent).toContain('利用目的を選んでください');
    expect(onconfirm).not.toHaveBeenCalled();
    await user.selectOptions(select, '情報提供ネットワーク照会');
    await user.click(screen.getByRole('button', { name: '表示する' }));
    expect(onconfirm).toHaveBeenCalledWith({ purpose: 'inquiry', purposeText: null });
  });

  it('asks for a short text for その他, without personal data', async () => {
    const onconfirm = vi.fn();
    render(RevealPurposeDialog, { onconfirm, oncancel: vi.fn() });
    const user = userEvent.setup();
    expect(screen.queryByLabelText(/その他の目的/)).toBeNull();
    await user.selectOptions(screen.getByLabelText('利用目的'), 'その他');
    const text = screen.getByLabelText(/その他の目的/);
    expect(text.getAttribute('maxlength')).toBe('100');
    expect(screen.getByText(/個人情報は書かないでください/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '表示する' }));
    expect(screen.getByRole('alert').textContent).toContain('目的を入力してください');
    expect(onconfirm).not.toHaveBeenCalled();
    await user.type(text, '  監査対応  ');
    await user.click(screen.getByRole('button', { name: '表示する' }));
    expect(onconfirm).toHaveBeenCalledWith({ purpose: 'other', purposeText: '監査対応' });
  });

  it('closes on やめる and on Escape without a purpose', async () => {
    const oncancel = vi.fn();
    const onconfirm = vi.fn();
    render(RevealPurposeDialog, { onconfirm, oncancel });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'やめる' }));
    expect(oncancel).toHaveBeenCalledTimes(1);
    screen.getByLabelText('利用目的').focus();
    await user.keyboard('{Escape}');
    expect(oncancel).toHaveBeenCalledTimes(2);
    expect(onconfirm).not.toHaveBeenCalled();
  });
});

describe('purposeFrom', () => {
  it('parses a choice and refuses what the union would refuse', () => {
    expect(PURPOSES.map((p) => p.code)).toEqual([
      'notification',
      'identity_check',
      'number_check',
      'inquiry',
      'other',
    ]);
    expect(purposeFrom('number_check', 'ignored')).toEqual({
      purpose: 'number_check',
      purposeText: null,
    });
    expect(purposeFrom('', '')).toBe('個人番号を表示する利用目的を選んでください。');
    expect(purposeFrom('lunch', '')).toBe('個人番号を表示する利用目的を選んでください。');
    expect(purposeFrom('other', ' \t ')).toBe(
      '利用目的が「その他」のときは、目的を入力してください。',
    );
    expect(purposeFrom('other', 'あ'.repeat(101))).toBe('目的は100文字以内で入力してください。');
    expect(purposeFrom('other', 'あ'.repeat(100))).toEqual({
      purpose: 'other',
      purposeText: 'あ'.repeat(100),
    });
  });
});
