// Imported first, before any schema exists: the page's Content-Security-Policy forbids eval, so
// zod must use its interpreted validators and never probe for `new Function` (the probe alone
// logs a CSP violation).
import { z } from 'zod';

z.config({ jitless: true });
