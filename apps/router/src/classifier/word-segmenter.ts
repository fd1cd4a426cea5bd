import { createRequire } from 'node:module';

/**
 * jieba word segmentation (@node-rs/jieba, its bundled default dictionary; no download). Loaded on first
 * use only, so models without word features never pay the ~0.3 s dictionary load.
 */
interface Jieba {
  cut(sentence: string, hmm?: boolean): string[];
}

let jieba: Jieba | undefined;

export function segmentWords(text: string): string[] {
  if (!jieba) {
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): Jieba } };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba.cut(text, false);
}
