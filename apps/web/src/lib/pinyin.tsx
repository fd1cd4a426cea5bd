import initialsOf from 'virtual:unit-initials';

/** "市公积金中心" → "sgjjzx"; characters outside the build-time table are kept as they are. */
export function initials(text: string): string {
  return [...text].map((c) => (initialsOf as Record<string, string>)[c] ?? c.toLowerCase()).join('');
}

export interface Findable {
  id: string;
  name: string;
  shortName: string;
}

// "市公积金中心" is called "公积金中心" (gjj) in speech: the city prefix is skipped for prefix matches.
const CITY_PREFIX = /^(榆林市|榆林|市)/;

/**
 * Units matching a query by name, short name or pinyin initials. Ranked: the short name (as said, without the
 * city prefix) first, then the full name, then a match anywhere; ties go to the shorter short name.
 */
export function findUnits<T extends Findable>(units: T[], query: string, limit = 12): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return units.slice(0, limit);
  const scored: { u: T; score: number }[] = [];
  for (const u of units) {
    const spoken = u.shortName.replace(CITY_PREFIX, '');
    const tiers: [number, string[]][] = [
      [8, [u.shortName, spoken, initials(u.shortName), initials(spoken)]],
      [5, [u.name, initials(u.name), initials(u.name.replace(CITY_PREFIX, ''))]],
    ];
    let score = -1;
    for (const [weight, keys] of tiers) {
      for (const k of keys.map((x) => x.toLowerCase())) {
        const at = k.indexOf(q);
        if (at === 0) score = Math.max(score, weight + (k === q ? 2 : 0));
        else if (at > 0) score = Math.max(score, weight - 4);
      }
    }
    if (score >= 0) scored.push({ u, score });
  }
  scored.sort((a, b) => b.score - a.score || a.u.shortName.length - b.u.shortName.length);
  return scored.slice(0, limit).map((s) => s.u);
}
