import { InvocationContext } from '@azure/functions';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

import { toLogRecord } from '../../src/monitoring/azureMonitorLogs';
import { eventAttributes } from '../../src/monitoring/eventAttributes';

describe('log records for Application Insights', () => {
  it("turn an event line's properties into attributes (customDimensions), nested values as JSON", () => {
    const line = JSON.stringify({
      event: 'invite.accepted',
      callId: 'c',
      operationId: 'o',
      clientContext: 'x',
      attempt: 2,
      ok: true,
      missing: null,
      graphCallback: { clientRequestId: 'r' },
    });
    expect(eventAttributes(line)).toEqual({
      event: 'invite.accepted',
      callId: 'c',
      operationId: 'o',
      clientContext: 'x',
      attempt: 2,
      ok: true,
      graphCallback: '{"clientRequestId":"r"}',
    });
    for (const other of ['plain text', '{"event":', '{"event":1]', '["event"]', '{"other":1}'])
      expect(eventAttributes(other), other).toBeUndefined();
  });

  it("carry the invocation's id and function, the level and the category", () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const invocationContext = new InvocationContext({
      invocationId: 'i-1',
      functionName: 'invite',
      traceContext: { traceParent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const record = toLogRecord({
      message: JSON.stringify({ event: 'invite.refused', callId: 'c' }),
      level: 'warning',
      category: 'user',
      invocationContext,
    });
    expect(record).toMatchObject({
      severityText: 'warning',
      severityNumber: 13,
      attributes: {
        event: 'invite.refused',
        callId: 'c',
        'faas.invocation_id': 'i-1',
        'faas.name': 'invite',
        'log.category': 'user',
      },
    });
    expect(trace.getSpanContext(record.context!)).toMatchObject({ traceId, spanId: '00f067aa0ba902b7', traceFlags: 1 });
  });
});
