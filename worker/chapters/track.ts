// The chapters of a video as a WebVTT chapters track (kind="chapters"): one cue per chapter, from
// its start to the next one's, the last to the end of the video. Written by the captions' WebVTT
// writer; titles are plain text, so every "&", "<" and ">" is escaped (a title such as
// "<b>x</b>" or "a --> b" stays literal text and can never end a cue or open a tag).
import type { Chapter } from "#contract/chapters.ts";
import { CAPTION_MAX_SECONDS, CHAPTER_MIN_SECONDS } from "#contract/limits.ts";
import { escapeText } from "../captions/cue-text.ts";
import { writeWebVtt } from "../captions/webvtt.ts";

// C0 controls and DEL (a title never holds a line break: the parser reads one line per chapter).
const CONTROLS = /[\u0000-\u001F\u007F]/g;

/**
 * `durationSeconds` is null until the video is probed: the last cue then runs to the longest
 * video the platform has a position for (players clip cues to the media's duration), or just
 * past its start for a description whose chapters claim more.
 */
export function chaptersWebVtt(chapters: Chapter[], durationSeconds: number | null): string {
  const last = chapters.at(-1);
  const end = durationSeconds ?? Math.max(CAPTION_MAX_SECONDS, (last?.startSeconds ?? 0) + CHAPTER_MIN_SECONDS);
  const cues = chapters.map((chapter, i) => ({
    start: chapter.startSeconds,
    end: chapters[i + 1]?.startSeconds ?? end,
    settings: "",
    text: escapeText(chapter.title.replace(CONTROLS, "")),
  }));
  return writeWebVtt(cues);
}
