import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { READY_INFO, STAFF, mockShell } from './test/shell';

describe('App', () => {
  it('shows the 研修モード banner and the sign-in form once the terminal is ready', async () => {
    mockShell({ app_info: () => READY_INFO, line_state: () => 'online' });
    render(App);
    const banner = await screen.findByRole('region', { name: '研修モード' });
    expect(banner.textContent).toContain('研修用のデータで動作しています');
    expect(await screen.findByLabelText('職員ID')).toBeTruthy();
    expect(screen.getByText('回線: 接続中')).toBeTruthy();
  });

  it('waits while the terminal starts, then shows the sign-in form', async () => {
    let polls = 0;
    mockShell({
      app_info: () => {
        polls += 1;
        return polls < 3
          ? { ...READY_INFO, startup: 'starting', line_state: 'unknown' }
          : READY_INFO;
      },
      line_state: () => 'online',
    });
    render(App);
    expect(await screen.findByText('起動しています…')).toBeTruthy();
    expect(await screen.findByLabelText('職員ID')).toBeTruthy();
    expect(polls).toBeGreaterThanOrEqual(3);
  });

  it('shows a Japanese error screen when the start failed (e.g. no OS keyring), never the form', async () => {
    mockShell({
      app_info: () => ({
        ...READY_INFO,
        startup: 'failed',
        line_state: 'unknown',
        error: {
          code: 'keyring_unavailable',
          message_ja: 'キーリングを利用できないため、起動できません。',
        },
      }),
    });
    render(App);
    expect(await screen.findByText('起動できませんでした')).toBeTruthy();
    expect(screen.getByText('キーリングを利用できないため、起動できません。')).toBeTruthy();
    expect(screen.queryByLabelText('職員ID')).toBeNull();
  });

  it('hides the banner when training mode is off', async () => {
    mockShell({
      app_info: () => ({ ...READY_INFO, training_mode: false }),
      line_state: () => 'online',
    });
    render(App);
    expect(await screen.findByText('バージョン 0.1.0')).toBeTruthy();
    expect(screen.queryByRole('region', { name: '研修モード' })).toBeNull();
  });

  it('says so when the shell does not answer', async () => {
    mockIPC(() => {
      throw new Error('no shell');
    });
    render(App);
    expect(await screen.findByText(/端末の状態を確認できませんでした/)).toBeTruthy();
    expect(screen.getByText('回線: 確認中')).toBeTruthy();
  });

  it('signs in with the keyboard only and opens the counter screens', async () => {
    const calls = mockShell({
      app_info: () => READY_INFO,
      line_state: () => 'online',
      sign_in: () => STAFF,
    });
    const user = userEvent.setup();
    render(App);
    await screen.findByLabelText('職員ID');
    await user.keyboard('152111-clerk');
    await user.tab();
    await user.keyboard('kensyu-152111-clerk{Enter}');
    expect(await screen.findByRole('tab', { name: /届出/ })).toBeTruthy();
    expect(screen.getByText('研修 窓口担当（152111-clerk）')).toBeTruthy();
    // Issue 14 #8: the cursor lands in the first entry of the 届出 screen, not on the page.
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByLabelText('宛名番号'));
    });
    expect(calls.find((c) => c.cmd === 'sign_in')?.args).toEqual({
      userId: '152111-clerk',
      password: 'kensyu-152111-clerk',
    });
  });

  it("shows the union's Japanese refusal of a sign-in", async () => {
    mockShell({
      app_info: () => READY_INFO,
      line_state: () => 'online',
      sign_in: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw { code: 'invalid_credentials', message_ja: '職員IDまたはパスワードが違います。' };
      },
    });
    const user = userEvent.setup();
    render(App);
    await screen.findByLabelText('職員ID');
    await user.keyboard('x{Tab}y{Enter}');
    expect(await screen.findByText('職員IDまたはパスワードが違います。')).toBeTruthy();
  });

  it('the training switch cuts the line and brings it back', async () => {
    let offline = false;
    const calls = mockShell({
      app_info: () => READY_INFO,
      line_state: () => (offline ? 'offline' : 'online'),
      sign_in: () => STAFF,
      simulate_line_failure: (a) => {
        offline = a.on === true;
        return offline ? 'offline' : 'online';
      },
    });
    const user = userEvent.setup();
    render(App);
    await screen.findByLabelText('職員ID');
    await user.keyboard('a{Tab}b{Enter}');
    await user.click(await screen.findByRole('button', { name: '回線切断（研修）' }));
    expect(await screen.findByText('回線: 切断')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '回線を戻す（研修）' }));
    expect(await screen.findByText('回線: 接続中')).toBeTruthy();
    expect(calls.filter((c) => c.cmd === 'simulate_line_failure').map((c) => c.args.on)).toEqual([
      true,
      false,
    ]);
  });

  it('locks the screen after the idle time and unlocks with the password', async () => {
    const calls = mockShell({
      app_info: () => ({ ...READY_INFO, idle_lock_seconds: 0.3 }),
      line_state: () => 'online',
      sign_in: () => STAFF,
      lock_screen: () => null,
      unlock: (a) => {
        if (a.password !== 'right') {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
          throw { code: 'invalid_credentials', message_ja: 'パスワードが違います。' };
        }
        return STAFF;
      },
    });
    const user = userEvent.setup();
    render(App);
    await screen.findByLabelText('職員ID');
    await user.keyboard('a{Tab}b{Enter}');
    expect(await screen.findByText('画面ロック中')).toBeTruthy();
    expect(screen.queryByRole('tab', { name: /届出/ })).toBeNull();
    expect(calls.some((c) => c.cmd === 'lock_screen')).toBe(true);
    await user.keyboard('wrong{Enter}');
    expect(await screen.findByText('パスワードが違います。')).toBeTruthy();
    await user.keyboard('right{Enter}');
    expect(await screen.findByRole('tab', { name: /届出/ })).toBeTruthy();
  });

  it('shows only the screens the role may use: a 広域連合職員 gets the union office screens and no counter screens', async () => {
    mockShell({
      app_info: () => READY_INFO,
      line_state: () => 'online',
      sign_in: () => ({ ...STAFF, user_id: '152111-union-staff1', roles: ['union_staff'] }),
      session_info: () => ({ staff: STAFF, locked: false, capabilities: ['manage_distributions'] }),
      union_distributions: () => [],
    });
    const user = userEvent.setup();
    render(App);
    await screen.findByLabelText('職員ID');
    await user.keyboard('a{Tab}b{Enter}');
    expect(await screen.findByRole('tab', { name: /配信作成・承認/ })).toBeTruthy();
    expect(screen.getByRole('tab', { name: /障害認定審査/ })).toBeTruthy();
    expect(screen.getByRole('tab', { name: /日次処理/ })).toBeTruthy();
    expect(await screen.findByRole('heading', { name: '配信の作成' })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: /届出/ })).toBeNull();
    expect(screen.queryByRole('tab', { name: /配信承認/ })).toBeNull();
  });

  it('an administrator gets the 監査ログ screen and no counter screens', async () => {
    mockShell({
      app_info: () => READY_INFO,
      line_state: () => 'online',
      sign_in: () => ({ ...STAFF, user_id: '152111-admin', roles: ['admin'] }),
      session_info: () => ({ staff: STAFF, locked: false, capabilities: ['review_audit'] }),
      audit_operations: () => [],
      audit_flags: () => ({ flags: [] }),
      audit_shipping: () => ({ pending: 0, acknowledged: 0, flagged: false }),
    });
    const user = userEvent.setup();
    render(App);
    await screen.findByLabelText('職員ID');
    await user.keyboard('a{Tab}b{Enter}');
    expect(await screen.findByRole('tab', { name: /監査ログ/ })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: /届出/ })).toBeNull();
  });
});
