/**
 * `npm run bench`: prints Beacon's benchmark figures.
 *  - join → first remote frame decoded in Chromium (p50/p95 over BENCH_JOINS joins, default 10)
 *  - fan-out: one VP8 producer (ffmpeg over RTP) into N PlainTransport consumers on one worker
 *  - broadcast: one presenter (VP8 720p30 + Opus) to N view-only receivers on one worker
 *  - SIP gateway: mixer capacity (rooms × phone legs) and the whole chain under SIPp load; a video terminal's
 *    main view forwarded vs transcoded (CPU, key-frame wait); through the whole chain (Chromium → Kamailio →
 *    gateway → a terminal's decoder): glass-to-glass latency and key-frame recovery at a switch and on request
 *  - command room: alert fan-out to N terminals with acknowledgement; map render time in Chromium
 *  - township boundaries: import checks and a warning's affected set with detailed outlines
 *  - township link (emulated mountain WAN): join → first frame, bytes on the wire in a 16-township gallery
 *  - peer: the same plain-RTP fan-out through Beacon and through Janus 1.1 VideoRoom, CPU and packets/s side by side
 *  - admin: the user list with 10,000 accounts (REST page/search, console first render/search)
 *  - store: other terminals' event latency while a PostgreSQL row lock stalls one ack 5 s
 *  - organisation import: 200 townships × 20 villages + 1,000 users from one XLSX (read, dry run, commit)
 *  - information reporting: BENCH_REPORT_TOWNSHIPS (default 200) reports with a ~2 MB photo in one minute → inbox
 *  - inbox: the duty desk's inbox with 500 report chains in Chromium (open to painted, a new report to its card)
 *  - warnings from outside: CAP read/draft/write per message; one feed poll of 200 entries (20 for the city)
 *  - monitoring stations: BENCH_STATIONS (default 2,000) rain gauges × one reading per 5 s over MQTT over TLS,
 *    thresholds evaluated: time to connect them all, ingest delay p50/p99 and CPU of Beacon and mosquitto
 *  - resources: 2,000 teams + depots + shelters each from one XLSX (read, dry run, commit), the nearest to an incident
 *  - meeting material: a BENCH_DOC_PAGES-page (default 20) DOCX to PDF (LibreOffice) and page PNGs (pdftoppm)
 *  - meeting notice: one booking to BENCH_MEETING_TOWNSHIPS (default 200) townships, delivered and confirmed
 *  - SMS fan-out: one warning to BENCH_SMS_CONTACTS (default 1,000) village contacts through Kannel and its fake SMSC
 *  - loudspeakers: one warning calls BENCH_LOUDSPEAKERS (default 100) village loudspeakers at once: time until all play
 *  - GB/T 28181: PS demux CPU per 2 Mbit/s camera stream; BENCH_GB_CAMERAS (default 50) cameras registered with
 *    keepalives every second (register and keepalive round trips)
 */
import { runAlertFanout } from './alertFanout.ts';
import { runBroadcast } from './broadcast.ts';
import { runFanout } from './fanout.ts';
import { printPeerRows, runPeerBench } from './janus.ts';
import { runJoinLatency } from './joinLatency.ts';
import { runMapRender } from './mapRender.ts';
import { runMixerCapacity, runSipLoad } from './sip.ts';
import { runCodecCost, runCodecCpu } from './sipCodecs.ts';
import { runSipVideo } from './sipVideo.ts';
import { printTownshipLink, runTownshipLink } from './townshipLink.ts';

const joins = Number(process.env.BENCH_JOINS ?? 10);
const consumers = (process.env.BENCH_FANOUT ?? '50,100,200,400').split(',').map(Number);
const receivers = (process.env.BENCH_BROADCAST ?? '100,200,400').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

console.log(`# Beacon benchmarks (${new Date().toISOString()})`);
const join = await runJoinLatency({ joins });
console.log(`\n## Join → first remote frame decoded (Chromium, ${join.samplesMs.length}/${join.joins} joins)`);
console.log(`p50 ${join.p50Ms} ms, p95 ${join.p95Ms} ms; samples: ${join.samplesMs.join(', ')} ms`);
console.log(
  `where the time goes (median ms after the click): ${Object.entries(join.stepsP50Ms)
    .map(([step, ms]) => `${step} ${ms}`)
    .join(' → ')} → first frame ${join.p50Ms}`,
);

console.log(`\n## Fan-out on one worker (${seconds} s per step)`);
const fanout = await runFanout({ consumers, seconds });
console.table(fanout);

console.log(
  `\n## Broadcast: one presenter (VP8 720p30 1.5 Mbit/s + Opus) to N receivers on one worker (${seconds} s per step)`,
);
const broadcast = await runBroadcast({ receivers, seconds });
console.table(broadcast);

