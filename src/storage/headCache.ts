import type { HeadRead } from '../roster/rosterHead';

/** How many members the cached heads may hold in all (about 100 bytes each), and how many calls. */
const MAX_MEMBERS = 200_000;
const MAX_CALLS = 5_000;

/**
 * The roster heads this instance last read or wrote, least recently used first out. Holding one
 * saves the read before a call's next change; a head another instance changed meanwhile fails
 * that change's commit (412), which drops it here.
 */
export class HeadCache {
  private readonly entries = new Map<string, HeadRead>();
  private members = 0;

  get(callId: string): HeadRead | undefined {
    const found = this.entries.get(callId);
    if (found) {
      this.entries.delete(callId);
      this.entries.set(callId, found);
    }
    return found;
  }

  set(callId: string, read: HeadRead): void {
    this.delete(callId);
    this.entries.set(callId, read);
    this.members += read.head.members.size;
    for (const [oldest, entry] of this.entries) {
      if (this.members <= MAX_MEMBERS && this.entries.size <= MAX_CALLS) break;
      this.entries.delete(oldest);
      this.members -= entry.head.members.size;
    }
  }

  delete(callId: string): void {
    const found = this.entries.get(callId);
    if (!found) return;
    this.entries.delete(callId);
    this.members -= found.head.members.size;
  }
}
