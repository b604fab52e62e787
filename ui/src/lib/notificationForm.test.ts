import { describe, expect, it } from 'vitest';
import { fromEntries, toForm } from './notificationForm';

describe('fromEntries', () => {
  it('puts a refused 転入 back into the entry screen as typed, the 個人番号 blank', () => {
    const { kind, values } = fromEntries({
      kind: 'acquisition_move_in',
      addressee_number: '881401',
      household_number: '9881401',
      name: '訂正　花子',
      kana: 'テイセイ　ハナコ',
      birth_date: 'S19.4.4',
      sex: 'female',
      address: '新潟県見附市研修町1-2-3',
      on_welfare: false,
      my_number: '',
      moved_in_on: 'R8.12.8',
      mynumber_health_card: true,
    });
    expect(kind).toBe('acquisition_move_in');
    expect(values.name).toBe('訂正　花子');
    expect(values.sex).toBe('female');
    expect(values.moved_in_on).toBe('R8.12.8');
    expect(values.mynumber_health_card).toBe(true);
    expect(values.my_number).toBe('');
    // Sent back, it is the same form.
    expect(toForm(kind, values, '')).toMatchObject({ kind, birth_date: 'S19.4.4', sex: 'female' });
  });

  it('takes the 送付先 apart and keeps the resident out of the values', () => {
    const { kind, values } = fromEntries({
      kind: 'mailing_address_change',
      resident_id: 'r-1',
      remove: false,
      mailing: { recipient: '見本　太郎', postal_code: '9540000', address: '見附市本町1' },
    });
    expect(kind).toBe('mailing_address_change');
    expect(values.recipient).toBe('見本　太郎');
    expect(values.mailing_address).toBe('見附市本町1');
    expect(values.remove_mailing).toBe(false);
  });
});
