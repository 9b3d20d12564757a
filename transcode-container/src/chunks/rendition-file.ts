// A finished HLS rendition as one fragmented MP4 file: its init segment, then every segment in
// playlist order. The chunks already put each fragment on the video's timeline (fmp4.ts), so the
// joined file plays as one track from 0 to the end.
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Readable } from "node:stream";
import { mediaKeys } from "../../../contract/media-layout.ts";
import { JobFailure } from "../failures.ts";
import { parseMediaPlaylist } from "../media-playlist.ts";
import type { Storage } from "../storage.ts";

/** Segments requested ahead of the one being written (storage round trips overlap). */
const PREFETCH = 8;
// Playlists we published name files in their own folder only.
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/** Writes the rendition to `outFile`; returns how many segments it joined. */
export async function writeRenditionFile(storage: Storage, videoId: string, rendition: string, outFile: string, signal: AbortSignal): Promise<number> {
  const keys = mediaKeys(videoId);
  const playlist = parseMediaPlaylist(await readText(await storage.get(keys.playlist(rendition), signal)));
  if (!playlist.ended || !playlist.initUri || playlist.segments.length === 0) {
    throw new JobFailure("storage_error", undefined, `${rendition}: the playlist is not finished`);
  }
  const names = [playlist.initUri, ...playlist.segments.map((s) => s.uri)];
  const bad = names.find((name) => !FILE_NAME.test(name));
  if (bad) throw new JobFailure("internal", undefined, `${rendition}: unexpected playlist entry ${bad}`);

  const out = createWriteStream(outFile);
  const failed = once(out, "error").then(([error]) => Promise.reject(error as Error));
  failed.catch(() => {});
  const requested: Promise<Readable>[] = [];
  let next = 0;
  const request = () => {
    while (requested.length < PREFETCH && next < names.length) {
      const body = storage.get(`${keys.renditionPrefix(rendition)}${names[next++]}`, signal);
      body.catch(() => {}); // awaited in order below; an early failure must not go unhandled
      requested.push(body);
    }
  };
  try {
    request();
    while (requested.length > 0) {
      const body = await requested.shift()!;
      request();
      for await (const chunk of body) {
        if (!out.write(chunk)) await Promise.race([once(out, "drain"), failed]);
      }
    }
    out.end();
    await Promise.race([once(out, "finish"), failed]);
  } catch (error) {
    out.destroy();
    if (signal.aborted || error instanceof JobFailure) throw error;
    throw new JobFailure("storage_error", undefined, `${rendition}: ${String(error)}`);
  }
  return playlist.segments.length;
}
