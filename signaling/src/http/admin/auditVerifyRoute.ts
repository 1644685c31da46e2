/**
 * GET /admin/audit/verify — walks the audit hash chain (audit/verifyChain.ts)
 * and answers the report: ok, rows, the head to note down, the first broken
 * row. Admins only (the admin router checks); the check is audited itself.
 */
import type { Router } from 'express';
import { describeBreak, verifyChain } from '../../audit/verifyChain.ts';
import type { Store } from '../../store/index.ts';
import { claimsOf } from '../authRoutes.ts';

export function auditVerifyRoute(router: Router, store: Store): void {
  router.get('/admin/audit/verify', async (_req, res) => {
    const claims = claimsOf(res);
    const report = await verifyChain((afterId, limit) => store.audit.chainPage(afterId, limit));
    await store.audit.append({
      actorId: claims.userId,
      role: claims.role,
      action: 'admin.audit.verify',
      target: 'audit',
      detail: { ok: report.ok, rows: report.rows, head: report.head, firstBroken: report.firstBroken },
    });
    res.json({ ...report, message: report.firstBroken ? describeBreak(report.firstBroken) : null });
  });
}
