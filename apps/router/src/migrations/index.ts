import { CalendarTables1764205200000 } from '@app/common/calendar/calendar.migration.js';
import { Cases1764201700000 } from './1764201700000-cases.js';
import { Routing1764201800000 } from './1764201800000-routing.js';
import { Lifecycle1764400000000 } from './1764400000000-lifecycle.js';
import { Publication1764600000000 } from './1764600000000-publication.js';
import { AreaRecentIndex1764700000000 } from './1764700000000-area-recent-index.js';

export const ROUTER_MIGRATIONS = [
  Cases1764201700000,
  Routing1764201800000,
  CalendarTables1764205200000,
  Lifecycle1764400000000,
  Publication1764600000000,
  AreaRecentIndex1764700000000,
];
