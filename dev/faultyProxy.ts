import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { addWrites, committed, noWrites, writesOf } from '../bench/storageCounter';

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
  /** Entity writes storage carried out since the proxy started (each action of a transaction counts), by kind. */
  writes = noWrites();
  /** Reads (point reads and queries) storage answered since the proxy started. */
  reads = 0;
  /** Of those reads, the queries (`table()?$filter=...`); the rest are reads of one row by its keys. */
  queries = 0;
  /** Entity writes storage carried out, all kinds. */
  get entityWrites(): number {
    return this.writes.total;
  }
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
    const body: Buffer[] = [];
    const upstream = http.request(
      { host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const answered: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => answered.push(chunk));
        answer.on('end', () => {
          if (req.method === 'GET') this.reads++;
          if (req.method === 'GET' && /\(\)(\?|$)/.test(req.url ?? '')) this.queries++;
          // Only what storage carried out: a transaction refused (412) wrote nothing.
          if (committed(answer.statusCode ?? 0, Buffer.concat(answered).toString('utf8')))
            addWrites(this.writes, writesOf(req.method ?? 'GET', req.url ?? '/', Buffer.concat(body).toString('utf8')));
        });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.pipe(upstream);
  }
}
