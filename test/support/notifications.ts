import { randomUUID } from 'node:crypto';

// The tests build Graph's payloads with the builders the simulator uses (dev/graphPayloads).
export {
  batch,
  callNotification,
  operationNotification,
  participantOf as participant,
  rosterNotification,
  wrap,
} from '../../dev/graphPayloads';

export const newOperationId = () => randomUUID();
