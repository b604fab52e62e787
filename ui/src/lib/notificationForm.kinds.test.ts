import { describe, expect, it } from 'vitest';
import { NOTIFICATION_KINDS, emptyValues, fromEntries, toForm } from './notificationForm';

describe('the 届出 entry form', () => {
  it('offers 県内転居 without a searched resident and 生活保護 with one', () => {
    const byCode = new Map(NOTIFICATION_KINDS.map((k) => [k.code, k]));
    expect(byCode.get('move_within_union')?.needsResident).toBe(false);
    expect(byCode.get('welfare_started')?.needsResident).toBe(true);
    expect(byCode.get('welfare_ended')?.label).toBe('資格取得（生活保護廃止）');
  });

  it('sends a 県内転居 with the kept 被保険者番号 and a 生活保護開始 with its day', () => {
    const v = {
      ...emptyValues(),
      insured_number: '12345679',
      birth_date: 'S26.12.20',
      addressee_number: '123',
      household_number: '456',
      address: '見附市昭和町1-1',
      moved_on: 'R8.11.1',
      on: 'R8.10.1',
    };
    expect(toForm('move_within_union', v, '')).toEqual({
      kind: 'move_within_union',
      insured_number: '12345679',
      birth_date: 'S26.12.20',
      addressee_number: '123',
      household_number: '456',
      address: '見附市昭和町1-1',
      moved_on: 'R8.11.1',
    });
    expect(toForm('welfare_started', v, 'r-1')).toEqual({
      kind: 'welfare_started',
      resident_id: 'r-1',
      on: 'R8.10.1',
    });
  });

  it('puts a refused 生活保護廃止 back into the form for correction', () => {
    const { kind, values } = fromEntries({
      kind: 'welfare_ended',
      resident_id: 'r-1',
      on: 'R8.6.30',
    });
    expect(kind).toBe('welfare_ended');
    expect(values.on).toBe('R8.6.30');
  });
});
