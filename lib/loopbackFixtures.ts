/**
 * A loopback listener whose accept queue is full, so connects to it hang: how the
 * tests, the demo and the bench show deadlines and aborts without touching any
 * other address. Internal (not exported from the package root).
 * @module
 */
import net from 'node:net';
import { loadBinding } from './native';

export interface StalledServer {
  host: string;
  port: number;
  close(): void;
}

/**
 * The addon's listener never accepts (backlog 0, and SO_CONDITIONAL_ACCEPT on
 * Windows); two connects of our own fill its queue.
 */
export async function stalledServer(host = '127.0.0.1'): Promise<StalledServer> {
  const listener = loadBinding().stalledListener(host);
  const fillers = [0, 1].map(() => net.connect(listener.port, host).on('error', () => {}));
  await new Promise((resolve) => setTimeout(resolve, 150));
  return {
    host,
    port: listener.port,
    close: () => {
      for (const c of fillers) c.destroy();
      listener.socket.close();
    },
  };
}
