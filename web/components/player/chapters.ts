// Which chapter a time falls in (chapters are sorted by start, the first at 0).
import type { Chapter } from "../../lib/types";

export function chapterAt(chapters: Chapter[], time: number): { index: number; chapter: Chapter } | null {
  let found = -1;
  for (let i = 0; i < chapters.length; i += 1) if (chapters[i]!.startSeconds <= time + 0.25) found = i;
  return found < 0 ? null : { index: found, chapter: chapters[found]! };
}
