import { invalidFaultSettings, invalidOutcome, invalidTimes } from './fault-validation';

describe('fault validation', () => {
  it('accepts only the outcomes given', () => {
    expect(invalidOutcome('drop', ['drop', 'code'])).toBeUndefined();
    expect(invalidOutcome('chaos', ['drop', 'code'])).toBe('outcome must be one of drop, code');
    expect(invalidOutcome(undefined, ['drop'])).toBe('outcome must be one of drop');
  });

  it('accepts times from 1, to a bound when given', () => {
    expect(invalidTimes(undefined)).toBeUndefined();
    expect(invalidTimes(3)).toBeUndefined();
    expect(invalidTimes(0)).toBe('times must be a whole number >= 1');
    expect(invalidTimes(1.5)).toBe('times must be a whole number >= 1');
    expect(invalidTimes(1_000_000, 1_000_000)).toBeUndefined();
    expect(invalidTimes(1_000_001, 1_000_000)).toBe('times must be a whole number between 1 and 1,000,000');
  });

  const known = { dropRate: 0, latencyMs: 0 };
  const rates = ['dropRate'];

  it('refuses unknown settings, negative or non-finite numbers and rates above 1', () => {
    expect(invalidFaultSettings({ dropRate: 1, latencyMs: 10_000_000 }, known, rates)).toBeUndefined();
    for (const settings of [
      { chaos: 1 },
      { dropRate: 1.5 },
      { latencyMs: -1 },
      { latencyMs: Infinity },
      { dropRate: '1' },
    ])
      expect(invalidFaultSettings(settings, known, rates)).toMatch(
        /^Unknown or invalid fault setting "\w+"; numbers >= 0 for dropRate, latencyMs \(the \*Rate ones at most 1\)$/,
      );
  });

  it('bounds the other settings when a maximum is given, and says so', () => {
    expect(invalidFaultSettings({ latencyMs: 600_000 }, known, rates, 600_000)).toBeUndefined();
    expect(invalidFaultSettings({ latencyMs: 600_001 }, known, rates, 600_000)).toBe(
      'Unknown or invalid fault setting "latencyMs"; numbers >= 0 for dropRate, latencyMs (the *Rate ones at most 1, the others at most 600000)',
    );
  });
});
