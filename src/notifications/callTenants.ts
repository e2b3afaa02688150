import type { CallStore } from '../calls/callStore';
import { tenantKey } from '../ids';

/** How many calls' tenants one instance remembers (a tenant, once recorded, never changes). */
const REMEMBERED_CALLS = 10_000;

/**
 * Which tenant's callback tokens may change a call, when callbacks of several tenants are accepted
 * (CALLBACK_ALLOWED_TENANTS lists several, or `*`): the tenant the call was started in, or the `tid`
 * of the first token that brought news of it. Without this, a token of one allowed tenant, valid for an
 * hour, could end or rewrite another tenant's call. With one allowed tenant every token carries it,
 * and nothing needs recording.
 */
export class CallTenants {
  /** Each call's tenant as recorded, or being looked up (notifications of one call arrive together). */
  private readonly remembered = new Map<string, Promise<string | undefined>>();

  constructor(private readonly calls: Pick<CallStore, 'bindTenant'>) {}

  /**
   * Whether the token's tenant may change the call (recording it as the call's tenant when none is).
   * A token without `tid` (accepted only with CALLBACK_ALLOWED_TENANTS `*`) changes no call.
   */
  async admits(callId: string, tokenTenant: string | undefined, now: string): Promise<boolean> {
    if (!tokenTenant) return false;
    const token = tenantKey(tokenTenant);
    let lookup = this.remembered.get(callId);
    if (!lookup) {
      lookup = this.calls.bindTenant(callId, token, now);
      if (this.remembered.size >= REMEMBERED_CALLS) this.remembered.delete(this.remembered.keys().next().value!);
      this.remembered.set(callId, lookup);
      // Only a recorded tenant is kept: a failed lookup, or none yet, is asked again next time.
      lookup.then(
        (bound) => bound === undefined && this.remembered.delete(callId),
        () => this.remembered.delete(callId),
      );
    }
    return (await lookup) === token;
  }
}
