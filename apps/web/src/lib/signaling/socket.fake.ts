/** A WebSocket stand-in a test opens, feeds and closes by hand; every one made is in `all`. */
export class FakeSocket {
  static readonly all: FakeSocket[] = [];
  readyState = 0;
  sent: { event: string; data: Record<string, unknown> }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;

  constructor(readonly url = '') {
    FakeSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1005): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  /** Delivers a server frame. */
  receive(event: string, data: unknown): void {
    this.receiveFrame({ event, data });
  }
  /** Delivers anything as a text frame, well-formed or not. */
  receiveFrame(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  /** The data of every frame of `name` this socket sent. */
  events(name: string) {
    return this.sent.filter((frame) => frame.event === name).map((frame) => frame.data);
  }
}
