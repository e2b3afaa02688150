import { z } from 'zod';

import { boundedId, MAX_ID_CHARS } from './limits';

/** The identity kinds of Graph's identitySet / communicationsIdentitySet, in the order roster keys prefer them. */
export const IDENTITY_KINDS = [
  'user',
  'application',
  'applicationInstance',
  'phone',
  'guest',
  'acsUser',
  'spoolUser',
  'azureCommunicationServicesUser',
  'device',
  'encrypted',
  'onPremises',
] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

const E164 = /^\+[0-9]{7,15}$/;

export const Identity = z.looseObject({
  id: z.string().trim().min(1, 'must be a non-empty string').max(MAX_ID_CHARS, `at most ${MAX_ID_CHARS} characters`),
  displayName: boundedId().nullish(),
});
export type Identity = z.infer<typeof Identity>;

const PhoneIdentity = Identity.extend({
  id: z.string().regex(E164, 'must be an E.164 number: + then 7 to 15 digits'),
});

const kindShape = Object.fromEntries(
  IDENTITY_KINDS.map((kind) => [kind, (kind === 'phone' ? PhoneIdentity : Identity).nullish()]),
) as Record<IdentityKind, z.ZodOptional<z.ZodNullable<typeof Identity>>>;

/** An identitySet as a caller must send it: at least one kind, each with an id. */
export const IdentitySet = z.looseObject(kindShape).refine((set) => IDENTITY_KINDS.some((kind) => set[kind] != null), {
  message: `must hold at least one of ${IDENTITY_KINDS.join(', ')}`,
});
export type IdentitySet = z.infer<typeof IdentitySet>;

/**
 * An identitySet as Graph reports it in notifications: kinds may be null and identities
 * may lack an id (guests), so nothing here is required.
 */
export const ReportedIdentitySet = z.looseObject(
  Object.fromEntries(
    IDENTITY_KINDS.map((kind) => [kind, z.looseObject({ id: boundedId().nullish() }).nullish()]),
  ) as Record<
    IdentityKind,
    z.ZodOptional<z.ZodNullable<z.ZodObject<{ id: z.ZodOptional<z.ZodNullable<z.ZodString>> }>>>
  >,
);
export type ReportedIdentitySet = z.infer<typeof ReportedIdentitySet>;
