// Imported first, before any schema exists: zod validates without generating code (no eval).
import { z } from 'zod';

z.config({ jitless: true });
