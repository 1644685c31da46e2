/**
 * The express app: ops endpoints, the REST API under /api/v1, the console.
 * Every error is a JSON `{ error: { code, message } }`; unknown API routes
 * are 404 JSON rather than the console's index.html.
 */
import type { MediaControl } from '@beacon/media-server';
import express, { type Express, type Router } from 'express';
import type { AccountSessions } from '../auth/AccountSessions.ts';
import type { FailureAudit } from '../auth/throttle/FailureAudit.ts';
import type { SignInThrottle } from '../auth/throttle/SignInThrottle.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { evaluationRouter } from '../evaluation/evaluationRoutes.ts';
import type { GbService } from '../gb28181/GbService.ts';
import { cameraRouter } from '../gb28181/gbRoutes.ts';
import { meetingBookingRouter } from '../meetings/meetingBookingRoutes.ts';
import { minutesRouter } from '../meetings/minutesRoutes.ts';
import type { BeaconMetrics } from '../metrics.ts';
import type { MetricsAccessOptions } from '../metricsAccess.ts';
import { resourceRouter } from '../resources/resourceRoutes.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import { KANNEL_CALLBACK_PATH, type SmsService } from '../sms/SmsService.ts';
import type { StationService } from '../stations/StationService.ts';
import { stationIngestRouter, stationRouter } from '../stations/stationRoutes.ts';
import type { Store } from '../store/index.ts';
import { iceServersRouter } from '../turn/iceServersRoute.ts';
import type { TurnService } from '../turn/TurnService.ts';
import { adminRouter } from './admin/adminRouter.ts';
import { boundaryBodyParser } from './admin/boundaryRoutes.ts';
import { apiRouter, type ClientSettings } from './apiRoutes.ts';
import { loginRouter, requireBearer } from './authRoutes.ts';
import { commandRouter } from './commandRoutes.ts';
import { consoleRouter } from './consoleStatic.ts';
import { dutyRouter } from './dutyRoutes.ts';
import { errorHandler, sendError } from './errors.ts';
import { incidentRouter } from './incidentRoutes.ts';
import { meetingRouter, recordingLinkRoute, recordingRouter } from './meetingRoutes.ts';
import { opsRouter } from './opsRoutes.ts';
import { planRouter } from './planRoutes.ts';
import { RecordingLinks } from './recordingLinks.ts';
import { reportRouter } from './reportRoutes.ts';
import { securityHeaders } from './securityHeaders.ts';
import { sessionRouter } from './sessionRoutes.ts';
import { sipRouter } from './sipRoutes.ts';
import { kannelCallbackRouter, smsRouter } from './smsRoutes.ts';
import { warningRouter } from './warningRoutes.ts';

export interface AppDeps {
  store: Store;
  tokens: TokenService;
  registry: RoomRegistry;
  media: MediaControl;
  metrics: BeaconMetrics;
  /** Who may read /metrics (config BEACON_METRICS_TOKEN, BEACON_METRICS_LOOPBACK). Default: loopback only. */
  metricsAccess?: MetricsAccessOptions;
  sip: SipBridge;
  command: CommandRoom;
  /** Closes a disabled account's sockets (the socket server listens). */
  accounts: AccountSessions;
  /** Failed sign-ins per account and address. */
  throttle: SignInThrottle;
  /** The aggregated audit of failed sign-ins. */
  failures: FailureAudit;
  consoleDist: string;
  /** BEACON_DEMO=on: the console shows its demo banner (GET /api/v1/auth/info). Default false. */
  demo?: boolean;
  /** Settings the console needs (GET /api/v1/settings). */
  settings: ClientSettings;
  /** TURN credentials (GET /api/v1/ice-servers); default none. */
  turn?: TurnService | null;
  /** Send Strict-Transport-Security (only with an admin's certificate; see tls/serverTls.ts). Default false. */
  hsts?: boolean;
  /** Routers mounted before everything else (the certificate help pages). */
  before?: Router[];
  /** Signs recording links (key from the JWT secret); default: a random key, links good on this process only. */
  recordingLinks?: RecordingLinks;
  /** Monitoring stations (ingest, admin, map); default none (their routes answer 404). */
  stations?: StationService;
  /** SMS (BEACON_SMS=on): Kannel's delivery reports and replies come back here; default none. */
  sms?: SmsService | null;
  /** GB/T 28181 cameras (BEACON_GB28181=on); default none (their routes answer 404). */
  cameras?: GbService | null;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // First: every response below (API, errors, console files, help pages) carries them.
  app.use(securityHeaders({ tileUrl: deps.settings.map.tileUrl }));
  if (deps.hsts) {
    app.use((_req, res, next) => {
      res.setHeader('Strict-Transport-Security', 'max-age=31536000');
      next();
    });
  }
  for (const router of deps.before ?? []) app.use(router);

  app.use(opsRouter({ ...deps, metricsAccess: deps.metricsAccess ?? { token: null, trustLoopback: true } }));
  // A note may carry a ~2 MB JPEG data URL (snapshot); parsed here, the 100 kB parser below skips it.
  app.post('/api/v1/incidents/:id/notes', express.json({ limit: '3mb' }));
  // Boundary files (GeoJSON, up to 10 MiB) are read as text by their own parser, and only for an admin's token:
  // nobody else gets to make the server buffer megabytes. The JSON parser below skips them.
  app.put('/api/v1/admin/boundaries', requireBearer(deps.tokens, deps.store), boundaryBodyParser);
  // Kannel's delivery reports and replies: no token (each URL carries its own signature or key).
  if (deps.sms) app.use(KANNEL_CALLBACK_PATH, kannelCallbackRouter(deps.sms));
  app.use('/api', express.json({ limit: '100kb' }));
  app.use('/api/v1/auth', loginRouter(deps), sessionRouter(deps));
  // Before the bearer middleware: a <video src> cannot send headers, so it brings a signed link.
  const recordingLinks = deps.recordingLinks ?? new RecordingLinks();
  app.get('/api/v1/recordings/:id/file', recordingLinkRoute({ store: deps.store, recordingLinks }));
  // Before the bearer middleware too: a station authenticates with its own token, not an account.
  const stations = deps.stations;
  if (stations) app.use('/api/v1/ingest', stationIngestRouter({ store: deps.store, stations }));
  app.use(
    '/api/v1',
    requireBearer(deps.tokens, deps.store),
    apiRouter(deps),
    adminRouter(deps),
    meetingRouter(deps),
    recordingRouter({ store: deps.store, recordingLinks }),
    sipRouter(deps),
    incidentRouter(deps),
    warningRouter(deps),
    commandRouter(deps),
    dutyRouter(deps),
    reportRouter(deps),
    planRouter(deps),
    resourceRouter(deps),
    evaluationRouter(deps),
    minutesRouter({
      bookings: deps.command.bookings,
      minutes: deps.command.minutes,
      minutesFiles: deps.command.minutesFiles,
      notices: deps.command.notices,
      pages: deps.command.materialPages,
      converter: deps.command.converter,
    }),
    meetingBookingRouter({ bookings: deps.command.bookings, notices: deps.command.notices }),
    iceServersRouter(deps.turn ?? null),
    ...(stations ? [stationRouter({ store: deps.store, stations })] : []),
    smsRouter(deps),
    ...(deps.cameras ? [cameraRouter({ store: deps.store, cameras: deps.cameras })] : []),
  );
  app.use('/api', (req, res) => {
    sendError(res, 'not_found', `no such endpoint: ${req.method} ${req.originalUrl.split('?')[0]}`);
  });
  app.use(consoleRouter(deps.consoleDist));
  app.use(errorHandler);
  return app;
}
