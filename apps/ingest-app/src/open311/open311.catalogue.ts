import { OPEN311_TAXONOMY } from './open311-services.data.js';

/** GeoReport v2 attribute datatypes (GET Service Definition). */
export type AttributeDatatype = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

export interface ServiceAttribute {
  variable: boolean;
  code: string;
  datatype: AttributeDatatype;
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
}

export interface Open311ServiceType {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
  attributes: ServiceAttribute[];
}

/** Extra questions some categories ask, beyond the subcategory (ours, not from the taxonomy). */
const EXTRA_QUESTIONS: Record<string, Omit<ServiceAttribute, 'order'>[]> = {
  安全生产: [
    { variable: true, code: 'occurred_at', datatype: 'datetime', required: false, datatype_description: 'ISO 8601，例如 2026-11-27T08:30:00+08:00', description: '事故或隐患发现的时间' },
  ],
  环境污染: [
    {
      variable: true, code: 'pollution_kind', datatype: 'multivaluelist', required: true, datatype_description: null, description: '污染类型（可多选）',
      values: [
        { key: 'noise', name: '噪声' }, { key: 'air', name: '废气、烟尘、异味' }, { key: 'water', name: '污水' },
        { key: 'waste', name: '固体废物、垃圾' }, { key: 'other', name: '其他' },
      ],
    },
  ],
  出租车管理: [
    { variable: true, code: 'vehicle_count', datatype: 'number', required: false, datatype_description: '整数', description: '涉及车辆数' },
  ],
};

function service(code: string, group: string, category: string, subcategories: readonly string[]): Open311ServiceType {
  const name = category === '其他' ? `其他${group}问题` : category;
  const attributes: ServiceAttribute[] = [];
  if (subcategories.length > 0) {
    attributes.push({
      variable: true,
      code: 'subcategory',
      datatype: 'singlevaluelist',
      required: false,
      datatype_description: null,
      order: 1,
      description: '细分类别（选填，有助于更快转到承办单位）',
      values: subcategories.map((s, i) => ({ key: String(i + 1), name: s })),
    });
  }
  for (const extra of EXTRA_QUESTIONS[category] ?? []) attributes.push({ ...extra, order: attributes.length + 1 });
  return {
    service_code: code,
    service_name: name,
    description: subcategories.length > 0 ? `${group} · ${name}：${subcategories.join('、')}等问题` : `${group}方面的其他问题`,
    metadata: attributes.length > 0,
    type: 'realtime',
    keywords: [group, name, ...subcategories].join(', '),
    group,
    attributes,
  };
}

/** The services offered through Open311, by code. */
export class Open311Catalogue {
  private readonly byCode = new Map<string, Open311ServiceType>();

  constructor(rows = OPEN311_TAXONOMY) {
    for (const [code, group, category, subs] of rows) this.byCode.set(code, service(code, group, category, subs));
  }

  list(): Open311ServiceType[] {
    return [...this.byCode.values()];
  }

  find(code: string): Open311ServiceType | undefined {
    return this.byCode.get(code);
  }
}
