import type { Provider } from '@nestjs/common';
import { PLATFORM_CONFIG } from '@app/common';
import { MediaPipeline } from '@app/common/media/media.pipeline.js';
import { LocalDiskObjectStore, type ObjectStore } from '@app/common/media/object-store.js';
import type { RouterConfig } from '../config.js';

export const OBJECT_STORE = Symbol('OBJECT_STORE');

export const MEDIA_PROVIDERS: Provider[] = [
  {
    provide: OBJECT_STORE,
    inject: [PLATFORM_CONFIG],
    useFactory: (config: RouterConfig): ObjectStore => new LocalDiskObjectStore(config.env.ROUTER_MEDIA_DIR),
  },
  {
    provide: MediaPipeline,
    inject: [OBJECT_STORE, PLATFORM_CONFIG],
    useFactory: (store: ObjectStore, config: RouterConfig) =>
      new MediaPipeline(store, {
        maxInputPixels: config.env.ROUTER_PHOTO_MAX_PIXELS,
        photoMaxBytes: config.env.ROUTER_PHOTO_MAX_BYTES,
        videoMaxBytes: config.env.ROUTER_FILE_MAX_BYTES,
      }),
  },
];
