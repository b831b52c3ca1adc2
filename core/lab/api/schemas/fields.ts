// Field schemas the contract's modules build with (ids, names, times, metric values, the empty
// request and the deleted response); not part of the public contract. Browser-safe: zod only.
import { z } from 'zod';

export const id = z.string().min(1).max(200);
export const name = z.string().trim().min(1).max(200);
/** Unix epoch milliseconds. */
export const time = z.number().int().nonnegative();
/** A metric value: JSON has no NaN or Infinity, so a non-finite value travels as null. */
export const metricValue = z.number().nullable();
export const empty = z.object({});
export const deleted = z.object({ deleted: z.boolean() });
