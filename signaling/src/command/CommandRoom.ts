/**
 * The command room (指挥大屏) of one node: the desks REST routes and socket
 * handlers call, the bus they report on, presence and the escalation timer.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { DutyCalls } from '../duty/DutyCalls.ts';
import type { DutyCallsOptions } from '../duty/DutyCallsTypes.ts';
import { DutyDesk } from '../duty/DutyDesk.ts';
import type { DutyOptions } from '../duty/DutyOptions.ts';
import { LoudspeakerAlerts, type LoudspeakerOptions } from '../loudspeakers/LoudspeakerAlerts.ts';
import { BookingDesk } from '../meetings/BookingDesk.ts';
import { DocumentConverter } from '../meetings/DocumentConverter.ts';
import { MaterialFiles } from '../meetings/MaterialFiles.ts';
import { MaterialPages } from '../meetings/MaterialPages.ts';
import { DEFAULT_MEETING_OPTIONS, type MeetingOptions } from '../meetings/MeetingOptions.ts';
import { MeetingScheduler } from '../meetings/MeetingScheduler.ts';
import { MinutesDesk } from '../meetings/MinutesDesk.ts';
import { MinutesFinaliser } from '../meetings/MinutesFinaliser.ts';
import { NoticeCalls } from '../meetings/NoticeCalls.ts';
import { NoticeDesk } from '../meetings/NoticeDesk.ts';
import type { AlertMetrics } from '../metrics.ts';
import { ChecklistWatch, DEFAULT_CHECKLIST_TICK_MS } from '../plans/ChecklistWatch.ts';
import { PlanDesk } from '../plans/PlanDesk.ts';
import { ResponseDesk } from '../plans/ResponseDesk.ts';
import { OverdueCalls } from '../reports/OverdueCalls.ts';
import { ReportDeadlineWatch } from '../reports/ReportDeadlineWatch.ts';
import { ReportDesk } from '../reports/ReportDesk.ts';
import { DEFAULT_REPORT_OPTIONS, type ReportOptions } from '../reports/ReportOptions.ts';
import { ReportPhotoFiles } from '../reports/ReportPhotoFiles.ts';
import { ResourceDesk } from '../resources/ResourceDesk.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import { AlertCalls } from './AlertCalls.ts';
import { CommandBus } from './CommandBus.ts';
import { CapIntake } from './cap/CapIntake.ts';
import { CapFeedPoller, type CapFeedPollerOptions } from './cap/feeds/CapFeedPoller.ts';
import { OutsideWarnings } from './cap/OutsideWarnings.ts';
import { EmergencyMeeting } from './EmergencyMeeting.ts';
import { Escalation } from './Escalation.ts';
import { IncidentDesk } from './IncidentDesk.ts';
import { Presence } from './Presence.ts';
import { TaskDesk } from './TaskDesk.ts';
import { VideoPull } from './VideoPull.ts';
import { WarningDesk } from './WarningDesk.ts';

export interface CommandRoomOptions {
  store: Store;
  registry: RoomRegistry;
  sip: SipBridge;
  /** How often escalation looks for unacknowledged alerts (config BEACON_ESCALATION_TICK_MS). */
  escalationTickMs: number;
  /** Alert delivery and ack latencies for /metrics; default none. */
  metrics?: AlertMetrics | null;
  /** Shifts and time zone of the duty roster; default DEFAULT_DUTY_OPTIONS (白班/夜班, Asia/Shanghai). */
  duty?: DutyOptions;
  /** The duty number and its ring time; default DEFAULT_DUTY_CALLS_OPTIONS (8000, 30 s). */
  dutyCalls?: DutyCallsOptions;
  /** Where report photos are kept (0700); default a fresh directory under the system's temp dir. */
  reportsDir?: string;
  /** Report deadlines, photo size, tick; default DEFAULT_REPORT_OPTIONS. */
  reports?: Partial<ReportOptions>;
  /** How often overdue checklist items of running responses are looked for (default 15 s). */
  checklistTickMs?: number;
  /** Repeat an overdue report's or checklist item's desk-phone call this often while it stays overdue; 0 (default): once. */
  overdueCallRepeatMs?: number;
  /** CAP feed polling: tick, entries per poll, fetch limits; default DEFAULT_CAP_FEED_OPTIONS. */
  capFeeds?: Partial<CapFeedPollerOptions>;
  /** Where meeting materials are kept (0700); default a fresh directory under the system's temp dir. */
  meetingsDir?: string;
  /** Meeting scheduler tick, material size; default DEFAULT_MEETING_OPTIONS. */
  meetings?: Partial<MeetingOptions>;
  /** Village loudspeakers (应急广播): readings per call; default DEFAULT_LOUDSPEAKER_OPTIONS (2). */
  loudspeakers?: Partial<LoudspeakerOptions>;
}

