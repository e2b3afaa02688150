import { describe, expect, it } from 'vitest';

import { parseNotification } from '../../src/notifications/parseNotification';

const CALL = 'ab6233a5-20b7-4c5e-bea2-ce56c9776429';
const OP = 'eec3812a-fdc3-4fb4-825c-a06c9f35414e';

const operationItem = (overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  '@odata.type': '#microsoft.graph.commsNotification',
  changeType: 'deleted',
  resource: `/app/calls/${CALL}/operations/${OP}`,
  resourceUrl: `/communications/calls/${CALL}/operations/${OP}`,
  resourceData: {
    '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
    status: 'completed',
    clientContext: 'ctx-1',
    id: OP,
    ...data,
  },
  ...overrides,
});

describe('notification quirks from Graph pages', () => {
  it('takes the call id from resourceUrl when resource is absent', () => {
    const { resource: _r, ...item } = operationItem();
    expect(parseNotification(item)).toMatchObject({ kind: 'operation', callId: CALL });
  });

  it('takes the call id from resource when resourceUrl is absent', () => {
    const { resourceUrl: _r, ...item } = operationItem();
    expect(parseNotification(item)).toMatchObject({ kind: 'operation', callId: CALL });
  });

  it('reads a path without its leading slash', () => {
    expect(
      parseNotification(operationItem({ resource: `communications/calls/${CALL}/operations/${OP}` })),
    ).toMatchObject({
      callId: CALL,
      operationId: OP,
    });
  });

  it('takes a missing operation id from @odata.id, then from the path', () => {
    const fromOdataId = operationItem(
      { resource: `/app/calls/${CALL}/operations/participants`, resourceUrl: undefined },
      {
        id: undefined,
        '@odata.id': `/communications/calls/${CALL}/operations/${OP}`,
      },
    );
    expect(parseNotification(fromOdataId)).toMatchObject({ operationId: OP });
    expect(parseNotification(operationItem({}, { id: undefined }))).toMatchObject({ operationId: OP });
  });

  it('does not take "participants" in /operations/participants for an id', () => {
    const item = operationItem(
      {
        resource: `/communications/calls/${CALL}/operations/participants`,
        resourceUrl: `/communications/calls/${CALL}/operations/participants`,
      },
      { id: null },
    );
    const parsed = parseNotification(item);
    expect(parsed.kind === 'operation' && parsed.operationId).toBeUndefined();
  });

  it('canonicalises an operation id written in another GUID form than its path', () => {
    const parsed = parseNotification(operationItem({}, { id: OP.replace(/-/g, '').toUpperCase() }));
    expect(parsed).toMatchObject({ operationId: OP });
  });

  it('reads resultInfo codes sent as strings and subCode spelled with a capital C', () => {
    const parsed = parseNotification(
      operationItem({}, { status: 'failed', resultInfo: { code: '403', subCode: '7507', message: 'no' } }),
    );
    expect(parsed).toMatchObject({ status: 'failed', resultInfo: { code: 403, subcode: 7507, message: 'no' } });
  });

  it('maps PascalCase status values', () => {
    expect(parseNotification(operationItem({}, { status: 'Completed' }))).toMatchObject({ status: 'completed' });
    expect(parseNotification(operationItem({}, { status: 'NotStarted' }))).toMatchObject({ status: 'notStarted' });
  });

  it('accepts an item typed #microsoft.graph.commsOperation instead of commsNotification', () => {
    expect(parseNotification(operationItem({ '@odata.type': '#microsoft.graph.commsOperation' }))).toMatchObject({
      kind: 'operation',
    });
  });

  it('keeps operations of every kind, not only invites', () => {
    const parsed = parseNotification(operationItem({}, { '@odata.type': '#microsoft.graph.playPromptOperation' }));
    expect(parsed).toMatchObject({ kind: 'operation', type: 'playPromptOperation' });
  });

  it('reads a call notification state in any casing, and treats a deleted call as terminated', () => {
    const callItem = (state: string | undefined, changeType = 'updated') => ({
      changeType,
      resource: `/app/calls/${CALL}`,
      resourceData: { '@odata.type': '#microsoft.graph.call', ...(state ? { state } : {}) },
    });
    expect(parseNotification(callItem('Established'))).toMatchObject({ kind: 'call', state: 'established' });
    expect(parseNotification(callItem(undefined, 'deleted'))).toMatchObject({ kind: 'call', state: 'terminated' });
  });

  it('ignores notifications without resourceData or about resources it does not model', () => {
    expect(parseNotification({ changeType: 'updated', resource: `/app/calls/${CALL}` }).kind).toBe('ignored');
    const sharing = {
      changeType: 'created',
      resource: `/app/calls/${CALL}/contentsharingsessions/1`,
      resourceData: { '@odata.type': '#microsoft.graph.contentSharingSession', id: '1' },
    };
    expect(parseNotification(sharing).kind).toBe('ignored');
  });

  it('calls an item malformed when it names no call, has a bad status or an unknown changeType', () => {
    expect(parseNotification(operationItem({ resource: '/app/other/x', resourceUrl: undefined })).kind).toBe(
      'malformed',
    );
    expect(parseNotification(operationItem({}, { status: 'exploded' })).kind).toBe('malformed');
    expect(parseNotification(operationItem({ changeType: 'moved' })).kind).toBe('malformed');
    expect(parseNotification(42).kind).toBe('malformed');
  });
});
