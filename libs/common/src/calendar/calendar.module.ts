import { Module, type DynamicModule } from '@nestjs/common';
import { CalendarRepository } from './calendar.repository.js';
import { CALENDAR_OPTIONS, CalendarService, type CalendarModuleOptions } from './calendar.service.js';

/**
 * Provides `CalendarService`. Needs the `DataSource` of `PlatformModule` and the tables of
 * `CalendarTables1764205200000` in the app's migrations.
 */
@Module({})
export class CalendarModule {
  static forRoot(options: CalendarModuleOptions = {}): DynamicModule {
    return {
      module: CalendarModule,
      providers: [{ provide: CALENDAR_OPTIONS, useValue: options }, CalendarRepository, CalendarService],
      exports: [CalendarService],
    };
  }
}
