import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import AuditLogPanel from './AuditLogPanel.svelte';
import { jstTime } from './audit';
import { mockShell } from '../test/shell';

const OPERATIONS = [
  { code: 'view_resident', label: '被保険者情報の表示' },
  { code: 'reprint', label: '再印刷' },
];

function entry(seq: number, operation: string, purpose: string | null) {
  return {
    terminal_id: 'KENSYU-01',
    entry: {
      seq,
      prev: '0'.repeat(64),
      hash: 'a'.repeat(64),
      event: {
        at: '2026-11-21T00:05:03Z',
        terminal: 'KENSYU-01',
        user: '152111-clerk',
        operation,
        target: 'resident:r-1',
        purpose,
        outcome: { result: 'done' },
      },
    },
  };
}

describe('AuditLogPanel', () => {
  it('searches with the typed criteria and shows the entries in Japanese', async () => {
    const calls = mockShell({
      audit_operations: () => OPERATIONS,
      audit_flags: () => ({ flags: [] }),
      audit_shipping: () => ({ acknowledged_seq: 12, pending: 0, flag: null }),
      audit_search: () => ({
        entries: [entry(2, 'reprint', '汚損・破損'), entry(1, 'view_resident', null)],
        truncated: false,
      }),
    });
    render(AuditLogPanel);
    expect(await screen.findByText(/すべて広域連合に送信済み/)).toBeTruthy();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('利用者ID'), '152111-clerk');
    await user.type(screen.getByLabelText('被保険者番号'), '10000017');
    await user.type(screen.getByLabelText('期間（から）'), 'R8.11.1');
    await screen.findByRole('option', { name: '再印刷' });
    await user.selectOptions(screen.getByLabelText('操作'), 'reprint');
    await user.click(screen.getByRole('button', { name: '検索' }));
    expect(await screen.findByText('汚損・破損')).toBeTruthy();
    expect(screen.getAllByText('令和8年11月21日 09:05:03')).toHaveLength(2);
    expect(screen.getByRole('cell', { name: '被保険者情報の表示' })).toBeTruthy();
    const search = calls.find((c) => c.cmd === 'audit_search');
    expect(search?.args).toEqual({
      form: {
        user_id: '152111-clerk',
        insured_number: '10000017',
        from: 'R8.11.1',
        to: '',
        operation: 'reprint',
      },
    });
  });

  it('says where the export went and shows flags and field errors', async () => {
    mockShell({
      audit_operations: () => OPERATIONS,
      audit_flags: () => ({
        flags: [
          {
            id: 7,
            at: '2026-11-21T01:00:00Z',
            terminal_id: 'KENSYU-01',
            kind: 'gap',
            expected_seq: 8,
            found_seq: 10,
            message_ja: '端末KENSYU-01の監査ログ: 記録の欠落。',
          },
        ],
      }),
      audit_shipping: () => ({ acknowledged_seq: 9, pending: 3, flag: null }),
      audit_export: () => ({
        dir: '/var/lib/madoguchi/exports',
        files: ['/var/lib/madoguchi/exports/監査ログ_20261121-100000.csv'],
        matched: 3,
      }),
      audit_search: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the shell rejects with a plain object
        throw {
          code: 'invalid_input',
          message_ja: '入力を確認してください。',
          fields: [
            { field: 'insured_number', message_ja: '被保険者番号: 8桁で入力してください。' },
          ],
        };
      },
    });
    render(AuditLogPanel);
    expect(await screen.findByText(/記録の欠落/)).toBeTruthy();
    expect(await screen.findByText(/未送信 3件/)).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '出力' }));
    expect(
      await screen.findByText('3件を出力しました。出力先: /var/lib/madoguchi/exports'),
    ).toBeTruthy();
    await user.type(screen.getByLabelText('被保険者番号'), '12');
    await user.click(screen.getByRole('button', { name: '検索' }));
    expect(await screen.findByText('被保険者番号: 8桁で入力してください。')).toBeTruthy();
  });

  it('shows times in Japan time', () => {
    expect(jstTime('2026-11-20T15:00:00Z')).toBe('令和8年11月21日 00:00:00');
  });
});
