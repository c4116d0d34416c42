import { describe, expect, it } from 'vitest';
import { fenToYuan, formatFen, lineTitle, localized, yuanToFen } from './format';

describe('format', () => {
  it('names a line in the reader’s language, in Chinese when it has no English title', () => {
    const line = { titleZh: '富士苹果', titleEn: 'Fuji apples' };
    expect(lineTitle(line, 'zh-CN')).toBe('富士苹果');
    expect(lineTitle(line, 'en')).toBe('Fuji apples');
    expect(lineTitle({ titleZh: '富士苹果', titleEn: null }, 'en')).toBe('富士苹果');
    expect(lineTitle({ titleZh: '富士苹果' }, 'en')).toBe('富士苹果');
    // A cart line whose SKU is gone has no title in either language.
    expect(lineTitle({ titleZh: null, titleEn: null }, 'en')).toBeNull();
    expect(localized({ zh: '大米', en: 'Rice' }, 'zh')).toBe('大米');
  });

  it('shows fen as yuan and reads yuan typed by a person back as fen', () => {
    expect(formatFen('123456789')).toBe('¥1,234,567.89');
    expect(formatFen(-5n)).toBe('-¥0.05');
    expect(formatFen(100, { sign: true })).toBe('+¥1.00');
    expect(yuanToFen('12.5')).toBe('1250');
    expect(yuanToFen(' 3 ')).toBe('300');
    expect(yuanToFen('1.234')).toBeNull();
    expect(yuanToFen('-1')).toBeNull();
    expect(fenToYuan('1250')).toBe('12.50');
  });
});
