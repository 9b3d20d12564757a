// What the seek bar shows above the pointer: the storyboard frame for that time (when there is
// one) and the time itself, kept inside the track.
import { formatDuration } from "../../lib/format";
import { cueAt, type StoryboardCue } from "./storyboard";

type Props = { x: number; time: number; cues: StoryboardCue[]; trackWidth: number };

export function SeekPreview({ x, time, cues, trackWidth }: Props) {
  const cue = cueAt(cues, time);
  const width = cue?.w ?? 40;
  const left = Math.min(Math.max(x, width / 2 + 4), Math.max(trackWidth - width / 2 - 4, width / 2));
  return (
    <div className="pointer-events-none absolute bottom-6 flex -translate-x-1/2 flex-col items-center" style={{ left }} aria-hidden="true">
      {cue && (
        <div
          data-testid="seek-preview"
          className="overflow-hidden rounded border border-white/70 bg-black"
          style={{
            width: cue.w,
            height: cue.h,
            backgroundImage: `url("${cue.url}")`,
            backgroundPosition: `-${cue.x}px -${cue.y}px`,
          }}
        />
      )}
      <span className="mt-1 rounded bg-black/85 px-1.5 text-xs text-white">{formatDuration(time)}</span>
    </div>
  );
}
