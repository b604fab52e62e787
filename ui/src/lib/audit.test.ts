import { describe, expect, it } from 'vitest';
import { targetLabel } from './audit';

describe('the 対象 of an audit line in clerk words', () => {
  it('names the kind, keeps 受付番号-like ids and user ids, and leaves UUIDs to the details', () => {
    expect(targetLabel('queue:19')).toBe('受付 19');
    expect(targetLabel('queue:19 correction')).toBe('受付 19 訂正');
    expect(targetLabel('queue:7 closed')).toBe('受付 7 完了');
    expect(targetLabel('document:6f1d2c1e-8d1a-4d7c-9c1a-1a2b3c4d5e6f issued')).toBe('証書 交付');
    expect(targetLabel('document:6f1d2c1e-8d1a-4d7c-9c1a-1a2b3c4d5e6f returned')).toBe('証書 回収');
    expect(
      targetLabel('document:6f1d2c1e-8d1a-4d7c-9c1a-1a2b3c4d5e6f reprint-approval by:m.sato'),
    ).toBe('証書 再印刷の承認');
    expect(targetLabel('resident:6f1d2c1e-8d1a-4d7c-9c1a-1a2b3c4d5e6f')).toBe('被保険者');
    expect(targetLabel('staff:t.sato')).toBe('職員 t.sato');
    expect(targetLabel('roster:146')).toBe('オフライン名簿 146件');
    expect(targetLabel('audit-log')).toBe('監査ログ');
  });

  it('says nothing for what it does not know (the raw target stays in the details column)', () => {
    expect(targetLabel(null)).toBe('');
    expect(targetLabel('AcquisitionMoveIn queue:19')).toBe('');
    expect(targetLabel('something:else')).toBe('');
  });
});