const sipRooms = Number(process.env.BENCH_SIP_ROOMS ?? 10);
const sipLegs = Number(process.env.BENCH_SIP_LEGS ?? 20);
console.log(
  `\n## SIP mixer capacity in-process (${sipRooms} rooms × ${sipLegs} phone legs, 3 speakers per room, 15 s)`,
);
console.table([await runMixerCapacity(sipRooms, sipLegs, 15)]);
console.log(`\n## SIP leg cost by codec: G.722 vs PCMA (4 rooms × ${sipLegs} legs, 2 browser speakers per room, 10 s)`);
console.table(await runCodecCost(4, sipLegs, 10));
console.log('\n## Codec CPU per 20 ms frame (process.cpuUsage: not inflated by a busy machine)');
console.table(runCodecCpu());
console.log(
  `\n## SIP video terminal main view: forwarded H.264 vs VP8 transcoded by ffmpeg (640×360 15 fps, ${seconds} s each)`,
);
console.table([await runSipVideo('forwarded', seconds), await runSipVideo('transcoded', seconds)]);
const { glassOptionsFromEnv, printSipGlass } = await import('./sipGlass.ts');
const glass = glassOptionsFromEnv();
console.log(
  `\n## SIP video terminal glass to glass: Chromium's camera (a canvas stamped with the time) → the terminal's decoder, forwarded H.264 vs VP8 transcoded (${glass.frames} frames, ${glass.switches} main-view switches, ${glass.requests} PLI/FIR)`,
);
await printSipGlass(glass);
console.log(
  `\n## SIP load through Kamailio (${sipRooms} rooms × ${sipLegs} legs dial in at 20 calls/s, PIN, g711a.pcap)`,
);
console.table([await runSipLoad({ rooms: sipRooms, legsPerRoom: sipLegs, cps: 20, steadySeconds: 8 })]);

const alertTerminals = Number(process.env.BENCH_ALERT_TERMINALS ?? 1000);
console.log(`\n## Alert fan-out: ${alertTerminals} township terminals receive and acknowledge one warning`);
console.table([await runAlertFanout({ terminals: alertTerminals })]);

console.log('\n## Map: 2,000 township/terminal markers + 500 incidents, command room render time in Chromium');
console.table([await runMapRender({ townships: 2000, incidents: 500, runs: 3 })]);

const adminUsers = Number(process.env.BENCH_ADMIN_USERS ?? 10_000);
console.log(`\n## Admin user list with ${adminUsers} accounts: REST listing and the console's users page (Chromium)`);
const { runAdminList } = await import('./adminList.ts');
const adminList = await runAdminList({ users: adminUsers, runs: 3 });
console.table(adminList.api);
console.table([adminList.console]);

console.log('\n## Township boundaries: import checks and a warning’s affected set (200 townships × 2,000 vertices)');
const { runBoundaryBench } = await import('./boundaries.ts');
console.table([runBoundaryBench({ townships: 200, vertices: 2000, runs: 3 })]);

const joinParticipants = Number(process.env.BENCH_JOIN_PARTICIPANTS ?? 200);
console.log(
  `\n## Signaling join throughput, 1 node: ${joinParticipants} phone legs (socket.io + PCMU RTP) into 10 rooms, 20 joins in flight`,
);
const { runJoinThroughput } = await import('./joinThroughput.ts');
const joinRows = [];
for (const media of [false, true]) {
  joinRows.push(
    await runJoinThroughput({ nodes: 1, participants: joinParticipants, rooms: 10, maxInFlight: 20, media }),
  );
}
console.table(joinRows);

const { runStoreStall } = await import('./storeStall.ts');
const stall = await runStoreStall({ stallMs: 5_000, others: 8 });
console.log("\n## Store: other terminals' events while a PostgreSQL row lock stalls one ack 5 s (1 node)");
console.table([
  { phase: 'before the stall', ...stall.baseline },
  { phase: 'during the stall', ...stall.duringStall },
]);
console.log(
  `stalled ack answered after ${stall.stalledAckMs} ms; events answered before it: ${stall.answeredBeforeStalledAck}`,
);

const peerSubscribers = (process.env.BENCH_PEER ?? '100,200,400').split(',').map(Number);
console.log(
  `\n## Peer: one VP8 720p30 stream to N plain-RTP subscribers, Beacon (mediasoup worker) vs Janus VideoRoom (${seconds} s per step)`,
);
const peer = await runPeerBench({ subscribers: peerSubscribers, seconds });
printPeerRows(peer);
console.table(peer.ratios);

console.log(
  '\n## Township link (linkemu: 300 kbit/s, 150 ms one-way, 3 % loss each way): join, and a 16-township gallery',
);
printTownshipLink(await runTownshipLink({ joins }));

