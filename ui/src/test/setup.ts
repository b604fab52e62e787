import { clearMocks } from '@tauri-apps/api/mocks';
import { webcrypto } from 'node:crypto';
import { afterEach } from 'vitest';
import { drafts } from '../lib/drafts.svelte';

// mockIPC draws callback ids from crypto.getRandomValues; older jsdom builds lack it, so lend Node's.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- absent at run time in old jsdom
if (typeof window.crypto?.getRandomValues !== 'function') {
  Object.defineProperty(window, 'crypto', { value: webcrypto });
}

// Tauri's docs: clear IPC mocks after each test so one test's shell answers never leak into the next.
// The window's stores are module singletons: a test's drafts never carry into the next test.
afterEach(() => {
  clearMocks();
  drafts.clear();
});
