// Fragmented MP4 as FFmpeg's mp4 muxer writes it per chunk (`frag_keyframe`, `empty_moov`,
// `default_base_moof`, no edit list): ftyp+moov, then one moof+mdat pair per segment, since
// keyframes fall only on segment boundaries. Each chunk's timeline starts at 0, so the
// fragments are re-based here: `tfdt` moves to the chunk's place in the whole video and `mfhd`
// takes the segment's number. Patching 8 bytes in place is exact and needs no remux.

export type Fragment = {
  /** moof+mdat bytes, patched. */
  bytes: Uint8Array;
  /** Sum of the sample durations, in the track's timescale. */
  durationTicks: number;
};

export type SplitFragments = { init: Uint8Array; timescale: number; fragments: Fragment[] };

type Box = { type: string; start: number; headerSize: number; end: number };

function* boxes(data: Uint8Array, view: DataView, start: number, end: number): Generator<Box> {
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    const type = String.fromCharCode(data[offset + 4]!, data[offset + 5]!, data[offset + 6]!, data[offset + 7]!);
    let headerSize = 8;
    if (size === 1) {
      size = Number(view.getBigUint64(offset + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < headerSize || offset + size > end) throw new Error(`malformed MP4 box "${type}" at ${offset}`);
    yield { type, start: offset, headerSize, end: offset + size };
    offset += size;
  }
}

function child(data: Uint8Array, view: DataView, parent: Box, type: string): Box | undefined {
  for (const box of boxes(data, view, parent.start + parent.headerSize, parent.end)) if (box.type === type) return box;
  return undefined;
}

function timescaleOf(data: Uint8Array, view: DataView, moov: Box): number {
  const mdhd = ["trak", "mdia", "mdhd"].reduce<Box | undefined>((box, type) => box && child(data, view, box, type), moov);
  if (!mdhd) throw new Error("no mdhd in the init segment");
  const body = mdhd.start + mdhd.headerSize;
  return data[body] === 1 ? view.getUint32(body + 20) : view.getUint32(body + 12);
}

/** Total sample duration of a traf: trun per-sample durations, else tfhd's default. */
function trafDuration(data: Uint8Array, view: DataView, traf: Box): number {
  const tfhd = child(data, view, traf, "tfhd");
  let defaultDuration = 0;
  if (tfhd) {
    const body = tfhd.start + tfhd.headerSize;
    const flags = view.getUint32(body) & 0xffffff;
    let p = body + 8; // version/flags + track_ID
    if (flags & 0x1) p += 8; // base_data_offset
    if (flags & 0x2) p += 4; // sample_description_index
    if (flags & 0x8) defaultDuration = view.getUint32(p);
  }
  let total = 0;
  for (const box of boxes(data, view, traf.start + traf.headerSize, traf.end)) {
    if (box.type !== "trun") continue;
    const body = box.start + box.headerSize;
    const flags = view.getUint32(body) & 0xffffff;
    const count = view.getUint32(body + 4);
    let p = body + 8;
    if (flags & 0x1) p += 4; // data_offset
    if (flags & 0x4) p += 4; // first_sample_flags
    const fields = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length;
    for (let i = 0; i < count; i += 1) {
      total += flags & 0x100 ? view.getUint32(p) : defaultDuration;
      p += fields * 4;
    }
  }
  return total;
}

/**
 * Splits a chunk's fragmented MP4 into its init segment and fragments, moving the first
 * fragment's decode time to `startSeconds` (given exactly, as frames / rate) and the rest with
 * it, and numbering them from `firstSequence`.
 */
export function splitFragments(file: Uint8Array, start: { frames: number; rate: { num: number; den: number } }, firstSequence: number): SplitFragments {
  const data = new Uint8Array(file); // a copy we may patch
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let initEnd = -1;
  let moov: Box | undefined;
  const fragments: Fragment[] = [];
  let moof: Box | null = null;
  let timescale = 0;
  let offset: bigint | null = null;
  for (const box of boxes(data, view, 0, data.byteLength)) {
    if (box.type === "moov") {
      moov = box;
      timescale = timescaleOf(data, view, box);
    }
    if (box.type === "moof") {
      if (initEnd < 0) initEnd = box.start;
      moof = box;
    } else if (box.type === "mdat" && moof) {
      let duration = 0;
      for (const inner of boxes(data, view, moof.start + moof.headerSize, moof.end)) {
        if (inner.type === "mfhd") view.setUint32(inner.start + inner.headerSize + 4, firstSequence + fragments.length);
        if (inner.type !== "traf") continue;
        duration = Math.max(duration, trafDuration(data, view, inner));
        const tfdt = child(data, view, inner, "tfdt");
        if (!tfdt) throw new Error("fragment without tfdt");
        const body = tfdt.start + tfdt.headerSize;
        const wide = data[body] === 1;
        const current = wide ? view.getBigUint64(body + 4) : BigInt(view.getUint32(body + 4));
        if (offset === null) {
          if (!timescale) throw new Error("fragment before the init segment");
          const target = BigInt(Math.round((start.frames * timescale * start.rate.den) / start.rate.num));
          offset = target - current;
        }
        const value = current + offset;
        if (wide) view.setBigUint64(body + 4, value);
        else if (value > 0xffffffffn || value < 0n) throw new Error("tfdt out of range (version 0)");
        else view.setUint32(body + 4, Number(value));
      }
      fragments.push({ bytes: data.slice(moof.start, box.end), durationTicks: duration });
      moof = null;
    }
  }
  if (!moov) throw new Error("no init segment in the chunk output");
  // No fragment: FFmpeg decoded no frame in the chunk's range (the source ends before it).
  return { init: data.slice(0, initEnd < 0 ? data.byteLength : initEnd), timescale, fragments };
}

/** Decode time and duration of every fragment (ticks of the track timescale), for checks. */
export function fragmentTimes(file: Uint8Array): { timescale: number; fragments: { decodeTime: bigint; durationTicks: number }[] } {
  const data = new Uint8Array(file);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let timescale = 0;
  const fragments: { decodeTime: bigint; durationTicks: number }[] = [];
  for (const box of boxes(data, view, 0, data.byteLength)) {
    if (box.type === "moov") timescale = timescaleOf(data, view, box);
    if (box.type !== "moof") continue;
    const traf = child(data, view, box, "traf");
    const tfdt = traf && child(data, view, traf, "tfdt");
    if (!traf || !tfdt) throw new Error("fragment without traf/tfdt");
    const body = tfdt.start + tfdt.headerSize;
    const decodeTime = data[body] === 1 ? view.getBigUint64(body + 4) : BigInt(view.getUint32(body + 4));
    fragments.push({ decodeTime, durationTicks: trafDuration(data, view, traf) });
  }
  return { timescale, fragments };
}

/** Whether each fragment of the segments (in order) starts where the previous one ended, and their total length. */
export function segmentTimeline(init: Uint8Array, segments: Uint8Array[]): { continuous: boolean; seconds: number } {
  let expected: bigint | null = null;
  let continuous = true;
  let ticks = 0;
  let timescale = 0;
  for (const segment of segments) {
    const joined = new Uint8Array(init.byteLength + segment.byteLength);
    joined.set(init);
    joined.set(segment, init.byteLength);
    const times = fragmentTimes(joined);
    timescale = times.timescale;
    for (const fragment of times.fragments) {
      if (expected !== null && fragment.decodeTime !== expected) continuous = false;
      expected = fragment.decodeTime + BigInt(fragment.durationTicks);
      ticks += fragment.durationTicks;
    }
  }
  return { continuous, seconds: timescale ? ticks / timescale : 0 };
}
