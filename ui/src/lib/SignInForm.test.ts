import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import SignInForm from './SignInForm.svelte';

function setup() {
  const onsubmit = vi.fn();
  const user = userEvent.setup();
  render(SignInForm, { onsubmit });
  return {
    onsubmit,
    user,
    staffId: screen.getByLabelText<HTMLInputElement>('職員ID'),
    password: screen.getByLabelText<HTMLInputElement>('パスワード'),
  };
}

describe('SignInForm', () => {
  it('starts with the cursor in 職員ID', () => {
    const { staffId } = setup();
    expect(document.activeElement).toBe(staffId);
  });

  it('shows a Japanese error for an empty 職員ID and does not submit', async () => {
    const { user, password, staffId, onsubmit } = setup();
    await user.click(password);
    await user.keyboard('secret');
    await user.click(screen.getByRole('button', { name: 'サインイン' }));
    expect(screen.getByText('職員IDを入力してください。')).toBeTruthy();
    expect(screen.queryByText('パスワードを入力してください。')).toBeNull();
    expect(staffId.getAttribute('aria-invalid')).toBe('true');
    expect(staffId.getAttribute('aria-describedby')).toBe('staff-id-error');
    expect(document.activeElement).toBe(staffId);
    expect(onsubmit).not.toHaveBeenCalled();
  });

  it('pressing Enter submits: the form is validated', async () => {
    const { user, password } = setup();
    await user.keyboard('{Enter}');
    expect(screen.getByText('職員IDを入力してください。')).toBeTruthy();
    expect(screen.getByText('パスワードを入力してください。')).toBeTruthy();
    expect(password.getAttribute('aria-invalid')).toBe('true');
  });

  it('pressing Enter in パスワード submits the trimmed input', async () => {
    const { user, onsubmit } = setup();
    await user.keyboard('  S0001 ');
    await user.tab();
    await user.keyboard('pass word{Enter}');
    expect(onsubmit).toHaveBeenCalledTimes(1);
    expect(onsubmit).toHaveBeenCalledWith({ staffId: 'S0001', password: 'pass word' });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('clears an error once the field is filled and the form is sent again', async () => {
    const { user, staffId, onsubmit } = setup();
    await user.keyboard('{Enter}');
    expect(screen.getByText('職員IDを入力してください。')).toBeTruthy();
    await user.type(staffId, 'S0001');
    await user.tab();
    await user.keyboard('secret{Enter}');
    expect(screen.queryByText('職員IDを入力してください。')).toBeNull();
    expect(onsubmit).toHaveBeenCalledTimes(1);
  });

  it('reaches every control with Tab in screen order', async () => {
    const { user, staffId, password } = setup();
    expect(document.activeElement).toBe(staffId);
    await user.tab();
    expect(document.activeElement).toBe(password);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'サインイン' }));
  });
});
