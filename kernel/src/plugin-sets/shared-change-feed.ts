import type { ChangeFeed } from './change-feed';

/**
 * One subscription to the change feed, shared by every part of the kernel that listens (access changes, installs):
 * a feed is subscribed once per instance, and each message reaches every listener in the order they were added.
 */
export class SharedChangeFeed implements ChangeFeed {
  private readonly listeners: ((message: string | undefined) => void)[] = [];
  private subscribed: Promise<void> | undefined;

  constructor(private readonly feed: ChangeFeed) {}

  async subscribe(onChange: (message: string | undefined) => void): Promise<void> {
    this.listeners.push(onChange);
    this.subscribed ??= this.feed.subscribe((message) => {
      for (const listener of this.listeners) listener(message);
    });
    await this.subscribed;
  }

  publish(message: string): Promise<void> {
    return this.feed.publish(message);
  }

  close(): Promise<void> {
    return this.feed.close();
  }
}
