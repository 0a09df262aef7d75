import { csvCell, parseCsv, toCsv } from './csv';

describe('CSV writer', () => {
  it('writes a header row and CRLF-terminated rows', () => {
    expect(toCsv(['a', 'b'] as const, [{ a: 'x', b: 1 }, { a: null, b: undefined }])).toBe('a,b\r\nx,1\r\n,\r\n');
  });

  it('quotes cells with commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it.each(['=SUM(A1:A2)', '+1', '-1+2', '@cmd', '\tx'])('guards the formula %j with an apostrophe', (v) => {
    expect(csvCell(v)).toMatch(/^"?'/);
  });

  it('guards a formula that also needs quoting', () => {
    expect(csvCell('=HYPERLINK("x","y")')).toBe('"\'=HYPERLINK(""x"",""y"")"');
  });

  it('writes numbers and booleans as they are (a negative score is not text)', () => {
    expect(csvCell(-3.5)).toBe('-3.5');
    expect(csvCell(true)).toBe('true');
  });
});

describe('CSV reader', () => {
  it('reads what the writer wrote, quotes, line breaks and formula guards included', () => {
    const rows = [{ a: '=SUM(A1)', b: 'say "hi", twice' }, { a: 'two\nlines', b: '-dev' }];
    expect(parseCsv(toCsv(['a', 'b'] as const, rows), 10)).toEqual([['a', 'b'], ['=SUM(A1)', 'say "hi", twice'], ['two\nlines', '-dev']]);
  });

  it('accepts LF line ends, skips blank lines and reads a last row without a line end', () => {
    expect(parseCsv('a,b\n\nx,\ny,z', 10)).toEqual([['a', 'b'], ['x', ''], ['y', 'z']]);
  });

  it('refuses too many rows and an unclosed quote', () => {
    expect(() => parseCsv('a\nb\nc\n', 2)).toThrow('more than 2 rows');
    expect(() => parseCsv('"open,\n', 10)).toThrow('not closed');
  });
});
