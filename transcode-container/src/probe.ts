// Probes the source with ffprobe (JSON) and turns what it finds into either the facts the
// ladder needs or a refusal with a reason a person understands.
import { runFfmpeg } from "./ffmpeg-process.ts";
import { JobFailure, looksLikeSourceFetchError } from "./failures.ts";
import { LADDER_PROFILE, type Rational } from "./ladder-profile.ts";

export type ProbeResult = {
  durationSeconds: number;
  /** Displayed size (rotation and sample aspect ratio applied). */
  width: number;
  height: number;
  /** Coded size and rotation as stored, for logs. */
  codedWidth: number;
  codedHeight: number;
  rotation: number;
  frameRate: Rational | null;
  /** Interlaced fields (broadcast/camcorder footage) need deinterlacing before scaling. */
  interlaced: boolean;
  hasAudio: boolean;
  formatName: string;
  videoCodec: string;
  /** Time of the first video frame relative to the file's timeline origin (non-zero in MPEG-TS). */
  videoStartSeconds: number;
};

type FfprobeStream = {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  start_time?: string;
  nb_frames?: string;
  field_order?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
};

type FfprobeOutput = {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string };
};

/** Protocols a source URL may use; keeps a crafted playlist from reading local files. */
export const SOURCE_PROTOCOLS = "http,https,tcp,tls";

/**
 * The only demuxers FFmpeg/FFprobe may open a source with (`-format_whitelist`): containers that
 * hold their media in the one uploaded file. Anything else — HLS/DASH manifests, concat lists,
 * IMF, SDP/RTSP, image sequences — is refused before its header is read, so an upload can never
 * make us fetch another URL or file. Names are FFmpeg demuxer names; one per demuxer.
 */
export const ACCEPTED_INPUT_FORMATS = [
  "mov", // mov,mp4,m4a,3gp,3g2,mj2: phones, cameras, most uploads (data references stay off)
  "matroska", // matroska,webm
  "avi",
  "mpegts", // .ts/.m2ts/.mts (camcorders, broadcast captures)
  "mpeg", // MPEG-PS: .mpg/.vob
  "flv",
  "ogg",
  "asf", // .wmv/.asf
  "mxf",
  "dv",
  // Audio-only containers: accepted so the refusal says "no video stream" rather than "not media".
  "mp3",
  "wav",
  "flac",
  "aac",
] as const;

/** Demuxers that read other URLs or files than the one they were opened on. */
const PLAYLIST_FORMATS = new Set(["hls", "dash", "concat", "imf", "sdp", "rtsp", "webm_dash_manifest"]);

export const PLAYLIST_REASON = "This file is a playlist or a list of other files, not a video: upload the video file itself";

/** True if FFmpeg's format name (e.g. "mov,mp4,m4a,3gp,3g2,mj2") names an accepted demuxer. */
export function isAcceptedInputFormat(formatName: string): boolean {
  const accepted: readonly string[] = ACCEPTED_INPUT_FORMATS;
  return formatName.split(",").some((name) => accepted.includes(name.trim()));
}

/** The refusal for a source whose detected format is not on the list. */
export function refusedFormatFailure(formatName: string): JobFailure {
  const names = formatName.split(",").map((n) => n.trim());
  if (names.some((n) => PLAYLIST_FORMATS.has(n))) return new JobFailure("not_media", PLAYLIST_REASON, `format ${formatName}`);
  return new JobFailure("not_media", undefined, `format ${formatName || "unknown"} is not accepted`);
}

/** FFmpeg's "[hls @ 0x5599…] Format not on whitelist '…'" names the demuxer it detected. */
export function formatRefusedInStderr(stderr: string): string | null {
  const match = /\[([\w,]+) @ (?:0x)?[0-9a-f]+\] Format not on whitelist/i.exec(stderr);
  if (match) return match[1];
  return /Format not on whitelist/i.test(stderr) ? "" : null;
}

const STILL_IMAGE_CODECS = new Set(["png", "bmp", "tiff", "webp", "jpegls", "jpeg2000", "svg", "pam", "ppm", "pgm", "pbm"]);

export function parseRational(value: string | undefined): Rational | null {
  if (!value) return null;
  const [num, den] = value.split(/[/:]/).map(Number);
  if (!Number.isFinite(num) || !Number.isFinite(den) || num <= 0 || den <= 0) return null;
  return { num, den };
}

export function formatDurationLimit(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function streamRotation(stream: FfprobeStream): number {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === "number");
  const raw = matrix?.rotation ?? Number(stream.tags?.rotate ?? 0);
  const normalized = ((Math.round(raw) % 360) + 360) % 360;
  return Number.isFinite(normalized) ? normalized : 0;
}

