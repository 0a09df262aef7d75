import { jsonDepth } from './body-depth.interceptor';

describe('jsonDepth', () => {
  it('measures nesting without recursion, also for hostile depths', () => {
    expect(jsonDepth('x')).toBe(0);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    expect(jsonDepth(deep)).toBe(100_000);
    expect(jsonDepth(deep, 32)).toBe(33); // stops as soon as the limit is passed
  });
});
