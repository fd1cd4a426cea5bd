import type { Open311ServiceType } from './open311.catalogue.js';

const W3_DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export interface CheckedAttributes {
  /** By code, as accepted (list values as keys). */
  attributes: Record<string, string | string[]>;
  /** Readable lines for the inquiry's content ("细分类别：安全隐患"), so the router and the unit see the answers. */
  lines: string[];
}

/**
 * Checks `attribute[code]` answers against the service definition: required ones present, list values among
 * the defined keys, numbers and datetimes well-formed. Codes the service does not define are ignored
 * (clients built for other servers send their own). Problems are appended to `problems`.
 */
export function checkAttributes(service: Open311ServiceType, given: Record<string, string | string[]>, problems: string[]): CheckedAttributes {
  const attributes: Record<string, string | string[]> = {};
  const lines: string[] = [];
  for (const definition of service.attributes) {
    if (!definition.variable) continue;
    const raw = given[definition.code];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => v.trim()).filter(Boolean);
    if (values.length === 0) {
      if (definition.required) problems.push(`缺少必填属性 attribute[${definition.code}]：${definition.description}（required attribute missing）`);
      continue;
    }
    const label = `attribute[${definition.code}]`;
    switch (definition.datatype) {
      case 'singlevaluelist':
      case 'multivaluelist': {
        if (definition.datatype === 'singlevaluelist' && values.length > 1) {
          problems.push(`${label} 只能选一个值（only one value allowed）`);
          continue;
        }
        const names = values.map((v) => definition.values?.find((option) => option.key === v)?.name);
        if (names.some((n) => n === undefined)) {
          problems.push(`${label} 的取值不在服务定义中（value not among the defined keys）`);
          continue;
        }
        attributes[definition.code] = definition.datatype === 'singlevaluelist' ? values[0] : values;
        lines.push(`${definition.description}：${names.join('、')}`);
        break;
      }
      case 'number':
        if (values.length > 1 || !Number.isFinite(Number(values[0]))) {
          problems.push(`${label} 必须是一个数字（must be a number）`);
          continue;
        }
        attributes[definition.code] = values[0];
        lines.push(`${definition.description}：${values[0]}`);
        break;
      case 'datetime':
        if (values.length > 1 || !W3_DATETIME.test(values[0]) || Number.isNaN(Date.parse(values[0]))) {
          problems.push(`${label} 须为 ISO 8601 日期时间（must be an ISO 8601 datetime）`);
          continue;
        }
        attributes[definition.code] = values[0];
        lines.push(`${definition.description}：${values[0]}`);
        break;
      case 'string':
      case 'text':
        if (values.length > 1 || (definition.datatype === 'string' && /[\r\n]/.test(values[0]))) {
          problems.push(`${label} 须为一行文字（must be a single line）`);
          continue;
        }
        attributes[definition.code] = values[0];
        lines.push(`${definition.description}：${values[0]}`);
        break;
      default: {
        const unknown: never = definition.datatype;
        return unknown;
      }
    }
  }
  return { attributes, lines };
}
