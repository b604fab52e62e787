import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { AppInfo } from './lib/appInfo';

function shellAnswers(info: AppInfo): string[] {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === 'app_info') {
      return info;
    }
    throw new Error(`unexpected command ${cmd}`);
  });
  return calls;
}

describe('App', () => {
  it('shows the 研修モード banner when the shell reports training mode', async () => {
    const calls = shellAnswers({ version: '0.1.0', training_mode: true, line_state: 'unknown' });
    render(App);
    const banner = await screen.findByRole('region', { name: '研修モード' });
    expect(banner.textContent).toContain('研修用のデータで動作しています');
    expect(calls).toEqual(['app_info']);
  });

  it('hides the banner when training mode is off', async () => {
    shellAnswers({ version: '0.1.0', training_mode: false, line_state: 'online' });
    render(App);
    // Wait until the shell answer is on screen, then check the banner is absent.
    expect(await screen.findByText('バージョン 0.1.0')).toBeTruthy();
    expect(screen.queryByRole('region', { name: '研修モード' })).toBeNull();
    expect(screen.queryByText('研修モード')).toBeNull();
  });

  it('shows the line state in Japanese', async () => {
    shellAnswers({ version: '0.1.0', training_mode: false, line_state: 'offline' });
    render(App);
    expect(await screen.findByText('回線: 切断')).toBeTruthy();
  });

  it('says so when the shell does not answer, and shows no banner', async () => {
    mockIPC(() => {
      throw new Error('no shell');
    });
    render(App);
    expect(await screen.findByText(/端末の状態を確認できませんでした/)).toBeTruthy();
    expect(screen.queryByRole('region', { name: '研修モード' })).toBeNull();
    expect(screen.getByText('回線: 未確認')).toBeTruthy();
  });

  it('acknowledges checked sign-in input typed with the keyboard only', async () => {
    shellAnswers({ version: '0.1.0', training_mode: true, line_state: 'unknown' });
    const user = userEvent.setup();
    render(App);
    await user.keyboard('S0001');
    await user.tab();
    await user.keyboard('secret{Enter}');
    expect(await screen.findByText('入力内容を確認しました。')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
