/**
 * /api/v1/admin: the organisation, administered in the product. Admin
 * accounts only (ACCOUNT_PERMISSIONS 'org:administer'); zod at the edge;
 * every change audited with the row before and after.
 */
import { Router } from 'express';
import { type ImportOptions, importRoutes } from '../../admin-import/importRoutes.ts';
import type { AccountSessions } from '../../auth/AccountSessions.ts';
import type { CommandRoom } from '../../command/CommandRoom.ts';
import { adminResourceRoutes } from '../../resources/adminResourceRoutes.ts';
import { requireAccount } from '../../rooms/permissions.ts';
import type { SipBridge } from '../../sip/SipBridge.ts';
import type { Store } from '../../store/index.ts';
import { claimsOf } from '../authRoutes.ts';
import { auditVerifyRoute } from './auditVerifyRoute.ts';
import { boundaryRoutes } from './boundaryRoutes.ts';
import { capFeedRoutes } from './capFeedRoutes.ts';
import { deviceRoutes } from './deviceRoutes.ts';
import { orgRoutes } from './orgRoutes.ts';
import { passwordResetRoute } from './passwordReset.ts';

export function adminRouter(deps: {
  store: Store;
  sip: SipBridge;
  accounts: AccountSessions;
  command: CommandRoom;
  importOptions?: ImportOptions;
}): Router {
  const router = Router();
  router.use('/admin', (_req, res, next) => {
    requireAccount(claimsOf(res), 'org:administer');
    next();
  });
  orgRoutes(router, deps.store);
  deviceRoutes(router, deps);
  passwordResetRoute(router, deps);
  importRoutes(router, deps);
  boundaryRoutes(router, deps.store, deps.command.bus);
  auditVerifyRoute(router, deps.store);
  capFeedRoutes(router, deps.store, deps.command);
  adminResourceRoutes(router, deps.store, deps.importOptions);
  return router;
}
