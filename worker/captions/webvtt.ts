// Caption files in: WebVTT or SRT text (already decoded as UTF-8), parsed strictly into cues and
// written out again as clean WebVTT. Timestamps must be well formed (minutes and seconds below
// 60, exactly three fraction digits), every cue ends after it starts and within
// CAPTION_MAX_SECONDS; NOTE, STYLE and REGION blocks and cue identifiers are dropped; cue settings
// are kept only when WebVTT defines them. Anything else is a list of errors (the API's 422).
import {
  CAPTION_CUE_TEXT_MAX,
  CAPTION_ERRORS_MAX,
  CAPTION_MAX_CUES,
  CAPTION_MAX_SECONDS,
} from "#contract/limits.ts";
import type { FieldError } from "../http/problem.ts";
import { plainCueText, sanitiseCueText } from "./cue-text.ts";

export type Cue = { start: number; end: number; settings: string; text: string };
export type ParsedCaptions = { ok: true; cues: Cue[] } | { ok: false; errors: FieldError[] };

const VTT_TIME = /^(?:(\d{2,3}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const SRT_TIME = /^(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{3})$/;
const SETTING =
  /^(?:vertical:(?:rl|lr)|line:-?\d{1,3}(?:\.\d{1,3})?%?(?:,(?:start|center|end))?|position:\d{1,3}(?:\.\d{1,3})?%(?:,(?:line-left|center|line-right))?|size:\d{1,3}(?:\.\d{1,3})?%|align:(?:start|center|end|left|right))$/;

function seconds(text: string, pattern: RegExp): number | null {
  const m = pattern.exec(text);
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

export function formatTimestamp(value: number): string {
  const ms = Math.round(value * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** "WEBVTT" alone or followed by a space or tab (the spec's signature). */
export const isWebVtt = (text: string): boolean => /^WEBVTT(?:[ \t][^\n]*)?(?:\n|$)/.test(text);

export function parseCaptions(input: string): ParsedCaptions {
  const text = input.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (/\u0000/.test(text)) return fail("(body)", "Captions are text: NUL characters are not allowed.");
  if (text.trim() === "") return fail("(body)", "The caption file is empty.");
  const vtt = isWebVtt(text);
  const blocks = text.split(/\n(?:[ \t]*\n)+/);
  if (vtt) blocks.shift(); // the header block (signature and header lines)
  const errors: FieldError[] = [];
  const cues: Cue[] = [];
  let n = 0;
  for (const block of blocks) {
    const lines = block.split("\n");
    while (lines.length && lines[0]!.trim() === "") lines.shift();
    if (lines.length === 0) continue;
    if (vtt && /^(?:NOTE|STYLE|REGION)(?:[ \t]|$)/.test(lines[0]!)) continue;
    n += 1;
    if (n > CAPTION_MAX_CUES) {
      errors.push({ path: "(body)", message: `at most ${CAPTION_MAX_CUES} cues` });
      break;
    }
    const cue = parseCue(lines, vtt, n, errors);
    if (cue) cues.push(cue);
    if (errors.length >= CAPTION_ERRORS_MAX) break;
  }
  if (errors.length) return { ok: false, errors: errors.slice(0, CAPTION_ERRORS_MAX) };
  if (cues.length === 0) {
    return fail("(body)", vtt ? "The WebVTT file has no cues." : "This is neither WebVTT (it starts with WEBVTT) nor SRT.");
  }
  // Cues in start order (a WebVTT requirement); equal starts keep the file's order.
  cues.sort((a, b) => a.start - b.start);
  return { ok: true, cues };
}

function parseCue(lines: string[], vtt: boolean, n: number, errors: FieldError[]): Cue | null {
  const path = `cue ${n}`;
  // An identifier line may come first (a number in SRT); it is not kept.
  const timingAt = lines.findIndex((l) => l.includes("-->"));
  if (timingAt < 0 || timingAt > 1) {
    errors.push({ path, message: "no timing line (start --> end)" });
    return null;
  }
  if (!vtt && timingAt === 1 && !/^\s*\d{1,9}\s*$/.test(lines[0]!)) {
    errors.push({ path, message: "an SRT cue starts with its number" });
    return null;
  }
  const timing = /^[ \t]*(\S+)[ \t]+-->[ \t]+(\S+)(.*)$/.exec(lines[timingAt]!);
  const pattern = vtt ? VTT_TIME : SRT_TIME;
  const start = timing ? seconds(timing[1]!, pattern) : null;
  const end = timing ? seconds(timing[2]!, pattern) : null;
  if (start === null || end === null) {
    errors.push({ path, message: `malformed timestamps (expected ${vtt ? "[hh:]mm:ss.ttt" : "hh:mm:ss,ttt"} --> …)` });
    return null;
  }
  if (end <= start) {
    errors.push({ path, message: "the cue must end after it starts" });
    return null;
  }
  if (end > CAPTION_MAX_SECONDS) {
    errors.push({ path, message: `cues end within ${CAPTION_MAX_SECONDS / 3600} hours` });
    return null;
  }
  const settings = vtt
    ? timing![3]!
        .trim()
        .split(/[ \t]+/)
        .filter((s) => SETTING.test(s))
        .join(" ")
    : "";
  const body = lines.slice(timingAt + 1);
  if (body.some((l) => l.includes("-->"))) {
    errors.push({ path, message: "a blank line must separate cues" });
    return null;
  }
  const cueText = sanitiseCueText(body.map((l) => l.replace(/[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "")).join("\n")).trim();
  if (plainCueText(cueText).length > CAPTION_CUE_TEXT_MAX || cueText.length > CAPTION_CUE_TEXT_MAX * 4) {
    errors.push({ path, message: `cue text is at most ${CAPTION_CUE_TEXT_MAX} characters` });
    return null;
  }
  if (cueText === "") return null; // an empty cue shows nothing: dropped
  return { start, end, settings, text: cueText };
}

function fail(path: string, message: string): ParsedCaptions {
  return { ok: false, errors: [{ path, message }] };
}

/**
 * The stored WebVTT. X-TIMESTAMP-MAP ties cue time 0 to media time 0 (MPEG-TS clock): the
 * transcoder's fMP4 segments start the video's timeline at 0 (tfdt 0, first frame at PTS 0).
 */
export const serialiseWebVtt = (cues: Cue[]): string => writeWebVtt(cues, ["X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000"]);

/** A WebVTT file of cues whose text is already valid cue text (sanitised or escaped), numbered from 1. */
export function writeWebVtt(cues: Cue[], headerLines: string[] = []): string {
  const parts = [["WEBVTT", ...headerLines].join("\n") + "\n"];
  cues.forEach((cue, i) => {
    const settings = cue.settings ? ` ${cue.settings}` : "";
    parts.push(`${i + 1}\n${formatTimestamp(cue.start)} --> ${formatTimestamp(cue.end)}${settings}\n${cue.text}\n`);
  });
  return parts.join("\n");
}
