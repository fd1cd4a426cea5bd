import type { NotifierEnv } from './config.js';

/** The validated configuration, as an injectable (read once at boot by `readNotifierConfig`). */
export class NotifierSettings {
  constructor(readonly env: NotifierEnv) {}
}
