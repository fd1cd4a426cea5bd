import { z } from 'zod';

const name = z.string().trim().min(1).max(200);
const unitFields = {
  name,
  shortName: z.string().trim().min(1).max(60),
  kind: z.enum(['county', 'zone', 'department', 'agency', 'police', 'utility', 'institution', 'district-dept', 'street', 'town']),
  parentId: z.string().max(64).nullable().default(null),
  area: z.string().trim().min(1).max(60),
  emails: z.array(z.email()).max(20).default([]),
  webhookUrl: z.url().nullable().default(null),
};

export const createUnitSchema = z.object({ ...unitFields, reason: z.string().max(500).optional() });
export type CreateUnitDto = z.infer<typeof createUnitSchema>;

export const updateUnitSchema = z
  .object({
    name: unitFields.name.optional(),
    shortName: unitFields.shortName.optional(),
    kind: unitFields.kind.optional(),
    parentId: unitFields.parentId.optional(),
    area: unitFields.area.optional(),
    emails: z.array(z.email()).max(20).optional(),
    webhookUrl: z.url().nullable().optional(),
    reason: z.string().max(500).optional(),
  })
  .strict();
export type UpdateUnitDto = z.infer<typeof updateUnitSchema>;

export const mergeUnitSchema = z.object({ intoUnitId: z.string().min(1).max(64), reason: z.string().min(1).max(500) });
export type MergeUnitDto = z.infer<typeof mergeUnitSchema>;

export const retireUnitSchema = z.object({ reason: z.string().min(1).max(500) });
export type RetireUnitDto = z.infer<typeof retireUnitSchema>;

export const ruleSchema = z.object({
  keywords: z.array(z.string().trim().min(1).max(30)).min(1).max(50),
  scope: z.enum(['city', 'local', 'street']),
  unitId: z.string().min(1).max(64),
  yuyangUnitId: z.string().max(64).nullable().default(null),
  zoneLocal: z.boolean().default(false),
  coUnitIds: z.array(z.string().max(64)).max(10).default([]),
  active: z.boolean().default(true),
});
export type RuleDto = z.infer<typeof ruleSchema>;
