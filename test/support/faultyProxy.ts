import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { entityWritesOf } from '../../bench/storageCounter';

/**
 * An HTTP proxy in front of a service (Azurite) that can stop forwarding after a number of
 * requests, as if the service went down mid-way, and come back; it counts the entity writes it
 * forwards (what the instances behind it cost storage).
 */
export class FaultyProxy {
  private server: http.Server;
  private budget = Infinity;
  /** Requests forwarded since the last reset. */
  forwarded = 0;
  /** Entity writes forwarded since the proxy started (each action of a transaction counts). */
  entityWrites = 0;
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Forwards the next `n` requests, then fails every request until `restore()`. */
  failAfter(n: number) {
    this.budget = n;
    this.forwarded = 0;
  }

  restore() {
    this.budget = Infinity;
    this.forwarded = 0;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    if (this.forwarded >= this.budget) {
      req.resume();
      req.socket.destroy(); // the store is gone: connection reset, no answer
      return;
    }
    this.forwarded++;
    const upstream = http.request(
      { host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      this.entityWrites += entityWritesOf(req.method ?? 'GET', req.url ?? '/', Buffer.concat(body).toString('utf8'));
    });
    req.pipe(upstream);
  }
}
