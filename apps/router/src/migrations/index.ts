import { Cases1764201700000 } from './1764201700000-cases.js';
import { Routing1764201800000 } from './1764201800000-routing.js';

export const ROUTER_MIGRATIONS = [Cases1764201700000, Routing1764201800000];