export class CommandRoom {
  readonly bus: CommandBus;
  readonly incidents: IncidentDesk;
  readonly warnings: WarningDesk;
  readonly tasks: TaskDesk;
  readonly presence: Presence;
  readonly meetings: EmergencyMeeting;
  readonly pull: VideoPull;
  readonly escalation: Escalation;
  /** Alerts read out to the townships' desk phones (press 1 = ack). */
  readonly alertCalls: AlertCalls;
  /** Duty (值班值守): roster, duty log, shift handovers. */
  readonly duty: DutyDesk;
  /** The duty number (值班电话): calls ring the officers on duty, then the leader. */
  readonly dutyCalls: DutyCalls;
  /** Information reporting (信息报送): report chains from townships and departments, the duty desk's inbox. */
  readonly reports: ReportDesk;
  readonly reportDeadlines: ReportDeadlineWatch;
  /** Emergency plans (应急预案): versions per incident type and level. */
  readonly plans: PlanDesk;
  /** Responses started on incidents from their plans: checklists, prefilled warning, task preview. */
  readonly responses: ResponseDesk;
  readonly checklistWatch: ChecklistWatch;
  /** Warnings from outside: CAP files and feeds drafted, updated and withdrawn on the warning desk. */
  readonly capIntake: CapIntake;
  /** The subscribed CAP feeds, polled. */
  readonly capFeeds: CapFeedPoller;
  /** Emergency resources (应急资源): the map's layers, the nearest to an incident, dispatching a team. */
  readonly resources: ResourceDesk;
  /** Meetings on a schedule (会议预约): bookings, notices with receipts, the scheduler that starts them. */
  readonly bookings: BookingDesk;
  readonly notices: NoticeDesk;
  readonly meetingScheduler: MeetingScheduler;
  /** Minutes (会议纪要) of booked meetings; materials as page images (LibreOffice, pdftoppm) to present. */
  readonly minutes: MinutesDesk;
  /** Finalised minutes (定稿): DOCX and PDF rendered once and kept as the meeting's files. */
  readonly minutesFiles: MinutesFinaliser;
  readonly converter: DocumentConverter;
  readonly materialPages: MaterialPages;
  /** Meeting notices read out to the invitees' desk phones (press 1 = receipt). */
  readonly noticeCalls: NoticeCalls;
  /** Warnings broadcast on the villages' loudspeakers (应急广播), played/failed per loudspeaker. */
  readonly loudspeakers: LoudspeakerAlerts;

