import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { call, ROUTER } from '../lib/api.js';
import { findUnits } from '../lib/pinyin.js';
import { useSession } from './session.js';

export interface Unit {
  id: string;
  name: string;
  shortName: string;
  area: string;
  active: boolean;
}

let cache: Promise<Unit[]> | null = null;
export function useUnits(): Unit[] {
  const { token } = useSession();
  const [units, setUnits] = useState<Unit[]>([]);
  useEffect(() => {
    cache ??= call<Unit[]>(`${ROUTER}/admin/units`, { token }).catch((e) => {
      cache = null;
      throw e;
    });
    cache.then((u) => setUnits(u.filter((x) => x.active !== false)), () => setUnits([]));
  }, [token]);
  return units;
}

/** An ARIA 1.2 combobox: type a name, short name or pinyin initials ("gjj"), arrows to move, Enter to pick. */
export function UnitPicker({ id, label, value, onChange }: { id: string; label: string; value: Unit | null; onChange(u: Unit | null): void }) {
  const units = useUnits();
  const [text, setText] = useState(value?.shortName ?? '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const matches = useMemo(() => findUnits(units, text), [units, text]);
  const listId = `${id}-list`;
  const pick = (u: Unit) => {
    onChange(u);
    setText(u.shortName);
    setOpen(false);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, matches.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter' && open && matches[active]) {
      e.preventDefault();
      pick(matches[active]);
    } else if (e.key === 'Escape') setOpen(false);
  };
  return (
    <div class="combo">
      <label for={id}>{label}</label>
      <input
        id={id}
        ref={input}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open && matches.length > 0}
        aria-controls={listId}
        aria-activedescendant={open && matches[active] ? `${id}-opt-${matches[active].id}` : undefined}
        autocomplete="off"
        placeholder="名称、简称或拼音首字母，如 gjj"
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setOpen(true);
          setActive(0);
          if (value) onChange(null);
        }}
        onKeyDown={onKey}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {open && matches.length > 0 && (
        <ul id={listId} role="listbox" aria-label={label}>
          {matches.map((u, i) => (
            <li
              key={u.id}
              id={`${id}-opt-${u.id}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(u);
              }}
            >
              {u.shortName} <span class="muted">{u.name}</span>
            </li>
          ))}
        </ul>
      )}
      {value && <p class="muted" style="margin:.2rem 0 0">已选：{value.name}</p>}
    </div>
  );
}
