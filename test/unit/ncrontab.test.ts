import { describe, expect, it } from 'vitest';

import { compileNcrontab } from '../../dev/host/ncrontab';
import { resolveSetting } from '../../dev/host/timerTriggers';

describe('local host timer schedules (NCRONTAB)', () => {
  it('matches the seconds, minutes, hours, days, months and weekdays of the expression', () => {
    const daily = compileNcrontab('0 30 3 * * *');
    expect(daily(new Date(Date.UTC(2026, 10, 25, 3, 30, 0)))).toBe(true);
    expect(daily(new Date(Date.UTC(2026, 10, 25, 3, 30, 1)))).toBe(false);
    const everyTwo = compileNcrontab('*/2 * * * * *');
    expect(everyTwo(new Date(Date.UTC(2026, 0, 1, 0, 0, 4)))).toBe(true);
    expect(everyTwo(new Date(Date.UTC(2026, 0, 1, 0, 0, 5)))).toBe(false);
    const weekdays = compileNcrontab('0 0 9-17/4 * * 1-5');
    expect(weekdays(new Date(Date.UTC(2026, 10, 25, 13, 0, 0)))).toBe(true); // a Wednesday, 13:00
    expect(weekdays(new Date(Date.UTC(2026, 10, 29, 13, 0, 0)))).toBe(false); // a Sunday
    expect(compileNcrontab('0 0,15,45 * * * *')(new Date(Date.UTC(2026, 0, 1, 1, 45, 0)))).toBe(true);
  });

  it("reads the schedule in UTC, as Azure does, whatever the machine's time zone", () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const daily = compileNcrontab('0 30 3 * * *');
      expect(daily(new Date('2026-11-25T03:30:00Z'))).toBe(true);
      expect(daily(new Date('2026-11-25T08:30:00Z'))).toBe(false); // 03:30 in New York
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('refuses what is not an NCRONTAB expression', () => {
    expect(() => compileNcrontab('0 30 3 * *')).toThrow(/six fields/);
    expect(() => compileNcrontab('0 61 * * * *')).toThrow(/not a valid/);
  });

  it('resolves %SETTING% bindings from the environment', () => {
    process.env.SOME_SCHEDULE = '0 0 * * * *';
    expect(resolveSetting('%SOME_SCHEDULE%')).toBe('0 0 * * * *');
    expect(resolveSetting('0 1 * * * *')).toBe('0 1 * * * *');
    expect(resolveSetting('%NOT_SET_ANYWHERE%')).toBeUndefined();
  });
});
