import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { session } from './lib/session.svelte';
import { READY_INFO, STAFF, mockShell } from './test/shell';

/** A shell where the session refresh answers a fresh copy of the staff object each time (as IPC does). */
function shell(idleSeconds: number) {
  return mockShell({
    app_info: () => ({ ...READY_INFO, idle_lock_seconds: idleSeconds }),
    line_state: () => 'online',
    sign_in: () => ({ ...STAFF }),
    session_state: () => ({
      session: {
        staff: { ...STAFF },
        offline: false,
        must_change_password: null,
        must_change_message_ja: null,
      },
    }),
    lock_screen: () => null,
    unlock: () => ({ ...STAFF }),
    sign_out: () => null,
  });
}

async function signIn(user: ReturnType<typeof userEvent.setup>) {
  render(App);
  await screen.findByLabelText('職員ID');
  await user.keyboard('a{Tab}b{Enter}');
  await screen.findByRole('tab', { name: /届出/ });
}

describe('the session store', () => {
  // Issue 14 finding 1: the 3-second session refresh replaced the staff object and so restarted the idle
  // timer; the lock never fired. Here the refresh runs every 100 ms against a 0.5 s idle time.
  it('locks after the idle time even while the session is refreshed', async () => {
    const calls = shell(0.5);
    const user = userEvent.setup();
    await signIn(user);
    const refresh = setInterval(() => void session.refreshSession(), 100);
    try {
      expect(await screen.findByText('画面ロック中', {}, { timeout: 2500 })).toBeTruthy();
    } finally {
      clearInterval(refresh);
    }
    // The refreshes really ran while the timer was armed (each one used to restart it).
    const lockAt = calls.findIndex((c) => c.cmd === 'lock_screen');
    const signInAt = calls.findIndex((c) => c.cmd === 'sign_in');
    expect(lockAt).toBeGreaterThan(signInAt);
    const refreshes = calls.slice(signInAt, lockAt).filter((c) => c.cmd === 'session_state');
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
  });

  it('the ロック button and Ctrl+Alt+L lock at once', async () => {
    shell(60);
    const user = userEvent.setup();
    await signIn(user);
    await user.click(screen.getByRole('button', { name: /ロック/ }));
    expect(await screen.findByText('画面ロック中')).toBeTruthy();
    await user.keyboard('pw{Enter}');
    await screen.findByRole('tab', { name: /届出/ });
    await user.keyboard('{Control>}{Alt>}l{/Alt}{/Control}');
    expect(await screen.findByText('画面ロック中')).toBeTruthy();
  });

  // Issue 14 finding 2: a half-typed 転入 was lost on a tab switch or a lock.
  it('keeps a half-typed 転入 across a tab switch and a lock, and drops it at サインアウト', async () => {
    shell(60);
    const user = userEvent.setup();
    await signIn(user);
    await user.type(screen.getByLabelText('氏名'), '見本　花子');
    await user.click(screen.getByRole('tab', { name: /受付一覧/ }));
    await user.click(screen.getByRole('tab', { name: /届出/ }));
    expect(screen.getByLabelText<HTMLInputElement>('氏名').value).toBe('見本　花子');
    await user.click(screen.getByRole('button', { name: /ロック/ }));
    await screen.findByText('画面ロック中');
    await user.keyboard('pw{Enter}');
    await screen.findByRole('tab', { name: /届出/ });
    expect(screen.getByLabelText<HTMLInputElement>('氏名').value).toBe('見本　花子');
    await user.click(screen.getByRole('button', { name: 'サインアウト' }));
    await user.click(await screen.findByLabelText('職員ID'));
    await user.keyboard('a{Tab}b{Enter}');
    await screen.findByRole('tab', { name: /届出/ });
    expect(screen.getByLabelText<HTMLInputElement>('氏名').value).toBe('');
  });

  // Issue 14 finding 12: the training sign-in screen did not say which accounts exist.
  it('lists the training accounts on the sign-in screen in 研修モード only', async () => {
    const account = { user_id: CLERK_ID, display_name: '研修 窓口担当', password: 'kensyu-x' };
    mockShell({
      app_info: () => ({ ...READY_INFO, training_accounts: [account] }),
      line_state: () => 'online',
    });
    const first = render(App);
    const list = await screen.findByRole('region', { name: '研修用アカウント' });
    expect(list.textContent).toContain(CLERK_ID);
    expect(list.textContent).toContain('kensyu-x');
    first.unmount();
    mockShell({
      app_info: () => ({ ...READY_INFO, training_mode: false, training_accounts: [account] }),
      line_state: () => 'online',
    });
    render(App);
    await screen.findByLabelText('職員ID');
    expect(screen.queryByRole('region', { name: '研修用アカウント' })).toBeNull();
  });
});

const CLERK_ID = STAFF.user_id;
