import { randomUUID } from 'node:crypto';

import { DefaultAzureCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';

import type { Registration } from './functionsCore';
import { newInvocationContext } from './invocations';

export interface QueueTriggerRunner {
  names: string[];
  stop(): Promise<void>;
}

/** host.json `extensions.queues`, as the Functions host reads it. */
export interface QueueOptions {
  maxDequeueCount?: number;
  /** Time before a failed message is tried again, `hh:mm:ss`. */
  visibilityTimeout?: string;
  /** Longest wait between polls of an empty queue, `hh:mm:ss`. */
  maxPollingInterval?: string;
  batchSize?: number;
}

// The Functions host's defaults where host.json is silent: five tries, then the poison queue.
const DEFAULTS = { maxDequeueCount: 5, visibilityTimeout: '00:00:00', maxPollingInterval: '00:01:00', batchSize: 16 };
// While a message is handled it stays invisible this long; a host that dies meanwhile leaves it to the next.
const PROCESSING_VISIBILITY_SECONDS = 30;

/** `hh:mm:ss` (a .NET TimeSpan as host.json writes it) in seconds. */
export function timeSpanSeconds(value: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new Error(`not a time span: ${value}`);
  const [, days = '0', h, m, s, fraction = '0'] = match;
  return Number(days) * 86_400 + Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(`0.${fraction}`);
}

/**
 * Runs the app's queue-triggered functions as the Functions host does, with host.json's queue
 * options: polls the queue named in the binding on the connection its `connection` setting names,
 * decodes base64 messages, deletes a message once the handler returns, makes a failed one visible
 * again after `visibilityTimeout`, and moves one that failed `maxDequeueCount` times to `<queue>-poison`.
 */
/**
 * The clients of a trigger's `connection`, in the two forms the host reads: a connection string in the
 * setting itself, or (an identity-based connection, as Azure deployments use) the queue service's URI
 * in `<setting>__queueServiceUri`, reached with DefaultAzureCredential (managed identity in Azure).
 */
function queueClients(setting: string): ((queueName: string) => QueueClient) | undefined {
  const connection = process.env[setting];
  if (connection) return (queueName) => new QueueClient(connection, queueName);
  const serviceUri = process.env[`${setting}__queueServiceUri`]?.replace(/\/+$/, '');
  if (!serviceUri) return undefined;
  const credential = new DefaultAzureCredential();
  return (queueName) => new QueueClient(`${serviceUri}/${queueName}`, credential);
}

export function startQueueTriggers(
  registrations: Registration[],
  log: (line: string) => void,
  options: QueueOptions = {},
): QueueTriggerRunner {
  const settings = { ...DEFAULTS, ...options };
  const retrySeconds = timeSpanSeconds(settings.visibilityTimeout);
  const idlePollMs = Math.min(250, timeSpanSeconds(settings.maxPollingInterval) * 1000);
  let running = true;
  const loops: Promise<void>[] = [];
  const names: string[] = [];
  for (const { metadata, handler } of registrations) {
    const trigger = Object.values(metadata.bindings).find((b) => b.type.toLowerCase() === 'queuetrigger');
    if (!trigger) continue;
    const queueName = String(trigger.queueName);
    const connectionSetting = String(trigger.connection ?? 'AzureWebJobsStorage');
    const clientFor = queueClients(connectionSetting);
    if (!clientFor) {
      log(
        `[warning] ${metadata.name}: neither ${connectionSetting} nor ${connectionSetting}__queueServiceUri is set; the queue trigger does not run.`,
      );
      continue;
    }
    names.push(metadata.name);
    const queue = clientFor(queueName);
    const poison = clientFor(`${queueName}-poison`);
    loops.push(
      (async () => {
        while (running) {
          try {
            await queue.createIfNotExists();
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 1000)); // storage not up yet
          }
        }
        while (running) {
          let received;
          try {
            received = await queue.receiveMessages({
              numberOfMessages: settings.batchSize,
              visibilityTimeout: PROCESSING_VISIBILITY_SECONDS,
            });
          } catch (err) {
            log(
              `[warning] ${metadata.name}: cannot read ${queueName}: ${err instanceof Error ? err.message : String(err)}`,
            );
            await new Promise((r) => setTimeout(r, 2000));
            continue;
          }
          if (received.receivedMessageItems.length === 0) {
            await new Promise((r) => setTimeout(r, idlePollMs));
            continue;
          }
          await Promise.all(
            received.receivedMessageItems.map(async (item) => {
              const text = Buffer.from(item.messageText, 'base64').toString('utf8');
              let input: unknown = text;
              try {
                input = JSON.parse(text);
              } catch {
                /* a plain string message */
              }
              const context = newInvocationContext(
                {
                  invocationId: randomUUID(),
                  functionName: metadata.name,
                  triggerMetadata: {
                    id: item.messageId,
                    dequeueCount: item.dequeueCount,
                    insertionTime: item.insertedOn,
                  },
                  options: { trigger: { ...trigger, name: String(trigger.name), type: 'queueTrigger' } },
                },
                log,
              );
              try {
                await handler(input, context);
                await queue.deleteMessage(item.messageId, item.popReceipt);
              } catch (err) {
                log(
                  `[error] ${metadata.name}: ${err instanceof Error ? err.message : String(err)} (try ${item.dequeueCount})`,
                );
                if (item.dequeueCount >= settings.maxDequeueCount) {
                  await poison.createIfNotExists().catch(() => undefined);
                  await poison.sendMessage(item.messageText).catch(() => undefined);
                  await queue.deleteMessage(item.messageId, item.popReceipt).catch(() => undefined);
                } else {
                  await queue
                    .updateMessage(item.messageId, item.popReceipt, undefined, Math.round(retrySeconds))
                    .catch(() => undefined);
                }
              }
            }),
          );
        }
      })(),
    );
  }
  return {
    names,
    stop: async () => {
      running = false;
      await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 1000))]);
    },
  };
}
