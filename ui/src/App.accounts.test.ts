import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { READY_INFO, STAFF, mockShell } from './test/shell';

async function signIn() {
  const user = userEvent.setup();
  render(App);
  await screen.findByLabelText('職員ID');
  await user.keyboard('t.first');
  await user.tab();
  await user.keyboard('handed over on paper{Enter}');
  return user;
}

describe('App and staff accounts', () => {
  it('at the first sign-in shows only the forced password change, then the counter screens', async () => {
    let mustChange = true;
    const calls = mockShell({
      app_info: () => READY_INFO,
      line_state: () => 'online',
      sign_in: () => STAFF,
      session_info: () => ({ staff: STAFF, locked: false, capabilities: ['counter_work'] }),
      session_state: () => ({
        session: {
          staff: STAFF,
          offline: false,
          must_change_password: mustChange ? 'first_sign_in' : null,
          must_change_message_ja: mustChange ? '初回のサインインです。' : null,
        },
      }),
      change_password: () => {
        mustChange = false;
        return STAFF;
      },
    });
    const user = await signIn();
    expect(await screen.findByText('初回サインイン：パスワードの変更')).toBeTruthy();
    expect(screen.queryByRole('tab', { name: /届出/ })).toBeNull();
    await user.keyboard('handed over on paper');
    await user.tab();
    await user.keyboard('river stones at dusk');
    await user.tab();
    await user.keyboard('river stones at dusk{Enter}');
    expect(await screen.findByRole('tab', { name: /届出/ })).toBeTruthy();
    expect(calls.some((c) => c.cmd === 'change_password')).toBe(true);
  });

  it('an offline session shows the オフライン受付のみ banner and no screen that needs the union', async () => {
    mockShell({
      app_info: () => READY_INFO,
      line_state: () => 'offline',
      sign_in: () => STAFF,
      session_info: () => ({
        staff: STAFF,
        locked: false,
        capabilities: ['counter_work', 'my_number', 'approve_distribution'],
      }),
      session_state: () => ({
        session: {
          staff: STAFF,
          offline: true,
          must_change_password: null,
          must_change_message_ja: null,
        },
      }),
    });
    await signIn();
    const banner = await screen.findByRole('status', { name: 'オフライン受付のみ' });
    expect(banner.textContent).toContain('届出の受付（保存）');
    expect(await screen.findByRole('tab', { name: /届出/ })).toBeTruthy();
    // 検索 stays: offline it answers from the encrypted offline roster (issue #14 finding 5).
    expect(screen.queryByRole('tab', { name: /検索/ })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: /配信承認/ })).toBeNull();
    expect(screen.queryByRole('tab', { name: /職員管理/ })).toBeNull();
  });

  it('mirrors roles: an administrator sees 職員管理 and no counter screens', async () => {
    const admin = { ...STAFF, user_id: '152111-admin', roles: ['admin'] };
    mockShell({
      app_info: () => READY_INFO,
      line_state: () => 'online',
      sign_in: () => admin,
      session_info: () => ({
        staff: admin,
        locked: false,
        capabilities: ['manage_staff', 'review_audit'],
      }),
      session_state: () => ({
        session: {
          staff: admin,
          offline: false,
          must_change_password: null,
          must_change_message_ja: null,
        },
      }),
      staff_accounts: () => ({
        accounts: [
          {
            user_id: 't.temp',
            display_name: '臨時 太郎',
            municipality: '152111',
            grants: [{ right: 'clerk', from: '2026-04-01', until: '2026-09-30', in_effect: true }],
            state: 'locked',
          },
        ],
      }),
    });
    await signIn();
    expect(await screen.findByRole('tab', { name: /職員管理/ })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: /届出/ })).toBeNull();
    await userEvent.setup().click(screen.getByRole('tab', { name: /職員管理/ }));
    expect(await screen.findByText('t.temp')).toBeTruthy();
    expect(screen.getByText('窓口担当（令和8年4月1日〜令和8年9月30日）')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'ロック解除' })).toBeTruthy();
  });
});