  constructor(opts: CommandRoomOptions) {
    this.bus = new CommandBus(opts.store);
    this.incidents = new IncidentDesk(this.bus);
    this.warnings = new WarningDesk(this.bus, opts.metrics ?? null);
    this.capIntake = new CapIntake(opts.store, new OutsideWarnings(this.bus, this.warnings));
    this.capFeeds = new CapFeedPoller(opts.store, this.capIntake, opts.capFeeds);
    this.tasks = new TaskDesk(this.bus);
    this.presence = new Presence({ bus: this.bus, registry: opts.registry, sip: opts.sip });
    this.meetings = new EmergencyMeeting({ bus: this.bus, sip: opts.sip });
    this.pull = new VideoPull({ bus: this.bus, presence: this.presence });
    this.escalation = new Escalation(this.bus, { tickMs: opts.escalationTickMs });
    this.alertCalls = new AlertCalls({ bus: this.bus, bridge: opts.sip, store: opts.store, warnings: this.warnings });
    this.duty = new DutyDesk(opts.store, opts.duty);
    this.dutyCalls = new DutyCalls({
      store: opts.store,
      registry: opts.registry,
      sip: opts.sip,
      duty: this.duty,
      ...(opts.dutyCalls ? { options: opts.dutyCalls } : {}),
    });
    const reportOptions = { ...DEFAULT_REPORT_OPTIONS, ...opts.reports };
    const photos = new ReportPhotoFiles(opts.reportsDir ?? path.join(os.tmpdir(), `beacon-reports-${randomUUID()}`));
    this.reports = new ReportDesk({ bus: this.bus, incidents: this.incidents, files: photos, options: reportOptions });
    const overdueCalls = () =>
      new OverdueCalls({ sip: opts.sip, store: opts.store, repeatMs: opts.overdueCallRepeatMs ?? 0 });
    this.reportDeadlines = new ReportDeadlineWatch({
      desk: this.reports,
      store: opts.store,
      calls: overdueCalls(),
      files: photos,
      tickMs: reportOptions.tickMs,
    });
    this.plans = new PlanDesk(this.bus);
    this.responses = new ResponseDesk({ bus: this.bus, incidents: this.incidents, tasks: this.tasks });
    this.checklistWatch = new ChecklistWatch({
      desk: this.responses,
      tickMs: opts.checklistTickMs ?? DEFAULT_CHECKLIST_TICK_MS,
      store: opts.store,
      calls: overdueCalls(),
    });
    this.resources = new ResourceDesk({ bus: this.bus, tasks: this.tasks });
    const meetingOptions = { ...DEFAULT_MEETING_OPTIONS, ...opts.meetings };
    const meetingsDir = opts.meetingsDir ?? path.join(os.tmpdir(), `beacon-meetings-${randomUUID()}`);
    const materials = new MaterialFiles(meetingsDir);
    this.bookings = new BookingDesk({ bus: this.bus });
    this.notices = new NoticeDesk({
      bus: this.bus,
      bookings: this.bookings,
      files: materials,
      maxMaterialBytes: meetingOptions.maxMaterialBytes,
    });
    this.meetingScheduler = new MeetingScheduler({
      bus: this.bus,
      bookings: this.bookings,
      notices: this.notices,
      sip: opts.sip,
      tickMs: meetingOptions.tickMs,
      unusedMaterialTtlMs: meetingOptions.unusedMaterialTtlMs,
    });
    this.noticeCalls = new NoticeCalls({ desk: this.bookings, sip: opts.sip, store: opts.store });
    this.minutes = new MinutesDesk({ bus: this.bus, bookings: this.bookings, tasks: this.tasks });
    this.converter = new DocumentConverter({ workDir: path.join(meetingsDir, 'convert') });
    this.minutesFiles = new MinutesFinaliser({
      bus: this.bus,
      minutes: this.minutes,
      converter: this.converter,
      files: new MaterialFiles(path.join(meetingsDir, 'minutes')),
    });
    this.materialPages = new MaterialPages({
      dir: path.join(meetingsDir, 'pages'),
      files: materials,
      converter: this.converter,
    });
    this.loudspeakers = new LoudspeakerAlerts({
      bus: this.bus,
      bridge: opts.sip,
      ...(opts.loudspeakers ? { options: opts.loudspeakers } : {}),
    });
  }

  close(): void {
    this.escalation.stop();
    this.alertCalls.close();
    this.presence.close();
    this.dutyCalls.close();
    this.reportDeadlines.stop();
    this.checklistWatch.stop();
    this.capFeeds.close();
    this.resources.close();
    this.meetingScheduler.stop();
    this.noticeCalls.close();
    this.loudspeakers.close();
  }
}
