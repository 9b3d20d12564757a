// What lies over the picture: the buffering spinner, the big Play button while paused, and the
// error message when the video cannot be played.
import { ICONS } from "./icons";

type Props = { paused: boolean; waiting: boolean; error: string | null; onPlay: () => void };

export function PlayerOverlays({ paused, waiting, error, onPlay }: Props) {
  return (
    <>
      {waiting && !paused && (
        <div className="pointer-events-none absolute inset-0 grid place-items-center" aria-hidden="true">
          <div className="h-12 w-12 animate-spin rounded-full border-4 border-white/30 border-t-white" />
        </div>
      )}
      {paused && !error && (
        <button
          type="button"
          onClick={onPlay}
          aria-label="Play"
          className="absolute left-1/2 top-1/2 grid h-16 w-16 -translate-x-1/2 -translate-y-1/2 place-items-center rounded-full bg-black/70 text-white hover:bg-red-600"
        >
          <svg viewBox="0 0 24 24" width="36" height="36" aria-hidden="true" fill="currentColor">
            <path d={ICONS.play} />
          </svg>
        </button>
      )}
      {error && (
        <div role="alert" className="absolute inset-x-0 top-0 bg-black/85 p-4 text-center text-white">
          {error}
        </div>
      )}
    </>
  );
}
