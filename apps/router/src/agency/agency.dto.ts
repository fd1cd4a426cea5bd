import { z } from 'zod';

export const agencyListSchema = z.object({
  status: z.string().regex(/^[a-z_]{1,30}$/).optional(),
  clock: z.enum(['overdue', 'due_soon']).optional(),
  role: z.enum(['lead', 'co']).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type AgencyListQuery = z.infer<typeof agencyListSchema>;

export const webhookSchema = z.object({
  url: z.url().refine((u) => /^https?:\/\//.test(u), '只支持 http(s) 地址'),
  secret: z.string().min(16).max(200),
  prefer: z.enum(['email', 'webhook', 'both']).default('webhook'),
});
export type WebhookDto = z.infer<typeof webhookSchema>;
