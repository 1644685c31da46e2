/**
 * The township's (or department's) terminal connection to the city: its socket is the
 * terminal's presence (online on the map while connected; townships only). It queues early
 * warnings and acknowledges them, keeps the township's task list current,
 * answers video pulls with the camera (PullPublisher) and hands meeting
 * invites to the page (auto-answer).
 */
import type { Addressee, AlertForTerminal, TaskView } from '@beacon/protocol';
import { reactive } from 'vue';
import { api } from '../api.ts';
import { type ClientErrorCode, isAuthError, toConsoleError } from '../errors.ts';
import { SignalingClient } from '../signaling/SignalingClient.ts';
import { currentAlert, enqueueAlert, findAlert, type QueuedAlert, removeAlert } from './alertQueue.ts';
import { PullPublisher } from './PullPublisher.ts';
import { isFor, upsertTask } from './taskBoard.ts';

/** How long "已签收" stays on screen before the banner closes. */
const ACKED_SHOW_MS = 2000;

export type ConnectionStatus = 'connecting' | 'online' | 'offline';

export interface TerminalDelegate {
  onAuthFailure(code: ClientErrorCode): void;
  /** The city calls: join this room now (auto-answer). */
  onMeetingInvite(invite: { roomId: string; title: string; by: string }): void;
}

export interface TerminalState {
  connection: ConnectionStatus;
  /** Warnings to show, oldest first; the first one is the banner on screen. */
  alerts: QueuedAlert[];
  tasks: TaskView[];
  tasksError: ClientErrorCode | null;
  /** Task ids with a request in flight, and the last error per task. */
  taskBusy: Record<string, boolean>;
  taskErrors: Record<string, ClientErrorCode>;
}

export class TerminalClient {
  readonly state: TerminalState = reactive({
    connection: 'connecting',
    alerts: [],
    tasks: [],
    tasksError: null,
    taskBusy: {},
    taskErrors: {},
  });
  readonly pull: PullPublisher;
  /** The terminal's one socket, for the page's other panels (reports) to listen on. */
  get socket(): SignalingClient['socket'] {
    return this.#signaling.socket;
  }
  readonly #signaling: SignalingClient;
  readonly #token: string;
  /** The township or department this terminal speaks for. */
  readonly #unit: Addressee | null;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(token: string, unit: Addressee | null, delegate: TerminalDelegate) {
    this.#token = token;
    this.#unit = unit;
    this.#signaling = new SignalingClient(token, {
      onConnect: () => {
        this.state.connection = 'online';
        // Updates may have been missed while offline; a banner shown meanwhile is not yet reported.
        void this.loadTasks();
        this.#reportCurrent();
      },
      onDisconnect: () => {
        this.state.connection = 'offline';
        // The server drops our peer with the socket; the duty officer pulls again if still needed.
        this.pull.drop();
      },
      onAuthFailure: (code) => delegate.onAuthFailure(code),
      onConnectError: () => {
        if (this.state.connection === 'online') this.state.connection = 'offline';
      },
    });
    this.pull = new PullPublisher(this.#signaling);
    const socket = this.#signaling.socket;
    socket.on('alert:new', (alert) => this.#receiveAlert(alert));
    socket.on('task:updated', (task) => {
      upsertTask(this.state.tasks, task, this.#unit);
    });
    socket.on('meeting:invite', (invite) => delegate.onMeetingInvite(invite));
    socket.on('pull:request', ({ roomId }) => {
      if (roomId) void this.pull.start(roomId);
      else void this.pull.stop();
    });
  }

  get connected(): boolean {
    return this.#signaling.connected;
  }

  start(): void {
    this.#signaling.connect();
  }

  /** Leaves a pull room politely, then drops the socket (the terminal goes offline). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    const socketClosed = () => this.#signaling.close();
    this.pull.stop().then(socketClosed, socketClosed);
  }

  async loadTasks(): Promise<void> {
    try {
      const tasks = await api<TaskView[]>('/tasks', { token: this.#token });
      const mine = tasks.filter((t) => isFor(t, this.#unit));
      this.state.tasks.splice(0, this.state.tasks.length, ...mine);
      this.state.tasksError = null;
    } catch (error) {
      this.state.tasksError = toConsoleError(error).code;
    }
  }

  /** 签收 of the banner on screen; closes it only once the server stored the ack. */
  async ackAlert(warningId: string): Promise<void> {
    const queued = findAlert(this.state.alerts, warningId);
    if (!queued || queued.phase === 'acking' || queued.phase === 'acked') return;
    queued.phase = 'acking';
    queued.error = null;
    try {
      await this.#signaling.request('alert:ack', { warningId });
      queued.phase = 'acked';
      this.#later(() => {
        removeAlert(this.state.alerts, warningId);
        this.#reportCurrent();
      }, ACKED_SHOW_MS);
    } catch (error) {
      queued.phase = 'failed';
      queued.error = toConsoleError(error).code;
    }
  }

  ackTask(taskId: string): Promise<void> {
    return this.#taskRequest(taskId, () => this.#signaling.request('task:ack', { taskId }));
  }

  finishTask(taskId: string, note: string): Promise<void> {
    return this.#taskRequest(taskId, () => this.#signaling.request('task:done', { taskId, note }));
  }

  async #taskRequest(taskId: string, send: () => Promise<TaskView>): Promise<void> {
    if (this.state.taskBusy[taskId]) return;
    this.state.taskBusy[taskId] = true;
    delete this.state.taskErrors[taskId];
    try {
      upsertTask(this.state.tasks, await send(), this.#unit);
    } catch (error) {
      this.state.taskErrors[taskId] = toConsoleError(error).code;
    } finally {
      delete this.state.taskBusy[taskId];
    }
  }

  #receiveAlert(alert: AlertForTerminal): void {
    enqueueAlert(this.state.alerts, alert);
    this.#reportCurrent();
  }

  /** `alert:received` for the banner now on screen (delivery is confirmed per display). */
  #reportCurrent(): void {
    const shown = currentAlert(this.state.alerts);
    if (!shown || shown.reported || !this.#signaling.connected) return;
    shown.reported = true;
    this.#signaling.request('alert:received', { warningId: shown.alert.warningId }).catch((error) => {
      // Not delivered as far as the server knows: report again after a reconnect.
      shown.reported = false;
      if (!isAuthError(error)) console.warn('[beacon] alert:received failed', error);
    });
  }

  #later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) run();
    }, ms);
    this.#timers.add(timer);
  }
}
