import { useEffect, useRef, useState } from 'preact/hooks';
import { call, ROUTER } from '../lib/api.js';
import type { DeskCaseDetail } from './desk-types.js';
import { useSession } from './session.js';

/** One `*` per character (not per UTF-16 unit): the router compares character by character. */
const stars = (s: string): string => '*'.repeat(Array.from(s).length);

/**
 * The public text after the automatic mask; the operator hides what it missed (a neighbour's name, a plate
 * written oddly) by selecting it or by typing the words. Only `*` can be added: the router refuses rewording.
 */
export function PublicText({ id, text, onSaved }: { id: string; text: DeskCaseDetail['publicText']; onSaved(): Promise<void> }) {
  const { token } = useSession();
  const [title, setTitle] = useState(text.title);
  const [content, setContent] = useState(text.content);
  const [phrase, setPhrase] = useState('');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    setTitle(text.title);
    setContent(text.content);
  }, [text.title, text.content]);
  const dirty = title !== text.title || content !== text.content;

  const maskSelection = () => {
    const el = area.current;
    if (!el || el.selectionStart === el.selectionEnd) return setMessage({ ok: false, text: '请先在公开正文中选中要遮盖的文字' });
    const [a, b] = [el.selectionStart, el.selectionEnd];
    setContent(content.slice(0, a) + stars(content.slice(a, b)) + content.slice(b));
    setMessage({ ok: true, text: '已遮盖所选文字（尚未保存）' });
  };
  const maskPhrase = () => {
    const p = phrase.trim();
    if (!p) return;
    const found = content.includes(p) || !!title?.includes(p);
    if (!found) return setMessage({ ok: false, text: `公开文本中没有“${p}”` });
    setContent(content.split(p).join(stars(p)));
    if (title) setTitle(title.split(p).join(stars(p)));
    setPhrase('');
    setMessage({ ok: true, text: `已遮盖“${p}”（尚未保存）` });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await call(`${ROUTER}/desk/cases/${encodeURIComponent(id)}/public-text`, { method: 'PUT', body: { title, content, reason: reason.trim() }, token });
      setMessage({ ok: true, text: '公开文本已保存，门户网站将显示脱敏后的版本' });
      setReason('');
      await onSaved();
    } catch (err) {
      setMessage({ ok: false, text: `保存公开文本失败：${(err as Error).message}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save}>
      <fieldset>
        <legend>公开文本脱敏{text.maskedByDesk ? '（已人工脱敏）' : '（自动脱敏）'}</legend>
        {title !== null && (
          <>
            <label for="public-title">公开标题</label>
            <input id="public-title" value={title} readOnly />
          </>
        )}
        <label for="public-content" style="margin-top:.4rem">
          公开正文（市民可见；可用键盘或鼠标选中文字）
        </label>
        <textarea id="public-content" ref={area} value={content} readOnly rows={5} />
        <button type="button" style="margin-top:.4rem" onClick={maskSelection}>
          遮盖所选文字
        </button>
        <div class="row" style="margin-top:.6rem">
          <div style="flex:1">
            <label for="mask-phrase">要遮盖的词语（姓名、车牌等）</label>
            <input
              id="mask-phrase"
              value={phrase}
              maxLength={100}
              onInput={(e) => setPhrase(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  maskPhrase();
                }
              }}
            />
          </div>
          <button type="button" onClick={maskPhrase} disabled={!phrase.trim()}>
            遮盖全部
          </button>
        </div>
        <label for="mask-reason" style="margin-top:.6rem">
          脱敏说明（必填，记录在案）
        </label>
        <input id="mask-reason" value={reason} maxLength={2000} onInput={(e) => setReason(e.currentTarget.value)} />
        {message && (
          <p role="status" class={message.ok ? 'ok' : 'error'}>
            {message.text}
          </p>
        )}
        <div class="row" style="margin-top:.5rem">
          <button type="submit" class="primary" disabled={busy || !dirty || !reason.trim()}>
            保存公开文本
          </button>
          <button
            type="button"
            disabled={!dirty}
            onClick={() => {
              setTitle(text.title);
              setContent(text.content);
              setMessage(null);
            }}
          >
            撤销未保存的遮盖
          </button>
        </div>
      </fieldset>
    </form>
  );
}
