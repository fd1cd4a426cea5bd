import type { Location } from '../contracts/common.schemas.js';
import type { ItemRow } from './conversation.repository.js';
import { clip } from './conversation.texts.js';

/** The inquiry's text: the draft's texts and recognised voice, in order. */
export function contentOf(items: ItemRow[]): string {
  return items
    .flatMap((i) => (i.text && (i.kind === 'text' || i.media_kind === 'voice') ? [i.text] : []))
    .join('\n')
    .trim();
}

/** The first sentence, clipped: the inquiry needs a title and citizens rarely give one. */
export function titleOf(content: string): string {
  const first = content.split(/[\n。！？!?]/u).find((s) => s.trim()) ?? content;
  return clip(first.trim(), 30) || '（无标题）';
}

export function cleanLocation(l: Location): Location {
  return {
    latitude: l.latitude ?? undefined,
    longitude: l.longitude ?? undefined,
    address: l.address ? clip(l.address, 450) : undefined,
  };
}
