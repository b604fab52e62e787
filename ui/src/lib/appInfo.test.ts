import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it } from 'vitest';
import { loadAppInfo } from './appInfo';

describe('loadAppInfo', () => {
  it('returns the shell answer when it has the expected shape', async () => {
    const info = {
      version: '0.1.0',
      training_mode: false,
      line_state: 'degraded',
      startup: 'ready',
      idle_lock_seconds: 60,
      terminal_revoked: false,
      training_accounts: [],
    };
    mockIPC((cmd) => (cmd === 'app_info' ? info : undefined));
    await expect(loadAppInfo()).resolves.toEqual(info);
  });

  it('keeps the Japanese reason of a failed start', async () => {
    mockIPC(() => ({
      version: '0.1.0',
      training_mode: true,
      line_state: 'unknown',
      startup: 'failed',
      idle_lock_seconds: 60,
      error: { code: 'keyring_unavailable', message_ja: 'キーリングを利用できません。' },
    }));
    const info = await loadAppInfo();
    expect(info.error).toEqual({
      code: 'keyring_unavailable',
      message_ja: 'キーリングを利用できません。',
    });
  });

  it('rejects an answer with an unknown line state or start state', async () => {
    mockIPC(() => ({
      version: '0.1.0',
      training_mode: true,
      line_state: 'maybe',
      startup: 'ready',
      idle_lock_seconds: 60,
    }));
    await expect(loadAppInfo()).rejects.toThrow('unexpected shape');
    mockIPC(() => ({
      version: '0.1.0',
      training_mode: true,
      line_state: 'online',
      startup: 'soon',
      idle_lock_seconds: 60,
    }));
    await expect(loadAppInfo()).rejects.toThrow('unexpected shape');
  });

  it('reports a revoked terminal', async () => {
    mockIPC(() => ({
      version: '0.1.0',
      training_mode: false,
      line_state: 'online',
      startup: 'ready',
      idle_lock_seconds: 60,
      terminal_revoked: true,
    }));
    const info = await loadAppInfo();
    expect(info.terminal_revoked).toBe(true);
  });

  it('rejects an answer that is not an object', async () => {
    mockIPC(() => 'hello');
    await expect(loadAppInfo()).rejects.toThrow('not an object');
  });
});
