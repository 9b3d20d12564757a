// The seek bar: played and buffered ranges over an invisible range input (keyboard and pointer),
// with a storyboard thumbnail and the time under the pointer, and chapter markers that seek to
// their chapter's start.
import { useRef, useState } from "react";
import { formatDuration } from "../../lib/format";
import { SeekPreview } from "./SeekPreview";
import { useStoryboard } from "./use-storyboard";
import type { Chapter } from "../../lib/types";

type Props = {
  time: number;
  duration: number;
  buffered: number;
  onSeek: (time: number) => void;
  /** The storyboard WebVTT, fetched once frames play (`hasPlayed`) or the pointer comes near. */
  storyboard: string | null;
  hasPlayed: boolean;
  chapters?: Chapter[];
};

export function SeekBar({ time, duration, buffered, onSeek, storyboard, hasPlayed, chapters = [] }: Props) {
  const track = useRef<HTMLDivElement>(null);
  const [wantCues, setWantCues] = useState(false);
  const cues = useStoryboard(storyboard, wantCues || hasPlayed);
  const [hover, setHover] = useState<{ x: number; time: number } | null>(null);

  const onHover = (clientX: number) => {
    const box = track.current?.getBoundingClientRect();
    if (!box || !duration) return;
    const fraction = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    setHover({ x: fraction * box.width, time: fraction * duration });
  };

  const pct = duration ? (time / duration) * 100 : 0;
  const bufferedPct = duration ? Math.min(100, (buffered / duration) * 100) : 0;

  return (
    <div
      ref={track}
      className="relative h-5"
      onPointerEnter={() => setWantCues(true)}
      onPointerMove={(e) => onHover(e.clientX)}
      onPointerLeave={() => setHover(null)}
    >
      <div className="pointer-events-none absolute inset-x-0 top-2 h-1 rounded bg-white/30">
        <div className="absolute inset-y-0 left-0 rounded bg-white/50" style={{ width: `${bufferedPct}%` }} />
        <div className="absolute inset-y-0 left-0 rounded bg-red-500" style={{ width: `${pct}%` }} />
      </div>
      <input
        type="range"
        min={0}
        max={duration || 0}
        step="any"
        value={Math.min(time, duration || 0)}
        aria-label="Seek"
        aria-valuetext={`${formatDuration(time)} of ${formatDuration(duration)}`}
        onChange={(e) => onSeek(Number(e.target.value))}
        className="absolute inset-0 h-5 w-full cursor-pointer opacity-0"
      />
      {duration > 0 &&
        chapters.map((c, i) =>
          i === 0 || c.startSeconds >= duration ? null : (
            // Pointer shortcuts only (tabIndex -1): keyboard users have the chapter list and the range.
            <button
              key={c.startSeconds}
              type="button"
              tabIndex={-1}
              data-chapter-marker={c.startSeconds}
              aria-label={`Chapter ${i + 1}: ${c.title} (${formatDuration(c.startSeconds)})`}
              title={c.title}
              onClick={() => onSeek(c.startSeconds)}
              className="absolute top-0 grid h-5 w-3 -translate-x-1/2 place-items-center"
              style={{ left: `${(c.startSeconds / duration) * 100}%` }}
            >
              <span className="h-2 w-1 rounded-sm bg-neutral-950" aria-hidden="true" />
            </button>
          ),
        )}
      {hover && <SeekPreview x={hover.x} time={hover.time} cues={cues} trackWidth={track.current?.clientWidth ?? 0} />}
    </div>
  );
}
