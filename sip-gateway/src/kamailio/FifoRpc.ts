/**
 * JSON-RPC to Kamailio over its FIFO (jsonrpcs `transport` 2) instead of
 * HTTP: any process on the machine can reach a loopback TCP port, while the
 * FIFO and the reply FIFOs live in the gateway's 0700 run directory with mode
 * 0600, so only the gateway's own user can list registrations or drop them.
 *
 * One call: make a reply FIFO (`mkfifo`, Node has no API for it), open it
 * read-write so the open never blocks and Kamailio's writer never sees it
 * closed, write the request (with `reply_name`) into Kamailio's FIFO in one
 * write (below PIPE_BUF, so requests from concurrent calls never interleave),
 * and read until the reply parses as a whole JSON object. Hand-written: no
 * maintained npm client speaks Kamailio's FIFO.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, open as openFd } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { KamailioError } from './KamailioError.ts';

const run = promisify(execFile);
/** A raw descriptor (not a FileHandle, which would close it again when collected): the Socket owns it. */
const openRaw = promisify(openFd);
/** Linux's PIPE_BUF: a write up to this size into a FIFO is atomic. */
const PIPE_BUF = 4096;

export interface FifoRpcOptions {
  /** Kamailio's request FIFO (`fifo_name`). */
  fifo: string;
  /** Where reply FIFOs are made (`fifo_reply_dir`), the same directory. */
  replyDir: string;
}

export class FifoRpc {
  readonly #opts: FifoRpcOptions;
  #id = 0;

  constructor(opts: FifoRpcOptions) {
    this.#opts = opts;
  }

  async call<T = unknown>(method: string, params: unknown[] = [], timeoutMs = 3000): Promise<T> {
    this.#id += 1;
    const replyName = `rpc-reply-${process.pid}-${randomBytes(6).toString('hex')}`;
    const replyPath = path.join(this.#opts.replyDir, replyName);
    const request = `${JSON.stringify({ jsonrpc: '2.0', method, params, id: this.#id, reply_name: replyName })}\n`;
    if (Buffer.byteLength(request) > PIPE_BUF) throw new KamailioError('kamailio_rpc_failed', `${method}: too large`);
    const fail = (why: string, cause?: unknown): never => {
      throw new KamailioError('kamailio_rpc_failed', `${method}: ${why}`, { cause });
    };
    try {
      await run('mkfifo', ['-m', '0600', replyPath]);
    } catch (error) {
      fail('cannot make a reply FIFO', error);
    }
    let reply: Socket | null = null;
    try {
      const fd = await openRaw(replyPath, constants.O_RDWR | constants.O_NONBLOCK);
      reply = new Socket({ fd, readable: true, writable: false });
      const text = readJson(reply, timeoutMs);
      try {
        const writeHandle = await open(this.#opts.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        try {
          await writeHandle.write(request);
        } finally {
          await writeHandle.close();
        }
      } catch (error) {
        // ENXIO: nobody reads the FIFO (Kamailio not running); ENOENT: not made yet.
        text.catch(() => {});
        fail(`Kamailio's FIFO is not open (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
      }
      let body: { result?: T; error?: { code?: number; message?: string } };
      try {
        body = JSON.parse(await text);
      } catch (error) {
        return fail(error instanceof KamailioError ? error.message : 'reply is not JSON', error);
      }
      if (body.error) fail(`${body.error.message ?? 'error'} (${body.error.code})`);
      return body.result as T;
    } finally {
      reply?.destroy();
      await rm(replyPath, { force: true });
    }
  }
}

/** The first complete JSON object read from `socket`, or a rejection after `timeoutMs`. */
function readJson(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      socket.off('data', onData);
      reject(new KamailioError('kamailio_rpc_failed', `no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    function onData(chunk: Buffer): void {
      text += chunk.toString('utf8');
      // A prefix of an object is never valid JSON: the first text that parses is the whole reply.
      try {
        JSON.parse(text);
      } catch {
        return;
      }
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text);
    }
    socket.on('data', onData);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
