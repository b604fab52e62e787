import { describe, expect, it } from 'vitest';
import { lineLabel, maskedMyNumber, wareki } from './display';

describe('wareki', () => {
  it('formats era boundaries', () => {
    expect(wareki('1951-12-01')).toBe('昭和26年12月1日');
    expect(wareki('1989-01-07')).toBe('昭和64年1月7日');
    expect(wareki('1989-01-08')).toBe('平成元年1月8日');
    expect(wareki('2019-05-01')).toBe('令和元年5月1日');
    expect(wareki('2019-04-30')).toBe('平成31年4月30日');
  });
});

describe('labels', () => {
  it('names each line state in Japanese', () => {
    expect(lineLabel('online')).toBe('接続中');
    expect(lineLabel('degraded')).toBe('不安定');
    expect(lineLabel('offline')).toBe('切断');
  });

  it('never shows a 個人番号', () => {
    expect(maskedMyNumber(true)).not.toMatch(/\d/);
  });
});
