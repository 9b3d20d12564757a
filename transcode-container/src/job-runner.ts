// One transcode job end to end: probe → one FFmpeg ladder process (published while it runs) →
// stills → final master → "ready". Every failure ends as a "failed" callback with a reason; a
// cancelled job goes quiet. The temp folder is removed whatever happens.
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { CallbackChannel } from "./callback.ts";
import type { Config } from "./config.ts";
import type { JobRequest, JobResult, ProbeInfo, Rendition } from "./contract.ts";
import { buildLadderArgs, outputLayout } from "./ffmpeg-args.ts";
import { runFfmpeg, type FfmpegRun } from "./ffmpeg-process.ts";
import { JobFailure, looksLikeSourceFetchError } from "./failures.ts";
import { bitrates, codecsFor, startIndex } from "./rendition-rates.ts";
import { CACHE_CONTROL, HlsPublisher, PLAYLIST_NAME, type RungState } from "./hls-publisher.ts";
import { buildStoryboardSprite, listTiles, planImages, storyboardVtt, usableTileCount } from "./images.ts";
import { buildLadder, LADDER_PROFILE, rationalValue, type Ladder, type Rung } from "./ladder-profile.ts";
import { renderMasterPlaylist, type MasterVariant } from "./master-playlist.ts";
import type { Logger } from "./log.ts";
import { probeSource, type ProbeResult } from "./probe.ts";
import { CONTENT_TYPES, type Storage } from "./storage.ts";
import { createJobDir, removeJobDir } from "./work-dir.ts";

export type JobOutcome =
  | { state: "done"; result: JobResult }
  | { state: "failed"; failure: JobFailure }
  | { state: "cancelled" };

export type JobHooks = {
  onProgress(progress: number): void;
  /** The outcome is known and the temp folder is gone; called before "ready"/"failed" is sent. */
  onOutcome(outcome: JobOutcome): void;
  /** The Worker answered a callback with 410: cancel this run (abort its signal). */
  onSuperseded(): void;
};

export type JobDeps = {
  config: Config;
  storage: Storage;
  log: Logger;
  /** Shorter callback backoff for tests. */
  callbackBackoffMs?: number;
};

const HEARTBEAT_MS = 5_000;
/** Progress is also sent when it moves, but not more often than this. */
const PROGRESS_MIN_INTERVAL_MS = 1_000;
/** Encoding maps to 0-95 %; the rest is stills, final playlists and the master. */
const ENCODE_SHARE = 95;
/** FFmpeg is killed if its output time does not move for this long. */
const STALL_TIMEOUT_MS = 5 * 60_000;

