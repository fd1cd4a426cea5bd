import { Cases1764201700000 } from './1764201700000-cases.js';

export const ROUTER_MIGRATIONS = [Cases1764201700000];
