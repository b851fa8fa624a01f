import type { NormalizeOptions, RejectionReason } from './identifier-types';
import { isSupportedPhoneRegion, normalizePhone } from './phone';

describe('normalizePhone', () => {
  it.each<[string, NormalizeOptions, string]>([
    ['+14155552671', {}, '+14155552671'],
    ['+1 (415) 555-2671', {}, '+14155552671'],
    ['+1 415.555.2671', {}, '+14155552671'],
    [' \t+1 415 555 2671\n', {}, '+14155552671'],
    ['+33 1 23 45 67 89', {}, '+33123456789'],
    // 00 is the international prefix, with or without a region.
    ['0014155552671', {}, '+14155552671'],
    ['00 44 20 7946 0958', {}, '+442079460958'],
    ['0044 20 7946 0958', { defaultPhoneRegion: 'US' }, '+442079460958'],
    // No region: digits-only input is read as international.
    ['14155552671', {}, '+14155552671'],
    ['44 20 7946 0958', {}, '+442079460958'],
    // National numbers use the default region.
    ['(415) 555-2671', { defaultPhoneRegion: 'US' }, '+14155552671'],
    ['415/555-2671', { defaultPhoneRegion: 'US' }, '+14155552671'],
    ['1 415 555 2671', { defaultPhoneRegion: 'US' }, '+14155552671'], // US trunk prefix 1
    ['011 44 20 7946 0958', { defaultPhoneRegion: 'US' }, '+442079460958'], // US international prefix
    ['020 7946 0958', { defaultPhoneRegion: 'GB' }, '+442079460958'], // GB trunk prefix 0
    ['(415) 555-2671', { defaultPhoneRegion: 'us' }, '+14155552671'], // region is case-insensitive
    ['+44 20 7946 0958', { defaultPhoneRegion: 'US' }, '+442079460958'], // explicit country code wins
  ])('normalizes %p (%j) to %p', (raw, options, expected) => {
    expect(normalizePhone(raw, options)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, NormalizeOptions, RejectionReason]>([
    ['', {}, 'EMPTY'],
    [' - ', {}, 'EMPTY'],
    ['( ) . /', {}, 'EMPTY'],
    ['\t\n', {}, 'EMPTY'],
    ['+1 415 CALL NOW', {}, 'MALFORMED'], // letters
    ['1-800-FLOWERS', { defaultPhoneRegion: 'US' }, 'MALFORMED'],
    ['415-555-2671 ext 5', { defaultPhoneRegion: 'US' }, 'MALFORMED'], // extensions
    ['+1 415 555 2671 x5', {}, 'MALFORMED'],
    ['+1 415+555 2671', {}, 'MALFORMED'], // + only leads
    ['+', {}, 'MALFORMED'],
    ['00', {}, 'MALFORMED'],
    ['４１５５５５２６７１', { defaultPhoneRegion: 'US' }, 'MALFORMED'], // full-width digits
    ['+1234567890123456', {}, 'TOO_LONG'], // 16 digits
    ['00123456789012345678', {}, 'TOO_LONG'],
    ['1234567890123456', { defaultPhoneRegion: 'US' }, 'TOO_LONG'],
    ['+123456789012345', {}, 'MALFORMED'], // 15 digits: not too long, but no valid number
    ['+1 555 0100', {}, 'MALFORMED'], // too short
    ['+1 200 555 0100', {}, 'MALFORMED'], // no US area code 200
    ['(415) 555-2671', {}, 'MALFORMED'], // national without a region: read as +41 5552671
    ['+999 1234 5678', {}, 'MALFORMED'], // no such country code
    ['4155552671', { defaultPhoneRegion: 'XX' }, 'MALFORMED'], // unknown region
  ])('rejects %p (%j) as %s', (raw, options, reason) => {
    expect(normalizePhone(raw, options)).toEqual({ ok: false, reason });
  });

  it('defaults to no options', () => {
    expect(normalizePhone('14155552671')).toEqual({ ok: true, value: '+14155552671' });
  });
});

describe('isSupportedPhoneRegion', () => {
  it.each<[string, boolean]>([
    ['US', true],
    ['gb', true],
    ['XX', false],
    ['USA', false],
    ['', false],
  ])('%p → %p', (region, supported) => {
    expect(isSupportedPhoneRegion(region)).toBe(supported);
  });
});
