/**
 * The message text every target carries, byte for byte the same: `~T<send time ms>~I<index>~R<run>~`
 * padded with `x` to the payload size. No character in it is escaped by JSON, superjson or Socket.IO,
 * so a receiver finds the marker in the raw frame without parsing the frame.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function makeText(run: number, index: number, bytes: number): string {
  const head = `~T${nowMs().toFixed(3)}~I${index}~R${run}~`;
  return bytes > head.length ? head + 'x'.repeat(bytes - head.length) : head;
}

export interface Stamp {
  t: number;
  index: number;
  run: number;
}

const TILDE = 0x7e;
const T = 0x54;

function readNumber(buf: Buffer, from: number): [number, number] {
  let v = 0;
  let i = from;
  let frac = 0;
  let scale = 1;
  for (; i < buf.length; i += 1) {
    const c = buf[i]!;
    if (c >= 0x30 && c <= 0x39) {
      if (frac) {
        scale /= 10;
        v += (c - 0x30) * scale;
      } else v = v * 10 + (c - 0x30);
    } else if (c === 0x2e && !frac) frac = 1;
    else break;
  }
  return [v, i];
}

/** Finds the marker in a raw frame; null when the frame carries none (control frames, acks). */
export function readStamp(buf: Buffer, into: Stamp): boolean {
  let at = buf.indexOf(TILDE);
  while (at !== -1 && buf[at + 1] !== T) at = buf.indexOf(TILDE, at + 1);
  if (at === -1) return false;
  const [t, a] = readNumber(buf, at + 2);
  if (buf[a] !== TILDE || buf[a + 1] !== 0x49) return false;
  const [index, b] = readNumber(buf, a + 2);
  if (buf[b] !== TILDE || buf[b + 1] !== 0x52) return false;
  const [run] = readNumber(buf, b + 2);
  into.t = t;
  into.index = index;
  into.run = run;
  return true;
}
