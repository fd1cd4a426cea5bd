// EventSource cannot send an Authorization header, so the live feed is read with fetch and parsed here
// (the text/event-stream format: "event:", "data:", "id:" lines, a blank line ends an event).

export interface FeedEvent {
  type: string;
  id?: string;
  data: unknown;
}

export interface FeedHandlers {
  onEvent(e: FeedEvent): void;
  onState(state: 'connecting' | 'open' | 'closed'): void;
}

/** Connects and reconnects (with back-off) until the returned function is called. */
export function openFeed(url: string, token: string, h: FeedHandlers): () => void {
  const abort = new AbortController();
  let delay = 1000;
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      h.onState('connecting');
      try {
        const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal: abort.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        h.onState('open');
        delay = 1000;
        await readStream(res.body, h.onEvent);
      } catch {
        if (abort.signal.aborted) return;
      }
      h.onState('closed');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void run();
  return () => abort.abort();
}

async function readStream(body: ReadableStream<Uint8Array>, onEvent: (e: FeedEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
      const e = parseBlock(block);
      if (e) onEvent(e);
    }
  }
}

function parseBlock(block: string): FeedEvent | null {
  let type = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  if (!data.length) return null;
  const raw = data.join('\n');
  try {
    return { type, id, data: JSON.parse(raw) };
  } catch {
    return { type, id, data: raw };
  }
}
