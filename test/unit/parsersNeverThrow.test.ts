import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { InvalidInput } from '../../src/errors';
import { parseNotification } from '../../src/notifications/parseNotification';
import { parseInviteRequest } from '../../src/operations/parseInviteRequest';

// Values shaped like notifications, with every field free to be anything, ill-formed text included.
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('\ud800', 'x\udfff'));
const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  anyString,
  fc.dictionary(anyString, anyString, { maxKeys: 3 }),
);
const notificationLike = fc.record(
  {
    '@odata.type': fc.oneof(fc.constant('#microsoft.graph.commsNotification'), fc.string()),
    changeType: fc.oneof(fc.constantFrom('created', 'updated', 'deleted', 'Updated'), fc.string()),
    resource: fc.oneof(
      fc.uuid().map((id) => `/app/calls/${id}/operations/${id}`),
      fc.string(),
      fc.constant(null),
    ),
    resourceUrl: fc.oneof(
      fc.uuid().map((id) => `/communications/calls/${id}/participants`),
      fc.string(),
    ),
    resourceData: fc.oneof(
      anything,
      fc.record(
        {
          '@odata.type': fc.constantFrom('#microsoft.graph.inviteParticipantsOperation', '#microsoft.graph.call'),
          status: anything,
          id: anything,
          state: anything,
          resultInfo: anything,
        },
        { requiredKeys: [] },
      ),
      fc.array(
        fc.record(
          { id: anything, info: fc.record({ identity: anything }, { requiredKeys: [] }) },
          { requiredKeys: [] },
        ),
      ),
    ),
  },
  { requiredKeys: [] },
);

describe('parsers on any input', () => {
  it('classify any notification item without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(anything, notificationLike), (item) => {
        const parsed = parseNotification(item);
        expect(['operation', 'roster', 'call', 'ignored', 'malformed']).toContain(parsed.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it('either accept an invite body or refuse it with a 400 naming fields', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anything,
          fc.record({ participants: anything, clientContext: anything, callbackUrl: anything }, { requiredKeys: [] }),
        ),
        (body) => {
          try {
            parseInviteRequest(body, false);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidInput);
            expect((err as InvalidInput).problems.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