/** Interprets ffprobe's JSON; throws JobFailure for anything we refuse. Exported for tests. */
export function interpretProbe(output: FfprobeOutput, maxDurationSeconds: number): ProbeResult {
  const streams = output.streams ?? [];
  const formatName = output.format?.format_name ?? "";
  if (!isAcceptedInputFormat(formatName)) throw refusedFormatFailure(formatName);
  // Cover art in audio files shows up as a video stream with attached_pic set.
  const video = streams.find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  const hasAudio = streams.some((s) => s.codec_type === "audio");
  if (!video) {
    if (hasAudio) throw new JobFailure("no_video");
    throw new JobFailure("not_media", undefined, "no audio or video streams");
  }
  if (STILL_IMAGE_CODECS.has(video.codec_name ?? "")) {
    throw new JobFailure("not_media", undefined, `still image (${video.codec_name})`);
  }
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (!(codedWidth > 0 && codedHeight > 0)) throw new JobFailure("corrupt", undefined, "no picture size");

  const limits = LADDER_PROFILE.limits;
  if (codedWidth > limits.maxSide || codedHeight > limits.maxSide || codedWidth * codedHeight > limits.maxPixels) {
    throw new JobFailure("too_large", undefined, `${codedWidth}x${codedHeight}`);
  }

  const durations = [output.format?.duration, video.duration]
    .map((d) => Number.parseFloat(d ?? ""))
    .filter((d) => Number.isFinite(d) && d > 0);
  const durationSeconds = durations.length > 0 ? Math.max(...durations) : 0;
  if (!(durationSeconds > 0)) throw new JobFailure("corrupt", undefined, "unknown duration");
  if (durationSeconds > maxDurationSeconds) {
    throw new JobFailure(
      "too_long",
      `The video is longer than the ${formatDurationLimit(maxDurationSeconds)} limit`,
      `${durationSeconds.toFixed(1)} s`,
    );
  }

  // Anamorphic sources are displayed at width * SAR; FFmpeg's scale + setsar=1 makes it square.
  const sar = parseRational(video.sample_aspect_ratio);
  const sarValue = sar ? sar.num / sar.den : 1;
  const displayWidth = Math.round(codedWidth * (sarValue > 0.1 && sarValue < 10 ? sarValue : 1));
  const rotation = streamRotation(video);
  // FFmpeg autorotates; a quarter turn swaps the displayed width and height.
  const quarterTurn = rotation === 90 || rotation === 270;

  const avg = parseRational(video.avg_frame_rate);
  const real = parseRational(video.r_frame_rate);
  // The average reflects what a VFR phone clip really has; r_frame_rate can be a timebase.
  const frameRate = avg && avg.num / avg.den <= 240 ? avg : real && real.num / real.den <= 240 ? real : null;

  return {
    durationSeconds,
    width: quarterTurn ? codedHeight : displayWidth,
    height: quarterTurn ? displayWidth : codedHeight,
    codedWidth,
    codedHeight,
    rotation,
    frameRate,
    interlaced: ["tt", "bb", "tb", "bt"].includes(video.field_order ?? ""),
    hasAudio,
    formatName,
    videoCodec: video.codec_name ?? "unknown",
    videoStartSeconds: Number.isFinite(Number(video.start_time)) ? Number(video.start_time) : 0,
  };
}

/** Input options for every FFmpeg/FFprobe read of a source: allowed protocols and demuxers, network limits. */
export function sourceInputOptions(): string[] {
  return [
    "-protocol_whitelist", SOURCE_PROTOCOLS,
    "-format_whitelist", ACCEPTED_INPUT_FORMATS.join(","),
    // Long downloads survive a dropped connection; a stalled one fails instead of hanging.
    "-reconnect", "1",
    "-reconnect_on_network_error", "1",
    "-reconnect_delay_max", "10",
    "-rw_timeout", "30000000",
  ];
}

export async function probeSource(options: {
  ffprobePath: string;
  url: string;
  maxDurationSeconds: number;
  signal: AbortSignal;
}): Promise<ProbeResult> {
  const result = await runFfmpeg({
    ffmpegPath: options.ffprobePath,
    args: [
      "-v", "error",
      ...sourceInputOptions(),
      "-print_format", "json",
      "-show_format", "-show_streams",
      options.url,
    ],
    signal: options.signal,
    timeoutMs: 120_000,
  }).done;
  if (options.signal.aborted) throw new JobFailure("internal", undefined, "cancelled");
  const stderr = result.stderrTail;
  if (result.code !== 0) {
    const refused = formatRefusedInStderr(stderr);
    if (refused !== null) throw refusedFormatFailure(refused);
    if (looksLikeSourceFetchError(stderr)) throw new JobFailure("source_unavailable", undefined, firstLine(stderr));
    // A cut-off MP4 loses its moov atom (written at the end) or ends mid-box.
    if (/moov atom not found|partial file|Truncat|End of file|stream ends prematurely/i.test(stderr)) {
      throw new JobFailure("corrupt", undefined, firstLine(stderr));
    }
    throw new JobFailure("not_media", undefined, firstLine(stderr) || `ffprobe exit ${result.code}`);
  }
  let parsed: FfprobeOutput;
  try {
    parsed = JSON.parse(result.stdout) as FfprobeOutput;
  } catch {
    throw new JobFailure("not_media", undefined, "unreadable ffprobe output");
  }
  return interpretProbe(parsed, options.maxDurationSeconds);
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.slice(0, 300) ?? "";
}
