/**
 * Tokens that passed full validation, so a callback carrying the same token again (Graph reuses
 * one for about an hour) costs a map lookup instead of a signature check. Only the time claims
 * can change a cached verdict, and they are checked again on every hit. Bounded: the oldest
 * entries make room.
 */
export class VerifiedTokens<Claims> {
  private readonly entries = new Map<string, { claims: Claims; notBefore: number; expires: number }>();

  constructor(
    private readonly skewSeconds: number,
    private readonly capacity = 1024,
  ) {}

  get(token: string, nowSeconds: number): Claims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (nowSeconds + this.skewSeconds < entry.notBefore || nowSeconds - this.skewSeconds >= entry.expires) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  remember(token: string, claims: Claims, notBefore: number, expires: number): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { claims, notBefore, expires });
  }
}
