// Makes the video playable while FFmpeg is still encoding: polls the per-rung output folders,
// uploads each init segment and every segment once FFmpeg lists it as complete, and only then
// the rung's playlist, so a published playlist never references an object storage lacks.
// Uploaded segment files are deleted locally, so disk use stays flat for long videos.
import { readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { INIT_NAME, PLAYLIST_NAME, storedObjectMetadata } from "../../contract/media-layout.ts";
import { parseMediaPlaylist, renderMediaPlaylist, type MediaSegment } from "./media-playlist.ts";
import { avcCodecsFromInit } from "./mp4-codecs.ts";
import type { Storage } from "./storage.ts";

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

export type RungState = {
  name: string;
  initKey: string;
  playlistKey: string;
  codecs: string | null;
  segments: (MediaSegment & { bytes: number })[];
  ended: boolean;
  playlistUploaded: boolean;
};

export class HlsPublisher {
  #hlsDir: string;
  #storage: Storage;
  #prefix: string;
  #signal: AbortSignal;
  #targetDuration: number;
  #pollMs: number;
  #onFirstSegments: () => Promise<void>;
  #firstSegmentsFired = false;
  #rungs: Map<string, RungState & { lastPlaylist: string | null; initUploaded: boolean }>;
  #running = false;
  #loop: Promise<void> | null = null;
  #failure: Error | null = null;
  #failed: Promise<never>;
  #rejectFailed: (error: Error) => void = () => {};

  constructor(options: {
    hlsDir: string;
    rungNames: string[];
    storage: Storage;
    /** Key prefix, e.g. "videos/<id>/". */
    prefix: string;
    signal: AbortSignal;
    targetDuration: number;
    pollMs?: number;
    /** Runs once, after every rung has its first segment and playlist in storage. */
    onFirstSegments: () => Promise<void>;
  }) {
    this.#hlsDir = options.hlsDir;
    this.#storage = options.storage;
    this.#prefix = options.prefix;
    this.#signal = options.signal;
    this.#targetDuration = options.targetDuration;
    this.#pollMs = options.pollMs ?? 250;
    this.#onFirstSegments = options.onFirstSegments;
    this.#rungs = new Map(
      options.rungNames.map((name) => [
        name,
        {
          name,
          initKey: `${options.prefix}${name}/${INIT_NAME}`,
          playlistKey: `${options.prefix}${name}/${PLAYLIST_NAME}`,
          codecs: null,
          segments: [],
          ended: false,
          playlistUploaded: false,
          lastPlaylist: null,
          initUploaded: false,
        },
      ]),
    );
    this.#failed = new Promise<never>((_, reject) => {
      this.#rejectFailed = reject;
    });
    // Callers race on this; an unobserved rejection must not crash the process.
    this.#failed.catch(() => {});
  }

  /** Rejects as soon as a poll fails (e.g. storage down), so the caller can stop FFmpeg. */
  get failed(): Promise<never> {
    return this.#failed;
  }

  get rungs(): RungState[] {
    return [...this.#rungs.values()].map((r) => ({ ...r, segments: [...r.segments] }));
  }

  /** Keys of every object published so far (init, segments, playlists). */
  publishedKeys(): string[] {
    const keys: string[] = [];
    for (const rung of this.#rungs.values()) {
      if (rung.initUploaded) keys.push(rung.initKey);
      if (rung.playlistUploaded) keys.push(rung.playlistKey);
      for (const segment of rung.segments) keys.push(`${this.#prefix}${rung.name}/${segment.uri}`);
    }
    return keys;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running && !this.#signal.aborted) {
        try {
          await this.#tick();
        } catch (error) {
          this.#fail(error);
          return;
        }
        await delay(this.#pollMs);
      }
    })();
  }

  /** Stop polling (cancel or failure); in-flight uploads are aborted by the job's signal. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** After FFmpeg exited: stop polling, publish what is left, and check every rung ended. */
  async finish(): Promise<void> {
    await this.stop();
    if (this.#failure) throw this.#failure;
    await this.#tick();
    const unfinished = [...this.#rungs.values()].filter((r) => !r.ended || r.segments.length === 0);
    if (unfinished.length > 0) {
      throw new Error(`rungs without a finished playlist: ${unfinished.map((r) => r.name).join(", ")}`);
    }
  }

  #fail(error: unknown): void {
    this.#failure = error instanceof Error ? error : new Error(String(error));
    this.#rejectFailed(this.#failure);
  }

  async #tick(): Promise<void> {
    await Promise.all([...this.#rungs.values()].map((rung) => this.#publishRung(rung)));
    const all = [...this.#rungs.values()];
    if (!this.#firstSegmentsFired && all.every((r) => r.playlistUploaded && r.segments.length > 0)) {
      this.#firstSegmentsFired = true;
      await this.#onFirstSegments();
    }
  }

  async #publishRung(rung: RungState & { lastPlaylist: string | null; initUploaded: boolean }): Promise<void> {
    const dir = path.join(this.#hlsDir, rung.name);
    const text = await readIfExists(path.join(dir, PLAYLIST_NAME));
    if (text === null) return;
    const parsed = parseMediaPlaylist(text);
    if (!parsed.initUri || parsed.segments.length === 0) return;
    if (!rung.initUploaded) {
      const init = await readIfExistsBytes(path.join(dir, safeName(parsed.initUri)));
      if (!init) return;
      rung.codecs = avcCodecsFromInit(init);
      await this.#put(rung.initKey, init);
      rung.initUploaded = true;
    }
    // FFmpeg only appends; anything past what we already published is new.
    for (let i = 0; i < rung.segments.length; i += 1) {
      if (parsed.segments[i]?.uri !== rung.segments[i].uri) {
        throw new Error(`playlist of ${rung.name} changed under us at segment ${i + 1}`);
      }
    }
    for (const segment of parsed.segments.slice(rung.segments.length)) {
      const file = path.join(dir, safeName(segment.uri));
      const bytes = await readIfExistsBytes(file);
      // Listed but not there yet (should not happen with temp_file): try on the next poll.
      if (!bytes) break;
      await this.#put(`${this.#prefix}${rung.name}/${segment.uri}`, bytes);
      rung.segments.push({ ...segment, bytes: bytes.byteLength });
      await unlink(file).catch(() => {});
    }
    // ENDLIST only once every listed segment is in storage.
    const ended = parsed.ended && rung.segments.length === parsed.segments.length;
    const rendered = renderMediaPlaylist({
      initUri: INIT_NAME,
      segments: rung.segments,
      ended,
      targetDuration: this.#targetDuration,
    });
    if (rendered !== rung.lastPlaylist) {
      await this.#put(rung.playlistKey, rendered);
      rung.lastPlaylist = rendered;
      rung.playlistUploaded = true;
    }
    rung.ended = ended;
  }

  async #put(key: string, body: Uint8Array | string): Promise<void> {
    if (this.#signal.aborted) throw new Error("cancelled");
    await this.#storage.put(key, body, { ...storedObjectMetadata(key), signal: this.#signal });
  }
}

function safeName(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`unexpected file name in playlist: ${name}`);
  return name;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

async function readIfExistsBytes(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
