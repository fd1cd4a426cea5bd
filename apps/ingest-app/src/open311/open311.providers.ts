import type { Provider } from '@nestjs/common';
import { ApiKeysController, Open311AdminGuard } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { Open311ErrorFilter } from './open311.format.js';
import { Open311Controller, Open311DiscoveryController } from './open311.controller.js';
import { Open311MediaWorker } from './open311-media.worker.js';
import { Open311MediaRepository } from './open311-media.repository.js';
import { Open311Repository } from './open311.repository.js';
import { Open311Service } from './open311.service.js';

/** The Open311 feature's parts, registered in IngestAppModule (it shares the app's submission path and read model). */
export const OPEN311_CONTROLLERS = [Open311Controller, Open311DiscoveryController, ApiKeysController];

export const OPEN311_PROVIDERS: Provider[] = [
  ApiKeysRepository,
  ApiKeysService,
  Open311AdminGuard,
  Open311ErrorFilter,
  Open311Repository,
  Open311Service,
  Open311MediaRepository,
  Open311MediaWorker,
];
