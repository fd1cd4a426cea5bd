import { useEffect, useState } from 'preact/hooks';
import { call, objectUrl, ROUTER } from '../lib/api.js';
import type { DeskAttachment } from './desk-types.js';
import { useSession } from './session.js';

const REVIEW: Record<string, string> = { approve: '已公开', hide: '不公开', pending: '待审核' };

/** An image or video only staff may see: fetched with the token, shown from an object URL. */
function Protected({ url, kind, alt }: { url: string; kind: 'img' | 'video'; alt: string }) {
  const { token } = useSession();
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const abort = new AbortController();
    let made: string | null = null;
    objectUrl(ROUTER + url, token, abort.signal).then(
      (u) => setSrc((made = u)),
      () => setFailed(!abort.signal.aborted),
    );
    return () => {
      abort.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  if (failed) return <span class="error">{alt}无法加载</span>;
  if (!src) return <span class="muted" aria-busy="true">正在加载{alt}…</span>;
  return kind === 'img' ? <img src={src} alt={alt} /> : <video src={src} controls aria-label={alt} style="max-width:100%" />;
}

/**
 * The citizen's photos and videos, and the desk's review: a photo reaches the public portal only once approved
 * (AttachmentsPublished); hiding a published one withdraws it.
 */
export function CaseMedia({ id, attachments, canReview, onSaved }: { id: string; attachments: DeskAttachment[]; canReview: boolean; onSaved(): Promise<void> }) {
  const { token } = useSession();
  const photos = attachments.filter((a) => a.kind === 'photo');
  const videos = attachments.filter((a) => a.kind === 'video');
  const [choice, setChoice] = useState<Record<string, 'approve' | 'hide'>>({});
  const [video, setVideo] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const changed = photos.filter((p) => choice[p.objectKey] && choice[p.objectKey] !== p.review);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const decisions = changed.map((p) => ({ objectKey: p.objectKey, decision: choice[p.objectKey] }));
      await call(`${ROUTER}/desk/cases/${encodeURIComponent(id)}/photos`, { method: 'POST', body: { decisions }, token });
      setMessage({ ok: true, text: '照片审核已保存：公开的照片将显示在门户网站' });
      setChoice({});
      await onSaved();
    } catch (err) {
      setMessage({ ok: false, text: `保存照片审核失败：${(err as Error).message}` });
    } finally {
      setBusy(false);
    }
  };

  if (attachments.length === 0) return <p class="muted">市民未上传照片或视频。</p>;
  return (
    <form onSubmit={save} aria-label="照片与视频">
      <div class="photos media">
        {photos.map((p, i) => (
          <fieldset key={p.objectKey} class="photo">
            <legend>
              照片 {i + 1}（{REVIEW[p.review ?? 'pending']}）
            </legend>
            <Protected url={p.thumbnailUrl ?? p.url} kind="img" alt={`市民照片 ${i + 1}`} />
            {canReview && (
              <div class="row" style="gap:.8rem">
                {(['approve', 'hide'] as const).map((d) => (
                  <label key={d} class="inline">
                    <input
                      type="radio"
                      name={`review-${i}`}
                      value={d}
                      checked={(choice[p.objectKey] ?? p.review) === d}
                      onChange={() => setChoice({ ...choice, [p.objectKey]: d })}
                    />
                    {d === 'approve' ? '公开' : '不公开'}
                  </label>
                ))}
              </div>
            )}
          </fieldset>
        ))}
      </div>
      {videos.map((v, i) => (
        <div key={v.objectKey} style="margin-top:.5rem">
          {video === v.objectKey ? (
            <Protected url={v.url} kind="video" alt={`市民视频 ${i + 1}`} />
          ) : (
            <button type="button" onClick={() => setVideo(v.objectKey)}>
              播放视频 {i + 1}（{Math.round(v.bytes / 1024)} KB）
            </button>
          )}
        </div>
      ))}
      {message && (
        <p role="status" class={message.ok ? 'ok' : 'error'}>
          {message.text}
        </p>
      )}
      {canReview && photos.length > 0 && (
        <button type="submit" style="margin-top:.5rem" disabled={busy || changed.length === 0}>
          保存照片审核
        </button>
      )}
    </form>
  );
}
