import type { Provider } from '@nestjs/common';
import { MediaPipeline } from '@app/common/media/media.pipeline.js';
import { LocalDiskObjectStore, type ObjectStore } from '@app/common/media/object-store.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from './config.js';

export const OBJECT_STORE = Symbol('OBJECT_STORE');

export const MEDIA_PROVIDERS: Provider[] = [
  {
    provide: OBJECT_STORE,
    inject: [INGEST_APP_CONFIG],
    useFactory: (config: IngestAppConfig): ObjectStore => new LocalDiskObjectStore(config.env.MEDIA_DIR),
  },
  {
    provide: MediaPipeline,
    inject: [OBJECT_STORE, INGEST_APP_CONFIG],
    useFactory: (store: ObjectStore, config: IngestAppConfig) =>
      new MediaPipeline(store, {
        maxInputPixels: config.env.PHOTO_MAX_PIXELS,
        photoMaxBytes: config.env.PHOTO_MAX_BYTES,
        videoMaxBytes: config.env.VIDEO_MAX_BYTES,
      }),
  },
];
