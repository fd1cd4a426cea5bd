import { Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { createDataSource, migrate, revert } from '@app/common';
import {
  CalendarModule,
  CalendarRangeError,
  CalendarService,
  CalendarTables1764205200000,
  CalendarValidationError,
  CHINA_HOLIDAYS,
  civilDateOf,
  parseCivilDate,
  seedCalendar,
  WorkingDayCalendar,
  type CalendarDay,
} from '@app/common/calendar/index.js';
import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL } from '../support/test-env.js';

const SCHEMA = 'calendar_test';
const bj = (text: string) => new Date(`${text}+08:00`);

/** Not an official arrangement: test data for a year the State Council has not published. */
const TEST_2027: CalendarDay[] = [
  { date: '2027-01-01', kind: 'holiday', name: '元旦' },
  { date: '2027-01-02', kind: 'holiday', name: '元旦' },
  { date: '2027-01-03', kind: 'holiday', name: '元旦' },
  { date: '2027-02-05', kind: 'holiday', name: '春节' },
  { date: '2027-02-06', kind: 'workday', name: '春节调休上班' },
];

@Module({})
class TestDatabaseModule {
  static of(dataSource: DataSource): DynamicModule {
    return {
      module: TestDatabaseModule,
      global: true,
      providers: [{ provide: DataSource, useValue: dataSource }],
      exports: [DataSource],
    };
  }
}

async function bootCalendar(dataSource: DataSource): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [TestDatabaseModule.of(dataSource), CalendarModule.forRoot()],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('working-day calendar in PostgreSQL', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = createDataSource({
      url: TEST_DATABASE_URL,
      schema: SCHEMA,
      migrations: [CalendarTables1764205200000],
      poolSize: 4,
    });
    await dataSource.initialize();
    await dataSource.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  });

  afterAll(async () => {
    await dataSource.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
    await dataSource.destroy();
  });

  it('migrates up, down completely and up again', async () => {
    expect(await migrate(dataSource, SCHEMA)).toEqual(['CalendarTables1764205200000']);
    await revert(dataSource, 1);
    const left: unknown[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations'`,
      [SCHEMA],
    );
    expect(left).toEqual([]);
    expect(await migrate(dataSource, SCHEMA)).toHaveLength(1);
  });

  it('seeds the committed years once, also when instances start together', async () => {
    const runs = await Promise.all([seedCalendar(dataSource), seedCalendar(dataSource), seedCalendar(dataSource)]);
    expect(runs.flat().sort()).toEqual([2024, 2025, 2026]);
    expect(await seedCalendar(dataSource)).toEqual([]);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM calendar_days`);
    expect(n).toBe(CHINA_HOLIDAYS.reduce((sum, y) => sum + y.days.length, 0));
  });

  it('the database also refuses a make-up workday on a weekday', async () => {
    await expect(
      dataSource.query(`INSERT INTO calendar_days (date, year, kind, name) VALUES ('2025-03-03', 2025, 'workday', 'x')`),
    ).rejects.toMatchObject({ code: '23514' });
  });

  describe(CalendarService.name, () => {
    let first: TestingModule;
    let second: TestingModule;

    beforeAll(async () => {
      first = await bootCalendar(dataSource);
      second = await bootCalendar(dataSource);
    });

    afterAll(async () => {
      await first.close();
      await second.close();
    });

    it('loads the same calendar from the database as from the committed data, day by day', () => {
      const fromDb = first.get(CalendarService).calendar;
      const fromData = WorkingDayCalendar.fromYears(CHINA_HOLIDAYS);
      expect(fromDb.coveredYears).toEqual([2024, 2025, 2026]);
      for (let day = parseCivilDate('2024-01-01')!; day <= parseCivilDate('2026-12-31')!; day++) {
        const date = civilDateOf(day);
        expect([date, fromDb.dayInfo(date)]).toEqual([date, fromData.dayInfo(date)]);
      }
      expect(fromDb.addWorkingDays(bj('2025-09-26T10:00'), 5)).toEqual(bj('2025-10-10T23:59:59.999'));
      expect(() => fromDb.addWorkingDays(bj('2026-12-28T10:00'), 5)).toThrow(CalendarRangeError);
    });

    it('refuses an invalid year and writes nothing', async () => {
      const service = first.get(CalendarService);
      const bad: CalendarDay[] = [...TEST_2027, { date: '2027-01-04', kind: 'workday', name: '元旦调休上班' }];
      await expect(service.addYear(2027, bad, '测试数据（非官方）')).rejects.toBeInstanceOf(CalendarValidationError);
      await expect(service.addYear(2027, [...TEST_2027, TEST_2027[0]!], 'x')).rejects.toMatchObject({
        code: 'calendar_invalid',
        problems: ['2027-01-01 重复出现'],
      });
      expect((await service.years()).map((y) => y.year)).toEqual([2024, 2025, 2026]);
    });

    it('adds a year, extends the range at once here and after a refresh on another instance', async () => {
      const service = first.get(CalendarService);
      const other = second.get(CalendarService);
      expect(await other.refreshIfChanged()).toBe(false);

      const record = await service.addYear(2027, TEST_2027, '测试数据（非官方）');
      expect(record).toMatchObject({ year: 2027, source: '测试数据（非官方）', holidays: 4, workdays: 1 });
      // Dec 29, 30, 31, then 2027: Jan 1–3 off, Jan 4 (Mon) 4, Jan 5 5.
      expect(service.calendar.addWorkingDays(bj('2026-12-28T10:00'), 5)).toEqual(bj('2027-01-05T23:59:59.999'));
      expect(service.calendar.isWorkingDay('2027-02-06')).toBe(true);

      expect(() => other.calendar.isWorkingDay('2027-01-04')).toThrow(CalendarRangeError);
      expect(await other.refreshIfChanged()).toBe(true);
      expect(other.calendar.isWorkingDay('2027-01-04')).toBe(true);
    });

    it('refuses to add a loaded year again unless asked to replace it, and replaces it whole', async () => {
      const service = first.get(CalendarService);
      await expect(service.addYear(2027, TEST_2027, 'again')).rejects.toMatchObject({
        code: 'calendar_year_exists',
        status: 409,
      });
      const corrected = TEST_2027.filter((d) => d.date !== '2027-02-06');
      const record = await service.addYear(2027, corrected, '测试数据（更正）', { replace: true });
      expect(record).toMatchObject({ year: 2027, source: '测试数据（更正）', holidays: 4, workdays: 0 });
      expect(service.calendar.isWorkingDay('2027-02-06')).toBe(false);
    });

    it('a restarted service keeps what an administrator loaded and seeds nothing twice', async () => {
      const restarted = await bootCalendar(dataSource);
      try {
        const service = restarted.get(CalendarService);
        expect((await service.years()).map((y) => [y.year, y.source.slice(0, 4)])).toEqual([
          [2024, '国务院办'],
          [2025, '国务院办'],
          [2026, '国务院办'],
          [2027, '测试数据'],
        ]);
        expect(service.calendar.coveredYears).toEqual([2024, 2025, 2026, 2027]);
      } finally {
        await restarted.close();
      }
    });
  });
});
