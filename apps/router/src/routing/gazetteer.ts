/** The place names of the city (apps/router/data/gazetteer.json) and how to find them in a citizen's text. */
export interface GazetteerData {
  counties: {
    name: string;
    seat: string;
    lat: number;
    lng: number;
    places: { name: string; kind: 'street' | 'town' | 'township' | 'place' }[];
    informal: { name: string; zone?: string }[];
  }[];
  landmarks: { name: string; county: string }[];
  zones: { name: string; aliases: string[]; county: string; unit: string }[];
}

export interface PlaceMatch {
  /** The county-level area: a county name, or a development zone's name. */
  area?: string;
  /** The county the area lies in (a zone's host county). */
  county?: string;
  /** The finest place found, e.g. "鱼河镇" or "高家堡". */
  place?: string;
  placeKind?: 'county' | 'zone' | 'street' | 'town' | 'township' | 'place' | 'informal' | 'landmark' | 'coordinates';
  /** Two counties were named, or only weak names were found. */
  ambiguous: boolean;
}

interface Entry {
  name: string;
  county: string;
  zone?: string;
  kind: NonNullable<PlaceMatch['placeKind']>;
  /** The official form of the place, e.g. "鱼河镇" for "鱼河". */
  canonical: string;
  /** County names and suffixed names are strong evidence; bare town names may be shop names or words. */
  strong: boolean;
  /** A town or street name without its 镇/乡/街道 suffix. */
  bare?: boolean;
}

const SUFFIX: Record<string, string> = { street: '街道', town: '镇', township: '乡' };
/** A bare place name directly followed by one of these is a business or a dish, not the place (高家堡饭店). */
const NOT_A_PLACE_AFTER = /^(饭店|餐馆|餐厅|酒店|宾馆|超市|商店|面馆|小吃|烧烤|公司|店|酒楼|火锅|驴肉|商行)/;
/** A bare place name followed by one of these is the place. */
const PLACE_AFTER = /^(镇|乡|街道|村|社区|路|街|一带|附近|地区)/;

export class Gazetteer {
  private readonly entries = new Map<string, Entry[]>();
  /** Per first two characters of a name, the lengths of the names starting so, longest first. */
  private readonly lengths = new Map<string, number[]>();
  /** Whether some name starts with a UTF-16 unit: most positions of a text are passed over on this alone. */
  private readonly starts = new Uint8Array(0x10000);

  constructor(private readonly data: GazetteerData) {
    for (const c of data.counties) {
      const short = c.name.length > 2 ? c.name.slice(0, -1) : c.name; // 神木市 → 神木; 佳县 stays
      this.add({ name: c.name, county: c.name, kind: 'county', canonical: c.name, strong: true });
      if (short !== c.name) this.add({ name: short, county: c.name, kind: 'county', canonical: c.name, strong: true });
      for (const p of c.places) {
        const suffix = SUFFIX[p.kind] ?? '';
        const canonical = `${p.name}${suffix}`;
        if (suffix) this.add({ name: canonical, county: c.name, kind: p.kind, canonical, strong: true });
        this.add({ name: p.name, county: c.name, kind: p.kind, canonical, strong: p.name.length >= 3, bare: true });
        // Counties listed without the town/street distinction: any suffix the citizen adds names the same place.
        if (!suffix) {
          for (const s of ['镇', '乡', '街道']) this.add({ name: `${p.name}${s}`, county: c.name, kind: p.kind, canonical, strong: true });
        }
      }
      for (const i of c.informal) {
        this.add({ name: i.name, county: c.name, zone: i.zone, kind: 'informal', canonical: i.name, strong: true });
      }
    }
    for (const l of data.landmarks) {
      this.add({ name: l.name, county: l.county, kind: 'landmark', canonical: l.name, strong: true, bare: true });
    }
    for (const z of data.zones) {
      for (const a of z.aliases) this.add({ name: a, county: z.county, zone: z.name, kind: 'zone', canonical: z.name, strong: true });
    }
    for (const name of this.entries.keys()) {
      if (name.length < 2) continue; // a single character is never taken for a place
      const prefix = name.slice(0, 2);
      const lengths = this.lengths.get(prefix) ?? [];
      if (!lengths.includes(name.length)) this.lengths.set(prefix, [...lengths, name.length].sort((a, b) => b - a));
      this.starts[name.charCodeAt(0)] = 1;
    }
  }

  private add(entry: Entry): void {
    const list = this.entries.get(entry.name) ?? [];
    list.push(entry);
    this.entries.set(entry.name, list);
  }

  /** Longest-match scan; a name claimed by several counties (e.g. 西沙) only counts when one is also named. */
  find(text: string): PlaceMatch {
    const hits: Entry[][] = [];
    for (let i = 0; i < text.length; ) {
      let found: Entry[] | undefined;
      let length = 0;
      const lengths = this.starts[text.charCodeAt(i)] ? this.lengths.get(text.slice(i, i + 2)) : undefined;
      for (const n of lengths ?? []) {
        const candidates = n <= text.length - i ? this.entries.get(text.slice(i, i + n)) : undefined;
        if (candidates) {
          found = candidates;
          length = n;
          break;
        }
      }
      if (!found) {
        i++;
        continue;
      }
      const after = text.slice(i + length, i + length + 4);
      const bare = found.every((e) => e.bare);
      if (!(bare && NOT_A_PLACE_AFTER.test(after))) {
        hits.push(bare && PLACE_AFTER.test(after) ? found.map((e) => ({ ...e, strong: true })) : found);
      }
      i += length;
    }
    return this.resolve(hits);
  }

  private resolve(hits: Entry[][]): PlaceMatch {
    if (hits.length === 0) return { ambiguous: false };
    const votes = new Map<string, number>();
    for (const h of hits) {
      for (const e of h) votes.set(e.county, (votes.get(e.county) ?? 0) + (e.strong ? 2 : 1) / h.length);
    }
    const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]);
    const county = ranked[0][0];
    const inCounty = hits.map((h) => h.find((e) => e.county === county)).filter((e): e is Entry => !!e);
    const zone = inCounty.find((e) => e.zone)?.zone;
    const finest = [...inCounty].sort((a, b) => rank(b) - rank(a))[0];
    const weak = inCounty.every((e) => !e.strong);
    const contested = ranked.length > 1 && ranked[1][1] >= ranked[0][1];
    return {
      area: zone ?? county,
      county,
      place: finest.canonical,
      placeKind: finest.kind,
      ambiguous: weak || contested,
    };
  }

  /** The county whose seat is nearest (a planar approximation is plenty at this scale). */
  nearest(latitude: number, longitude: number): PlaceMatch {
    let best = this.data.counties[0];
    let bestD = Infinity;
    const k = Math.cos((latitude * Math.PI) / 180);
    for (const c of this.data.counties) {
      const d = (c.lat - latitude) ** 2 + ((c.lng - longitude) * k) ** 2;
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return { area: best.name, county: best.name, place: best.seat, placeKind: 'coordinates', ambiguous: false };
  }
}

function rank(e: Entry): number {
  switch (e.kind) {
    case 'county':
      return 0;
    case 'zone':
      return 1;
    case 'informal':
    case 'landmark':
    case 'place':
      return 2;
    case 'street':
    case 'town':
    case 'township':
      return 3;
    case 'coordinates':
      return 0;
  }
}
