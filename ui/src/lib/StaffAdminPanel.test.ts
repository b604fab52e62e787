import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import StaffAdminPanel from './StaffAdminPanel.svelte';
import { mockShell } from '../test/shell';

const ACCOUNT = {
  user_id: 't.temp',
  display_name: '臨時 太郎',
  municipality: '152111',
  grants: [{ right: 'clerk', from: '2026-04-01', until: '2026-09-30', in_effect: true }],
  state: 'active',
};

describe('StaffAdminPanel', () => {
  it('changes grants with their period and resets a password to a temporary one', async () => {
    const calls = mockShell({
      staff_accounts: () => ({ accounts: [ACCOUNT] }),
      set_staff_grants: () => ACCOUNT,
      reset_staff_password: () => ACCOUNT,
    });
    const user = userEvent.setup();
    render(StaffAdminPanel, {});
    await user.click(await screen.findByRole('button', { name: '権限・パスワード' }));
    // The form starts from what is in effect.
    expect(screen.getByLabelText<HTMLInputElement>('有効期間の終了日').value).toBe('2026-09-30');
    const edit = screen.getByRole('region', { name: /t\.temp/ });
    const boxes = edit.querySelectorAll<HTMLInputElement>('input[type=checkbox]');
    expect(boxes[0]?.checked).toBe(true);
    await user.click(boxes[1] as HTMLInputElement);
    await user.clear(screen.getByLabelText('有効期間の終了日'));
    await user.type(screen.getByLabelText('有効期間の終了日'), '2027-03-31');
    await user.click(screen.getByRole('button', { name: '権限を変更' }));
    expect(await screen.findByText(/権限を変更しました/)).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'set_staff_grants')?.args).toEqual({
      userId: 't.temp',
      grants: [
        { right: 'clerk', from: '2026-04-01', until: '2027-03-31' },
        { right: 'supervisor', from: '2026-04-01', until: '2027-03-31' },
      ],
    });

    await user.click(screen.getByRole('button', { name: '権限・パスワード' }));
    await user.type(screen.getByLabelText(/新しい仮パスワード/), 'a temporary passphrase');
    await user.click(screen.getByRole('button', { name: 'パスワードを再設定' }));
    expect(await screen.findByText(/パスワードを再設定しました/)).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'reset_staff_password')?.args).toEqual({
      userId: 't.temp',
      newPassword: 'a temporary passphrase',
    });
  });

  it('shows the union refusal in Japanese', async () => {
    mockShell({
      staff_accounts: () => ({ accounts: [ACCOUNT] }),
      reset_staff_password: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw { code: 'password_too_short', message_ja: 'パスワードは12文字以上にしてください。' };
      },
    });
    const user = userEvent.setup();
    render(StaffAdminPanel, {});
    await user.click(await screen.findByRole('button', { name: '権限・パスワード' }));
    await user.type(screen.getByLabelText(/新しい仮パスワード/), 'short');
    await user.click(screen.getByRole('button', { name: 'パスワードを再設定' }));
    expect(await screen.findByText('パスワードは12文字以上にしてください。')).toBeTruthy();
  });
});
