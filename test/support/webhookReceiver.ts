import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCall {
  at: number;
  status: number;
  body: any;
}

/** A stand-in for a Logic App's callback URL: records each POST and answers as told. */
export class WebhookReceiver {
  readonly received: ReceivedCall[] = [];
  private server: http.Server;
  url = '';
  /** Status for the next answers, in order; 200 once used up. 0 = hang up without answering. */
  script: number[] = [];

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.script.length ? this.script.shift()! : 200;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        this.received.push({ at: Date.now(), status, body });
        if (status === 0) return req.socket.destroy();
        res.writeHead(status).end();
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callback?sig=secret-signature`;
    return this;
  }

  delivered = () => this.received.filter((r) => r.status >= 200 && r.status < 300);

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