export async function runTranscodeJob(
  request: JobRequest,
  deps: JobDeps,
  signal: AbortSignal,
  hooks: JobHooks,
): Promise<JobOutcome> {
  const onProgress = hooks.onProgress;
  const { config, storage } = deps;
  const log = deps.log.child({ videoId: request.videoId, jobId: request.jobId, attempt: request.attempt });
  const prefix = request.output.prefix;
  const channel = new CallbackChannel({
    url: request.callback.url,
    secret: config.callbackSecret,
    identity: { jobId: request.jobId, videoId: request.videoId, attempt: request.attempt },
    signal,
    log,
    backoffBaseMs: deps.callbackBackoffMs,
    onSuperseded: () => hooks.onSuperseded(),
  });

  let progress = 0;
  let probeInfo: ProbeInfo | undefined;
  let lastProgressSent = 0;
  const sendProgress = () => {
    lastProgressSent = Date.now();
    channel.progress({ progress: Math.floor(progress), ...(probeInfo ? { probe: probeInfo } : {}) });
  };
  const setProgress = (value: number) => {
    const next = Math.max(progress, Math.min(100, value));
    const moved = Math.floor(next) > Math.floor(progress);
    progress = next;
    onProgress(Math.floor(progress));
    if (moved && Date.now() - lastProgressSent >= PROGRESS_MIN_INTERVAL_MS) sendProgress();
  };

  const started = Date.now();
  let workDir: string | null = null;
  let ffmpeg: FfmpegRun | null = null;
  let publisher: HlsPublisher | null = null;
  // "ready"/"failed" go out only after cleanup, so when the Worker hears it the run is over.
  let terminal: (() => Promise<void>) | null = null;
  let outcome: JobOutcome | null = null;
  // The heartbeat doubles as liveness for the Worker's lease: a progress event at least every
  // HEARTBEAT_MS (checked twice as often), well inside the 10 s the Worker expects.
  const heartbeat = setInterval(() => {
    if (Date.now() - lastProgressSent >= HEARTBEAT_MS) sendProgress();
  }, HEARTBEAT_MS / 2);

  try {
    void channel.send("started", { progress: 0 });
    lastProgressSent = Date.now();
    workDir = await createJobDir(config.workDir, request.videoId);

    const probe = await probeSource({
      ffprobePath: config.ffprobePath,
      url: request.source.url,
      maxDurationSeconds: config.maxDurationSeconds,
      signal,
    });
    probeInfo = {
      durationSeconds: round3(probe.durationSeconds),
      width: probe.width,
      height: probe.height,
      hasAudio: probe.hasAudio,
    };
    log.info("probed", { ...probeInfo, codec: probe.videoCodec, rotation: probe.rotation, format: probe.formatName });
    sendProgress();

    const ladder = buildLadder({
      width: probe.width,
      height: probe.height,
      frameRate: probe.frameRate,
      hasAudio: probe.hasAudio,
      interlaced: probe.interlaced,
    });
    const images = planImages(probe.durationSeconds, probe.width, probe.height, rationalValue(ladder.sourceFrameRate));
    const layout = outputLayout(workDir);
    await Promise.all([
      ...ladder.rungs.map((r) => mkdir(path.join(layout.hlsDir, r.name), { recursive: true })),
      mkdir(layout.thumbnailsDir, { recursive: true }),
      mkdir(layout.tilesDir, { recursive: true }),
    ]);

    const masterKey = `${prefix}master.m3u8`;
    const activePublisher = new HlsPublisher({
      hlsDir: layout.hlsDir,
      rungNames: ladder.rungs.map((r) => r.name),
      storage,
      prefix,
      signal,
      targetDuration: LADDER_PROFILE.segmentSeconds,
      onFirstSegments: async () => {
        const master = renderMaster(ladder, activePublisher.rungs, "provisional");
        await storage.put(masterKey, master, {
          contentType: CONTENT_TYPES.playlist,
          cacheControl: CACHE_CONTROL.playlist,
          signal,
        });
        log.info("playable", { seconds: (Date.now() - started) / 1000 });
        void channel.send("playable", {
          progress: Math.floor(progress),
          probe: probeInfo,
          playable: { master: masterKey },
        });
      },
    });
    publisher = activePublisher;

    const args = buildLadderArgs({ sourceUrl: request.source.url, ladder, images, layout });
    let lastOutTime = 0;
    let lastMove = Date.now();
    const encodeStarted = Date.now();
    ffmpeg = runFfmpeg({
      ffmpegPath: config.ffmpegPath,
      args,
      signal,
      onProgress: (p) => {
        if (p.outTimeSeconds > lastOutTime) {
          lastOutTime = p.outTimeSeconds;
          lastMove = Date.now();
        }
        setProgress((Math.min(p.outTimeSeconds, probe.durationSeconds) / probe.durationSeconds) * ENCODE_SHARE);
      },
    });
    const running = ffmpeg;
    const stallCheck = setInterval(() => {
      if (Date.now() - lastMove > STALL_TIMEOUT_MS) {
        log.error("ffmpeg stalled; killing it");
        running.kill();
      }
    }, 10_000);
    activePublisher.start();

    let exit;
    try {
      exit = await Promise.race([running.done, activePublisher.failed]);
    } catch (error) {
      running.kill();
      throw new JobFailure("storage_error", undefined, String(error));
    } finally {
      clearInterval(stallCheck);
    }
    if (signal.aborted) return { state: "cancelled" };
    const encodeSeconds = (Date.now() - encodeStarted) / 1000;
    if (exit.code !== 0) {
      log.warn("ffmpeg failed", { code: exit.code, signal: exit.signal, stderr: exit.stderrTail.slice(-2000) });
      if (looksLikeSourceFetchError(exit.stderrTail)) {
        throw new JobFailure("source_unavailable", undefined, firstLine(exit.stderrTail));
      }
      throw new JobFailure("corrupt", undefined, firstLine(exit.stderrTail) || `ffmpeg exit ${exit.code}`);
    }

    try {
      await activePublisher.finish();
    } catch (error) {
      if (signal.aborted) return { state: "cancelled" };
      throw new JobFailure("storage_error", undefined, String(error));
    }
    const rungs = activePublisher.rungs;
    const encodedSeconds = rungs[0].segments.reduce((sum, s) => sum + s.duration, 0);
    // A file cut short can still probe fine (moov up front) yet decode only partly.
    const shortfall = probe.durationSeconds - encodedSeconds;
    if (shortfall > Math.max(2, probe.durationSeconds * 0.1)) {
      throw new JobFailure(
        "corrupt",
        undefined,
        `decoded ${encodedSeconds.toFixed(1)} s of ${probe.durationSeconds.toFixed(1)} s`,
      );
    }
    log.info("encoded", {
      seconds: encodeSeconds,
      realtimeFactor: round3(encodedSeconds / encodeSeconds),
      rungs: ladder.rungs.map((r) => r.name),
    });
    setProgress(96);

    let stills: Awaited<ReturnType<typeof publishStills>>;
    try {
      stills = await publishStills({ config, storage, layout, images, prefix, probe, encodedSeconds, signal });
      setProgress(99);
      // Final master: bandwidths measured from the segments actually written.
      const master = renderMaster(ladder, rungs, "measured");
      await storage.put(masterKey, master, {
        contentType: CONTENT_TYPES.playlist,
        cacheControl: CACHE_CONTROL.playlist,
        signal,
      });
      const produced = new Set([...activePublisher.publishedKeys(), masterKey, ...stills.keys]);
      await pruneStaleObjects(storage, prefix, produced, signal, log);
    } catch (error) {
      if (error instanceof JobFailure || signal.aborted) throw error;
      throw new JobFailure("storage_error", undefined, String(error));
    }

    const top = ladder.rungs[0];
    const result: JobResult = {
      durationSeconds: round3(encodedSeconds),
      width: top.width,
      height: top.height,
      master: masterKey,
      poster: stills.poster,
      thumbnails: stills.thumbnails,
      storyboard: stills.storyboard,
      renditions: renditionsOf(ladder, rungs, prefix),
    };
    progress = 100;
    onProgress(100);
    log.info("ready", { seconds: (Date.now() - started) / 1000 });
    terminal = () => channel.send("ready", { progress: 100, probe: probeInfo, result });
    outcome = { state: "done", result };
    return outcome;
  } catch (error) {
    if (signal.aborted) return { state: "cancelled" };
    const failure = error instanceof JobFailure ? error : new JobFailure("internal", undefined, String(error));
    log.warn("job failed", { code: failure.code, detail: failure.detail });
    const failedAt = Math.floor(progress);
    terminal = () =>
      channel.send("failed", {
        progress: failedAt,
        ...(probeInfo ? { probe: probeInfo } : {}),
        failure: { code: failure.code, reason: failure.reason },
      });
    outcome = { state: "failed", failure };
    return outcome;
  } finally {
    clearInterval(heartbeat);
    ffmpeg?.kill();
    await publisher?.stop();
    if (workDir) await removeJobDir(workDir).catch((e) => log.error("temp cleanup failed", { error: String(e) }));
    // Terminal callbacks are retried for a while; the job is over only once they are settled.
    if (outcome && !signal.aborted) hooks.onOutcome(outcome);
    if (terminal && !signal.aborted) await terminal();
    await channel.drain();
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.slice(0, 300) ?? "";
}

function renderMaster(ladder: Ladder, states: RungState[], mode: "provisional" | "measured"): string {
  const variants: MasterVariant[] = ladder.rungs.map((rung) => {
    const state = states.find((s) => s.name === rung.name);
    return {
      uri: `${rung.name}/${PLAYLIST_NAME}`,
      ...bitrates(rung, state, mode),
      codecs: codecsFor(rung, state, ladder.hasAudio),
      width: rung.width,
      height: rung.height,
      frameRate: rationalValue(rung.frameRate),
    };
  });
  return renderMasterPlaylist(variants, startIndex(ladder));
}

function renditionsOf(ladder: Ladder, states: RungState[], prefix: string): Rendition[] {
  return ladder.rungs.map((rung) => {
    const state = states.find((s) => s.name === rung.name);
    const rates = bitrates(rung, state, "measured");
    return {
      name: rung.name,
      width: rung.width,
      height: rung.height,
      bandwidth: rates.bandwidth,
      averageBandwidth: rates.averageBandwidth,
      codecs: codecsFor(rung, state, ladder.hasAudio),
      frameRate: round3(rationalValue(rung.frameRate)),
      playlist: `${prefix}${rung.name}/${PLAYLIST_NAME}`,
    };
  });
}

async function publishStills(input: {
  config: Config;
  storage: Storage;
  layout: ReturnType<typeof outputLayout>;
  images: ReturnType<typeof planImages>;
  prefix: string;
  probe: ProbeResult;
  encodedSeconds: number;
  signal: AbortSignal;
}): Promise<{ keys: string[]; poster: string; thumbnails: string[]; storyboard: { image: string; vtt: string } }> {
  const { storage, layout, images, prefix, signal } = input;
  const put = (key: string, body: Uint8Array | string, contentType: string) =>
    storage.put(key, body, { contentType, cacheControl: CACHE_CONTROL.image, signal });

  const thumbFiles = (await readdir(layout.thumbnailsDir).catch(() => [] as string[]))
    .filter((n) => /^\d+\.jpg$/.test(n))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  const thumbnails: string[] = [];
  for (const [i, name] of thumbFiles.entries()) {
    const key = `${prefix}thumbs/${i + 1}.jpg`;
    await put(key, await readFile(path.join(layout.thumbnailsDir, name)), CONTENT_TYPES.jpeg);
    thumbnails.push(key);
  }

  // The poster window can miss when the declared duration was longer than the real stream.
  let posterBytes = await readFile(layout.posterFile).catch(() => null);
  if (!posterBytes && thumbFiles.length > 0) posterBytes = await readFile(path.join(layout.thumbnailsDir, thumbFiles[0]));
  const tiles = await listTiles(layout.tilesDir);
  if (!posterBytes || tiles.length === 0) throw new JobFailure("corrupt", undefined, "no frames for poster/storyboard");
  const posterKey = `${prefix}poster.jpg`;
  await put(posterKey, posterBytes, CONTENT_TYPES.jpeg);

  const tileCount = Math.max(1, usableTileCount(tiles.length, images.storyboard, input.encodedSeconds));
  const spriteFile = path.join(path.dirname(layout.tilesDir), "storyboard.jpg");
  await buildStoryboardSprite({
    ffmpegPath: input.config.ffmpegPath,
    tilesDir: layout.tilesDir,
    tileCount,
    columns: images.storyboard.columns,
    output: spriteFile,
    signal,
  });
  const imageKey = `${prefix}storyboard.jpg`;
  const vttKey = `${prefix}storyboard.vtt`;
  await put(imageKey, await readFile(spriteFile), CONTENT_TYPES.jpeg);
  await put(vttKey, storyboardVtt(tileCount, images.storyboard, input.encodedSeconds), CONTENT_TYPES.vtt);

  return {
    keys: [...thumbnails, posterKey, imageKey, vttKey],
    poster: posterKey,
    thumbnails,
    storyboard: { image: imageKey, vtt: vttKey },
  };
}

/**
 * A re-run writes the same keys; this removes what an earlier, different run left behind in
 * the folders we own (rung folders and thumbs/), so one consistent result remains. Other keys
 * under the prefix are left alone.
 */
async function pruneStaleObjects(
  storage: Storage,
  prefix: string,
  produced: Set<string>,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const owned = new RegExp(`^${escapeRegExp(prefix)}(\\d+p/|thumbs/)`);
  const existing = await storage.list(prefix, signal);
  const stale = existing.filter((key) => owned.test(key) && !produced.has(key));
  if (stale.length > 0) {
    log.info("pruning stale objects", { count: stale.length });
    await storage.deleteMany(stale, signal);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
