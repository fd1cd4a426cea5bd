import type { InquiryType, Location } from '@app/common';
import type { TopicPrediction } from '../classifier/topic-model.js';
import type { Gazetteer, PlaceMatch } from './gazetteer.js';
import { classifyInquiryType } from './inquiry-type.js';

export interface RoutingUnit {
  id: string;
  shortName: string;
  name: string;
  kind: string;
  area: string;
  active: boolean;
  mergedInto: string | null;
  emails?: string[];
}

/** One line of the dispatch catalogue (table dispatch_rules), with unit ids. */
export interface DispatchRule {
  id: string;
  keywords: string[];
  /** `city`: always the city body; `local`: the county where it happens; `street`: the street office or town. */
  scope: 'city' | 'local' | 'street';
  unitId: string;
  /** The unit for the urban district itself (榆阳区), when it differs from `unitId`. */
  yuyangUnitId: string | null;
  /** A development zone handles this itself (its schools, its streets). */
  zoneLocal: boolean;
  coUnitIds: string[];
}

export interface RoutingInput {
  title?: string;
  content: string;
  typeHint?: InquiryType;
  location?: Location;
}

export interface Suggestion {
  unitId: string;
  unitName: string;
  score: number;
  /** Why: the catalogue rule and the words that matched, or the fallback used. */
  why: string;
}

export interface RoutingDecision {
  topic: string;
  topicConfidence: number;
  inquiryType: InquiryType;
  place: PlaceMatch;
  /** Best first, at most three, distinct units. */
  suggestions: Suggestion[];
  confidence: number;
  coUnitIds: string[];
}

export interface TopicClassifier {
  predict(text: string): TopicPrediction;
}

/** When nothing in the catalogue matches, the topic's usual city body is offered to the desk. */
const TOPIC_FALLBACK: Record<string, string> = {
  城乡建设: '市住建局',
  环境保护: '市生态环境局',
  交通运输: '市交通运输局',
  教育文体: '市教育局',
  劳动和社会保障: '市人社局',
  商贸旅游: '市市场监管局',
  卫生计生: '市卫健委',
};
export const URBAN_DISTRICT = '榆阳区';

/** Turns the three signals (type, topic, place) and the catalogue into ranked units with a confidence. */
export class Dispatcher {
  private readonly byId = new Map<string, RoutingUnit>();
  private readonly byShortName = new Map<string, RoutingUnit>();
  private readonly countyUnits = new Map<string, RoutingUnit>();

  constructor(
    units: RoutingUnit[],
    private readonly rules: DispatchRule[],
    private readonly gazetteer: Gazetteer,
    private readonly topics: TopicClassifier,
  ) {
    for (const u of units) {
      this.byId.set(u.id, u);
      this.byShortName.set(u.shortName, u);
      if (u.kind === 'county' && u.active) this.countyUnits.set(u.area, u);
    }
  }

  /** The unit's notice addresses as of this snapshot (carried on Assigned for the notifier). */
  emailsOf(unitId: string): string[] {
    return this.byId.get(unitId)?.emails ?? [];
  }

  decide(input: RoutingInput): RoutingDecision {
    const text = [input.title, input.content, input.location?.address].filter(Boolean).join('。');
    const topic = this.topics.predict(text);
    let place = this.gazetteer.find(text);
    if (!place.area && input.location?.latitude !== undefined && input.location.longitude !== undefined) {
      place = this.gazetteer.nearest(input.location.latitude, input.location.longitude);
    }
    const scores = new Map<string, Suggestion>();
    const credit = (unit: RoutingUnit | undefined, score: number, why: string): void => {
      const live = unit && this.live(unit);
      if (!live) return;
      const s = scores.get(live.id);
      if (s) s.score += score;
      else scores.set(live.id, { unitId: live.id, unitName: live.shortName, score, why });
    };

    let strongest: { rule: DispatchRule; strength: number } | undefined;
    for (const rule of this.rules) {
      const hits = rule.keywords.filter((k) => mentions(text, k));
      if (hits.length === 0) continue;
      // Longer keywords are more specific: 2 characters count 1, 4 or more count 2.
      const strength = hits.reduce((sum, k) => sum + Math.min(k.length, 4) / 2, 0);
      credit(this.territorial(rule, place), strength, `${rule.id}: ${hits.join('、')}`);
      if (!strongest || strength > strongest.strength) strongest = { rule, strength };
    }

    const ruled = scores.size > 0;
    const local = this.localUnit(place);
    if (!ruled && local) credit(local, 1, `place: ${place.place}`);
    // The confidence weighs the catalogue's evidence only; the topic's usual unit is a suggestion for the desk.
    const evidence = [...scores.values()].sort((a, b) => b.score - a.score);
    const confidence = round(this.confidence(evidence, place, ruled, strongest));
    credit(this.byShortName.get(TOPIC_FALLBACK[topic.label] ?? ''), 0.25, `topic: ${topic.label}`);

    const suggestions = [...scores.values()].sort((a, b) => b.score - a.score).slice(0, 3);
    return {
      topic: topic.label,
      topicConfidence: topic.confidence,
      inquiryType: input.typeHint ?? classifyInquiryType(text),
      place,
      suggestions,
      confidence,
      coUnitIds: strongest && suggestions[0] ? strongest.rule.coUnitIds.filter((id) => id !== suggestions[0].unitId) : [],
    };
  }

