/**
 * `wsconnect --send`: after connecting, send some text and wait for the first
 * reply — the only way to show a UDP "connection" (a default destination) reaches
 * anything, and a quick echo check for TCP.
 * @module
 */
import type net from 'node:net';
import type { DatagramConnection } from 'winsock-connect';
import { AbortError, WinsockError, WsaError } from 'winsock-connect';

/** How long --send waits for the reply when --timeout is not given. */
export const DEFAULT_REPLY_WAIT_MS = 5000;

export interface Reply {
  bytes: number;
  text: string;
}

function noReplyError(): Error {
  return Object.assign(new Error('the peer closed the connection without replying'), { code: 'ERR_WSCONNECT_NO_REPLY' });
}

/** How long to wait for the reply, where to, and what ends the wait early. */
export interface ReplyWait {
  waitMs: number;
  target: { address: string; port: number };
  signal?: AbortSignal;
}

/**
 * Runs `listen(settle)` until it settles, `waitMs` passes, or `signal` aborts (Ctrl+C).
 * The timeout is the Winsock one a blocking recv would give (SO_RCVTIMEO → WSAETIMEDOUT).
 */
function withDeadline<T>(wait: ReplyWait,
  listen: (resolve: (value: T) => void, reject: (error: Error) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (wait.signal?.aborted) return reject(new AbortError(undefined, { cause: wait.signal.reason }));
    let unlisten = (): void => {};
    const timer = setTimeout(() => finish(() => reject(new WinsockError(WsaError.WSAETIMEDOUT, 'recv', wait.target))), wait.waitMs);
    const onAbort = (): void => finish(() => reject(new AbortError(undefined, { cause: wait.signal?.reason })));
    wait.signal?.addEventListener('abort', onAbort, { once: true });
    function finish(settle: () => void): void {
      clearTimeout(timer);
      wait.signal?.removeEventListener('abort', onAbort);
      unlisten();
      settle();
    }
    unlisten = listen((value) => finish(() => resolve(value)), (error) => finish(() => reject(error)));
  });
}

function asReply(data: Buffer): Reply {
  return { bytes: data.length, text: data.toString('utf8') };
}

/** Writes `text` on a TCP socket and resolves with the first chunk that comes back. */
export async function exchangeTcp(socket: net.Socket, text: string, wait: ReplyWait): Promise<Reply> {
  return withDeadline<Reply>(wait, (resolve, reject) => {
    const onData = (data: Buffer): void => resolve(asReply(data));
    const onEnd = (): void => reject(noReplyError());
    socket.on('data', onData).on('error', reject).on('end', onEnd).on('close', onEnd);
    socket.write(text);
    return () => {
      socket.off('data', onData).off('error', reject).off('end', onEnd).off('close', onEnd);
      socket.pause();
    };
  });
}

/** Sends `text` to a connected UDP socket's default destination and resolves with the first datagram back. */
export async function exchangeUdp(connection: DatagramConnection, text: string, wait: ReplyWait): Promise<Reply> {
  return withDeadline<Reply>(wait, (resolve, reject) => {
    const onMessage = (data: Buffer): void => resolve(asReply(data));
    connection.on('message', onMessage).on('error', reject);
    connection.send(text).catch(reject);
    return () => {
      connection.off('message', onMessage).off('error', reject);
    };
  });
}
