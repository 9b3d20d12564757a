// Chapters parsed from a video description (API.md "Playback extras"): lines starting with
// `m:ss` or `h:mm:ss` followed by a title. Pure and import-light so the player can use it too.
// All or nothing, like YouTube: if the lines break a rule the description simply has no chapters.
import { CHAPTER_MIN_SECONDS, CHAPTER_TITLE_MAX, CHAPTERS_MIN } from "./limits.ts";

export type Chapter = { startSeconds: number; title: string };

// Bounded quantifiers only: the description is user text, so no pattern may backtrack badly.
const line = /^[ \t]*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[ \t]+(?:[-–—:|][ \t]+)?(\S.*)$/;

function secondsOf(hours: string | undefined, minutes: string, seconds: string): number | null {
  const h = hours === undefined ? 0 : Number(hours);
  const m = Number(minutes);
  const s = Number(seconds);
  if (s > 59 || (hours !== undefined && m > 59)) return null;
  return h * 3600 + m * 60 + s;
}

/**
 * The chapters of a description, or [] when it has none. `durationSeconds` (when known) also
 * requires the last chapter to last CHAPTER_MIN_SECONDS and every start to be inside the video.
 */
export function parseChapters(description: string, durationSeconds?: number | null): Chapter[] {
  const chapters: Chapter[] = [];
  for (const raw of description.split(/\r?\n/)) {
    const match = line.exec(raw);
    if (!match) continue;
    const start = secondsOf(match[1], match[2]!, match[3]!);
    if (start === null) return [];
    const title = match[4]!.trim().slice(0, CHAPTER_TITLE_MAX).trim();
    if (!title) continue;
    chapters.push({ startSeconds: start, title });
  }
  if (chapters.length < CHAPTERS_MIN || chapters[0]!.startSeconds !== 0) return [];
  for (let i = 1; i < chapters.length; i++) {
    if (chapters[i]!.startSeconds - chapters[i - 1]!.startSeconds < CHAPTER_MIN_SECONDS) return [];
  }
  if (durationSeconds != null && durationSeconds - chapters.at(-1)!.startSeconds < CHAPTER_MIN_SECONDS) return [];
  return chapters;
}

/**
 * The video's chapters as a WebVTT chapters track (worker/chapters/routes.ts), relative to the
 * site's origin: the player's `<track>` loads it same-origin, with the viewer's cookies.
 */
export const chaptersTrackPath = (videoId: string): string => `/api/videos/${encodeURIComponent(videoId)}/chapters.vtt`;