  private confidence(
    ranked: Suggestion[],
    place: PlaceMatch,
    ruled: boolean,
    strongest: { rule: DispatchRule; strength: number } | undefined,
  ): number {
    if (ranked.length === 0) return 0;
    if (!ruled) {
      // A county government answers for everything in its county; elsewhere a place alone is not enough.
      const county = place.area && place.area !== URBAN_DISTRICT && this.countyUnits.has(place.area);
      return county && !place.ambiguous ? 0.85 : 0.3;
    }
    const [first, second] = ranked;
    // Squared scores: a unit with twice the evidence of the runner-up is a clear winner (0.8), not a 2:1 tie.
    const runnerUp = second?.score ?? 0;
    let confidence = first.score ** 2 / (first.score ** 2 + runnerUp ** 2);
    if (strongest && strongest.rule.scope !== 'city' && !place.area) confidence *= 0.95;
    if (place.ambiguous) confidence *= 0.9;
    if (first.score < 1.5) confidence *= 0.95;
    return confidence;
  }

  /** The territorial principle: a local matter goes to its county, a city-run service to the city body. */
  private territorial(rule: DispatchRule, place: PlaceMatch): RoutingUnit | undefined {
    const unit = this.byId.get(rule.unitId);
    if (rule.scope === 'city') return unit;
    const zone = place.area && place.area !== place.county;
    if (zone) return rule.zoneLocal ? (this.localUnit(place) ?? unit) : unit;
    if (place.county && place.county !== URBAN_DISTRICT) return this.countyUnits.get(place.county) ?? unit;
    if (rule.scope === 'street' && place.place) {
      const office = this.byShortName.get(place.place);
      if (office && office.area === URBAN_DISTRICT && office.kind !== 'county') return office;
    }
    // No place at all is most often the urban district, where most citizens live.
    return (rule.yuyangUnitId ? this.byId.get(rule.yuyangUnitId) : undefined) ?? unit;
  }

  /** The unit that answers for the place itself: a county, a zone, or an urban street office or town. */
  private localUnit(place: PlaceMatch): RoutingUnit | undefined {
    if (!place.area) return undefined;
    const county = this.countyUnits.get(place.area);
    if (county) return county.area === URBAN_DISTRICT && place.place ? (this.byShortName.get(place.place) ?? county) : county;
    return [...this.byId.values()].find((u) => u.kind === 'zone' && u.area === place.area && u.active);
  }

  /** A merged unit's work goes to the unit it was merged into; a retired one gets none. */
  private live(unit: RoutingUnit): RoutingUnit | undefined {
    let current: RoutingUnit | undefined = unit;
    for (let hops = 0; current && !current.active && hops < 10; hops++) {
      current = current.mergedInto ? this.byId.get(current.mergedInto) : undefined;
    }
    return current?.active ? current : undefined;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const NUMBER_KEYWORDS = new Map<string, RegExp>();

/**
 * A keyword in the text; one made of digits ("120", "12345") only as a number of its own, so a citizen's phone
 * number 139…120… does not send the case to the emergency centre.
 */
function mentions(text: string, keyword: string): boolean {
  if (!/^\d+$/.test(keyword)) return text.includes(keyword);
  let re = NUMBER_KEYWORDS.get(keyword);
  if (!re) NUMBER_KEYWORDS.set(keyword, (re = new RegExp(`(?<![0-9０-９])${keyword}(?![0-9０-９])`)));
  return re.test(text);
}
