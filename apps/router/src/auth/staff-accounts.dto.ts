import { z } from 'zod';
import { STAFF_ROLES } from './staff-auth.js';

export const loginSchema = z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) });
export type LoginDto = z.infer<typeof loginSchema>;

export const createStaffSchema = z
  .object({
    username: z.string().trim().regex(/^[A-Za-z0-9_.@-]{3,64}$/, '3–64 位字母、数字或 _.@-'),
    password: z.string().min(10).max(200),
    role: z.enum(STAFF_ROLES),
    unitId: z.string().min(1).max(64).optional(),
    displayName: z.string().trim().min(1).max(100).optional(),
  })
  .refine((d) => d.role !== 'unit' || !!d.unitId, { path: ['unitId'], message: '单位经办人账号必须指定单位' });
export type CreateStaffDto = z.infer<typeof createStaffSchema>;

export const updateStaffSchema = z
  .object({ password: z.string().min(10).max(200).optional(), active: z.boolean().optional() })
  .refine((d) => d.password !== undefined || d.active !== undefined, '请提供 password 或 active');
export type UpdateStaffDto = z.infer<typeof updateStaffSchema>;
