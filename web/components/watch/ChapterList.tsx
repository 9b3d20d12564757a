// The chapter list under the player: each chapter seeks the player to its start; the one playing
// now is marked (aria-current). It follows the page's <video> element by its id.
import { useEffect, useState } from "react";
import { formatDuration } from "../../lib/format";
import type { Chapter } from "../../lib/types";
import { VIDEO_ELEMENT_ID } from "../player/hls-loader";
import { chapterAt } from "../player/chapters";

const player = () => document.getElementById(VIDEO_ELEMENT_ID) as HTMLVideoElement | null;

export function ChapterList({ chapters, startAt = 0 }: { chapters: Chapter[]; startAt?: number }) {
  const [time, setTime] = useState(startAt);

  useEffect(() => {
    const el = player();
    if (!el) return;
    const onTime = () => setTime(el.currentTime);
    el.addEventListener("timeupdate", onTime);
    el.addEventListener("seeked", onTime);
    return () => {
      el.removeEventListener("timeupdate", onTime);
      el.removeEventListener("seeked", onTime);
    };
  }, []);

  if (chapters.length === 0) return null;
  const current = chapterAt(chapters, time)?.index ?? 0;

  const seek = (seconds: number) => {
    const el = player();
    if (!el) return;
    el.currentTime = seconds;
    setTime(seconds);
    void el.play().catch(() => undefined);
  };

  return (
    <section aria-labelledby="chapters-heading" className="mt-4 rounded-xl bg-neutral-900 p-4 text-sm">
      <h2 id="chapters-heading" className="font-semibold">
        Chapters <span className="font-normal text-neutral-300">· now: {chapters[current]!.title}</span>
      </h2>
      <ol className="mt-2 grid gap-1">
        {chapters.map((c, i) => (
          <li key={c.startSeconds}>
            <a
              href={`?t=${Math.floor(c.startSeconds)}`}
              onClick={(e) => {
                if (!player()) return; // no player yet: the link reloads at that time
                e.preventDefault();
                seek(c.startSeconds);
              }}
              aria-current={i === current ? "true" : undefined}
              className={`flex gap-3 rounded px-2 py-1 hover:bg-neutral-800 ${i === current ? "bg-neutral-800 font-medium text-white" : "text-neutral-200"}`}
            >
              <span className="tabular-nums text-red-300">{formatDuration(c.startSeconds)}</span>
              <span className="min-w-0 break-words">{c.title}</span>
            </a>
          </li>
        ))}
      </ol>
    </section>
  );
}
