import { useEffect, useState } from 'preact/hooks';

/** The current hash route ("#/case/123" → "/case/123"); hash routing keeps the static server trivial. */
export function useRoute(): string {
  const read = () => location.hash.replace(/^#/, '') || '/';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => {
      setRoute(read());
      // Move focus to the new page's heading so screen readers announce the change.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('main h2')?.focus());
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
