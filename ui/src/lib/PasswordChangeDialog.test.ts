import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import PasswordChangeDialog from './PasswordChangeDialog.svelte';
import { mockShell, STAFF } from '../test/shell';

function setup(handlers: Parameters<typeof mockShell>[0]) {
  const calls = mockShell(handlers);
  const onchanged = vi.fn();
  const user = userEvent.setup();
  render(PasswordChangeDialog, {
    reason: 'first_sign_in',
    messageJa: '初回のサインインです。',
    onchanged,
  });
  return {
    calls,
    onchanged,
    user,
    current: screen.getByLabelText<HTMLInputElement>('現在のパスワード'),
    next: screen.getByLabelText<HTMLInputElement>('新しいパスワード'),
    confirm: screen.getByLabelText<HTMLInputElement>('新しいパスワード（確認）'),
  };
}

describe('PasswordChangeDialog', () => {
  it('says why and starts in the current password', () => {
    setup({});
    expect(screen.getByText('初回サインイン：パスワードの変更')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('現在のパスワード'));
  });

  it('refuses a mistyped confirmation without calling the shell', async () => {
    const { user, current, next, confirm, calls } = setup({});
    await user.type(current, 'handed over on paper');
    await user.type(next, 'river stones at dusk');
    await user.type(confirm, 'river stones at dawn');
    await user.keyboard('{Enter}');
    expect(screen.getByText('確認用のパスワードが一致しません。')).toBeTruthy();
    expect(document.activeElement).toBe(confirm);
    expect(calls).toHaveLength(0);
  });

  it("shows the union's Japanese refusal and clears the new password", async () => {
    const { user, current, next, confirm, onchanged } = setup({
      change_password: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw { code: 'password_too_short', message_ja: 'パスワードは12文字以上にしてください。' };
      },
    });
    await user.type(current, 'handed over on paper');
    await user.type(next, 'too short');
    await user.type(confirm, 'too short');
    await user.keyboard('{Enter}');
    expect(await screen.findByText('パスワードは12文字以上にしてください。')).toBeTruthy();
    expect(next.value).toBe('');
    expect(confirm.value).toBe('');
    expect(onchanged).not.toHaveBeenCalled();
  });

  it('sends current and new password and reports the change', async () => {
    const { user, current, next, confirm, onchanged, calls } = setup({
      change_password: () => STAFF,
    });
    await user.type(current, 'handed over on paper');
    await user.type(next, 'river stones at dusk');
    await user.type(confirm, 'river stones at dusk');
    await user.click(screen.getByRole('button', { name: 'パスワードを変更' }));
    await vi.waitFor(() => {
      expect(onchanged).toHaveBeenCalledWith(STAFF);
    });
    expect(calls).toEqual([
      {
        cmd: 'change_password',
        args: { currentPassword: 'handed over on paper', newPassword: 'river stones at dusk' },
      },
    ]);
  });
});
