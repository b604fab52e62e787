import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import ReprintDialog from './ReprintDialog.svelte';
import { consentFrom, needsReprintReason, needsSupervisor, reasonFrom } from './reprint';
import { IpcFailure } from './ipc';
import { mockShell } from '../test/shell';

const REASONS = [
  { code: 'damaged', label: '汚損・破損' },
  { code: 'misprint', label: '印刷不良' },
  { code: 'lost', label: '紛失' },
  { code: 'other', label: 'その他' },
];

describe('ReprintDialog', () => {
  it('needs a reason, and words for その他', async () => {
    mockShell({ reprint_reasons: () => REASONS });
    const onconfirm = vi.fn();
    render(ReprintDialog, { what: '資格確認書', onconfirm, oncancel: vi.fn() });
    const user = userEvent.setup();
    await screen.findByLabelText('紛失');
    await user.click(screen.getByRole('button', { name: '再印刷する' }));
    expect(screen.getByRole('alert').textContent).toContain('再印刷の理由を選んでください。');
    await user.click(screen.getByLabelText('その他'));
    await user.click(screen.getByRole('button', { name: '再印刷する' }));
    expect(screen.getByRole('alert').textContent).toContain('その他の理由を記入してください。');
    await user.type(screen.getByLabelText('その他の理由'), '交付前に汚れた');
    await user.click(screen.getByRole('button', { name: '再印刷する' }));
    expect(onconfirm).toHaveBeenCalledWith({ code: 'other', text: '交付前に汚れた' });
  });

  // Issue 14 #8: the dialog did not take the focus, so Esc did nothing.
  it('takes the focus, keeps Tab inside and closes with Esc', async () => {
    mockShell({ reprint_reasons: () => REASONS });
    const oncancel = vi.fn();
    render(ReprintDialog, { what: '資格確認書', onconfirm: vi.fn(), oncancel });
    const dialog = screen.getByRole('dialog');
    expect(dialog.contains(document.activeElement)).toBe(true);
    await screen.findByLabelText('紛失');
    const user = userEvent.setup();
    for (let i = 0; i < 8; i += 1) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
    await user.keyboard('{Escape}');
    expect(oncancel).toHaveBeenCalledTimes(1);
  });

  it('recognises the shell asking for a reason', () => {
    expect(needsReprintReason(new IpcFailure('reprint_reason_required', '…'))).toBe(true);
    expect(needsReprintReason(new IpcFailure('print', '…'))).toBe(false);
    expect(reasonFrom('damaged', '')).toEqual({ code: 'damaged' });
    expect(reasonFrom('other', 'あ'.repeat(201))).toBe('理由は200文字以内で記入してください。');
  });

  it('asks for the 監督者 where the policy says so and sends their consent with the reason', async () => {
    mockShell({ reprint_reasons: () => REASONS });
    const onconfirm = vi.fn();
    render(ReprintDialog, {
      what: '資格確認書',
      onconfirm,
      oncancel: vi.fn(),
      needsSupervisor: true,
    });
    const user = userEvent.setup();
    await user.click(await screen.findByLabelText('汚損・破損'));
    await user.click(screen.getByRole('button', { name: '再印刷する' }));
    expect(screen.getByRole('alert').textContent).toContain('監督者のユーザIDを入力してください。');
    expect(onconfirm).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText('監督者のユーザID'), '152111-supervisor');
    await user.type(screen.getByLabelText('監督者のパスワード'), 'kensyu-pw');
    await user.click(screen.getByRole('button', { name: '再印刷する' }));
    expect(onconfirm).toHaveBeenCalledWith(
      { code: 'damaged' },
      { user_id: '152111-supervisor', password: 'kensyu-pw' },
    );
    // The password does not stay on screen.
    expect(screen.getByLabelText<HTMLInputElement>('監督者のパスワード').value).toBe('');
  });

  it('recognises the shell asking for a supervisor', () => {
    expect(needsSupervisor(new IpcFailure('supervisor_approval_required', '…'))).toBe(true);
    expect(needsSupervisor(new IpcFailure('reprint_reason_required', '…'))).toBe(false);
    expect(consentFrom(' ', 'x')).toBe('監督者のユーザIDを入力してください。');
    expect(consentFrom('u', '')).toBe('監督者のパスワードを入力してください。');
  });
});
