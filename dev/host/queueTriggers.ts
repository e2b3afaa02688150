import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import type { Registration } from './functionsCore';

export interface QueueTriggerRunner {
  names: string[];
  stop(): Promise<void>;
}

/** The Functions host's defaults (host.json `extensions.queues`): five tries, then the poison queue. */
const MAX_DEQUEUE_COUNT = 5;
const VISIBILITY_TIMEOUT_SECONDS = 30;
const IDLE_POLL_MS = 250;

/**
 * Runs the app's queue-triggered functions as the Functions host does: polls the queue named
 * in the binding on the connection its `connection` setting names, decodes base64 messages,
 * deletes a message once the handler returns, and moves one that failed five times to
 * `<queue>-poison`.
 */
export function startQueueTriggers(registrations: Registration[], log: (line: string) => void): QueueTriggerRunner {
  let running = true;
  const loops: Promise<void>[] = [];
  const names: string[] = [];
  for (const { metadata, handler } of registrations) {
    const trigger = Object.values(metadata.bindings).find((b) => b.type.toLowerCase() === 'queuetrigger');
    if (!trigger) continue;
    const queueName = String(trigger.queueName);
    const connectionSetting = String(trigger.connection ?? 'AzureWebJobsStorage');
    const connection = process.env[connectionSetting];
    if (!connection) {
      log(`[warning] ${metadata.name}: app setting ${connectionSetting} is not set; the queue trigger does not run.`);
      continue;
    }
    names.push(metadata.name);
    const queue = new QueueClient(connection, queueName);
    const poison = new QueueClient(connection, `${queueName}-poison`);
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
            received = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: VISIBILITY_TIMEOUT_SECONDS });
          } catch (err) {
            log(`[warning] ${metadata.name}: cannot read ${queueName}: ${err instanceof Error ? err.message : String(err)}`);
            await new Promise((r) => setTimeout(r, 2000));
            continue;
          }
          if (received.receivedMessageItems.length === 0) {
            await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
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
              const context = new InvocationContext({
                invocationId: randomUUID(),
                functionName: metadata.name,
                triggerMetadata: { id: item.messageId, dequeueCount: item.dequeueCount, insertionTime: item.insertedOn },
                options: { trigger: { ...trigger, name: String(trigger.name), type: 'queueTrigger' } },
                logHandler: (level, ...args) => log(`[${level}] ${metadata.name}: ${args.map(String).join(' ')}`),
              });
              try {
                await handler(input, context);
                await queue.deleteMessage(item.messageId, item.popReceipt);
              } catch (err) {
                log(`[error] ${metadata.name}: ${err instanceof Error ? err.message : String(err)} (try ${item.dequeueCount})`);
                if (item.dequeueCount >= MAX_DEQUEUE_COUNT) {
                  await poison.createIfNotExists().catch(() => undefined);
                  await poison.sendMessage(item.messageText).catch(() => undefined);
                  await queue.deleteMessage(item.messageId, item.popReceipt).catch(() => undefined);
                } else {
                  await queue.updateMessage(item.messageId, item.popReceipt, undefined, 1).catch(() => undefined);
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
