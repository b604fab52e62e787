import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it } from 'vitest';
import { lineStateLabel, loadAppInfo } from './appInfo';

describe('loadAppInfo', () => {
  it('returns the shell answer when it has the expected shape', async () => {
    mockIPC((cmd) =>
      cmd === 'app_info'
        ? { version: '0.1.0', training_mode: false, line_state: 'online' }
        : undefined,
    );
    await expect(loadAppInfo()).resolves.toEqual({
      version: '0.1.0',
      training_mode: false,
      line_state: 'online',
    });
  });

  it('rejects an answer with an unknown line state', async () => {
    mockIPC(() => ({ version: '0.1.0', training_mode: true, line_state: 'maybe' }));
    await expect(loadAppInfo()).rejects.toThrow('unexpected shape');
  });

  it('rejects an answer that is not an object', async () => {
    mockIPC(() => 'hello');
    await expect(loadAppInfo()).rejects.toThrow('not an object');
  });
});

describe('lineStateLabel', () => {
  it('names each state in Japanese', () => {
    expect(lineStateLabel('unknown')).toBe('未確認');
    expect(lineStateLabel('online')).toBe('接続中');
    expect(lineStateLabel('offline')).toBe('切断');
  });
});