const { runDutyBench } = await import('./duty.ts');
console.log('\n## Duty: a month of the roster imported from XLSX (62 slots), a shift handover assembled');
console.table([await runDutyBench({ runs: 20, incidents: 100, logEntries: 200 })]);

const { printOrgImport, runOrgImport } = await import('./orgImport.ts');
const orgImport = { townships: 200, villagesPerTownship: 20, users: 1000 };
printOrgImport(orgImport, await runOrgImport(orgImport));

const { runReportsBench } = await import('./reports.ts');
const reportTownships = Number(process.env.BENCH_REPORT_TOWNSHIPS ?? 200);
console.log(
  `\n## Information reporting: ${reportTownships} townships each send a report with a ~2 MB photo within one minute`,
);
console.table([await runReportsBench({ townships: reportTownships, seconds: 60 })]);
const { runInboxRender } = await import('./inboxRender.ts');
console.log('\n## Inbox: 500 report chains in Chromium — open to painted, a new report to its card');
console.table([await runInboxRender({ reports: 500, runs: 3 })]);
const { runAuditChainBench } = await import('./auditChain.ts');
console.log('\n## Audit hash chain: appends/s without and with the chain (20 in flight), verify time for 100,000 rows');
console.table(await runAuditChainBench({ appends: 2000, rows: 100_000 }));

const { runPlansBench } = await import('./plans.ts');
console.log('\n## Plans: 200 incidents each start a response from a 30-step plan (SQLite file), ticks, overdue watch');
console.table([await runPlansBench({ incidents: 200, steps: 30 })]);

const { runCapFeedBench } = await import('./capFeeds.ts');
console.log(
  '\n## Warnings from outside: CAP messages read, drafted and written; a 200-entry Atom feed polled (20 for the city)',
);
console.table([await runCapFeedBench({ rounds: 200, entries: 200, concerning: 20 })]);

const { runStationsBench } = await import('./stations.ts');
const benchStations = Number(process.env.BENCH_STATIONS ?? 2000);
console.log(
  `\n## Monitoring stations: ${benchStations} rain gauges × one reading per 5 s over MQTT over TLS (${benchStations / 5} readings/s), thresholds evaluated, 60 s`,
);
console.table([await runStationsBench({ stations: benchStations, seconds: 60, tls: true })]);

const { printResourceBench, runResourceBench } = await import('./resources.ts');
const resourceBench = { perKind: 2000, runs: 50 };
printResourceBench(resourceBench, await runResourceBench(resourceBench));

const { runMeetingNotices } = await import('./meetingNotices.ts');
const meetingTownships = Number(process.env.BENCH_MEETING_TOWNSHIPS ?? 200);
console.log(`\n## Meeting notice: ${meetingTownships} townships receive one notice, report it delivered and confirm`);
console.table([await runMeetingNotices({ townships: meetingTownships })]);

const { runDocumentPages } = await import('./documentPages.ts');
const docPages = Number(process.env.BENCH_DOC_PAGES ?? 20);
console.log(`\n## Meeting material: a ${docPages}-page DOCX through LibreOffice headless and pdftoppm to page images`);
console.table(await runDocumentPages({ pages: docPages }));

const { runSmsFanout } = await import('./smsFanout.ts');
const smsContacts = Number(process.env.BENCH_SMS_CONTACTS ?? 1000);
console.log(
  `\n## SMS fan-out: one warning to ${smsContacts} village contacts through Kannel (bearerbox + smsbox) and fakesmsc`,
);
console.table([await runSmsFanout({ contacts: smsContacts })]);

const { runLoudspeakerBench } = await import('./loudspeakers.ts');
const benchLoudspeakers = Number(process.env.BENCH_LOUDSPEAKERS ?? 100);
console.log(
  `\n## Village loudspeakers: one warning calls ${benchLoudspeakers} loudspeakers at once through Kamailio (SIPp UAS, auto-answer)`,
);
console.table([await runLoudspeakerBench({ loudspeakers: benchLoudspeakers })]);
const { runPsDemuxCpu, runRegistrations } = await import('./gb28181.ts');
const gbCameras = Number(process.env.BENCH_GB_CAMERAS ?? 50);
console.log('\n## GB/T 28181: PS demux → H.264 RTP of one 2 Mbit/s 25 fps camera stream (process.cpuUsage)');
console.table([await runPsDemuxCpu()]);
console.log(
  `\n## GB/T 28181: ${gbCameras} cameras register, answer the catalog (then without it) and keep alive every 1 s, SIP over UDP then TCP`,
);
console.table([
  await runRegistrations({ cameras: gbCameras, seconds: 20 }),
  await runRegistrations({ cameras: gbCameras, seconds: 20, catalog: false }),
  await runRegistrations({ cameras: gbCameras, seconds: 20, transport: 'tcp' }),
]);
