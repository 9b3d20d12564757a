// The seek bar: played and buffered ranges over an invisible range input (keyboard and pointer),
// with a storyboard thumbnail and the time under the pointer.
import { useRef, useState } from "react";
import { formatDuration } from "../../lib/format";
import { SeekPreview } from "./SeekPreview";
import { useStoryboard } from "./use-storyboard";

type Props = {
  time: number;
  duration: number;
  buffered: number;
  onSeek: (time: number) => void;
  /** The storyboard WebVTT, fetched once frames play (`hasPlayed`) or the pointer comes near. */
  storyboard: string | null;
  hasPlayed: boolean;
};

export function SeekBar({ time, duration, buffered, onSeek, storyboard, hasPlayed }: Props) {
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
      {hover && <SeekPreview x={hover.x} time={hover.time} cues={cues} trackWidth={track.current?.clientWidth ?? 0} />}
    </div>
  );
}
