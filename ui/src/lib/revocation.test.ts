import { describe, expect, it } from 'vitest';
import { isRevokedStatus, TERMINAL_REVOKED_JA } from './revocation';

describe('isRevokedStatus', () => {
  it('recognises the shell event of a revoked terminal', () => {
    expect(isRevokedStatus({ state: 'revoked', wiped: true })).toBe(true);
    expect(isRevokedStatus({ state: 'revoked', wiped: false })).toBe(true);
  });

  it('is false for an active terminal and for anything malformed', () => {
    expect(isRevokedStatus({ state: 'active' })).toBe(false);
    expect(isRevokedStatus('revoked')).toBe(false);
    expect(isRevokedStatus(null)).toBe(false);
  });

  it('tells staff whom to call', () => {
    expect(TERMINAL_REVOKED_JA).toContain('情報システム管理者に連絡してください');
  });
});
