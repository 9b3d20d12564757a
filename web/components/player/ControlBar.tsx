// The row of controls under the seek bar: play/pause, mute and volume, time, the processing badge,
// the current chapter, the settings menu (passed in), picture-in-picture, theatre mode and full screen.
import type { ReactNode } from "react";
import { formatDuration } from "../../lib/format";
import { Icon, ICONS, controlButton } from "./icons";

type Props = {
  paused: boolean;
  muted: boolean;
  volume: number;
  time: number;
  duration: number;
  processing: boolean;
  fullscreen: boolean;
  onToggle: () => void;
  onToggleMute: () => void;
  onVolume: (volume: number) => void;
  onToggleFullscreen: () => void;
  settings: ReactNode;
  chapterTitle?: string;
  pip?: { active: boolean; onToggle: () => void };
  theatre?: { on: boolean; onToggle: () => void };
};

export function ControlBar(p: Props) {
  const audible = p.muted ? 0 : p.volume;
  return (
    <div className="flex items-center gap-1 text-white">
      <button type="button" className={controlButton} onClick={p.onToggle} aria-label={p.paused ? "Play (k)" : "Pause (k)"}>
        <Icon d={p.paused ? ICONS.play : ICONS.pause} />
      </button>
      <button type="button" className={controlButton} onClick={p.onToggleMute} aria-label={p.muted ? "Unmute (m)" : "Mute (m)"}>
        <Icon d={p.muted || p.volume === 0 ? ICONS.muted : ICONS.volume} />
      </button>
      <input
        type="range"
        data-role="volume"
        min={0}
        max={1}
        step={0.05}
        value={audible}
        aria-label="Volume"
        aria-valuetext={`${Math.round(audible * 100)}%`}
        onChange={(e) => p.onVolume(Number(e.target.value))}
        className="hidden w-20 sm:block"
      />
      <span className="ml-2 text-sm tabular-nums" aria-hidden="true">
        {formatDuration(p.time)} / {formatDuration(p.duration)}
      </span>
      {p.chapterTitle && (
        <span className="ml-2 hidden min-w-0 truncate text-sm text-neutral-200 sm:inline" data-testid="current-chapter">
          · {p.chapterTitle}
        </span>
      )}
      {p.processing && <span className="ml-2 rounded bg-amber-500 px-1.5 text-xs font-semibold text-black">PROCESSING</span>}
      {p.settings}
      {p.pip && (
        <button type="button" className={controlButton} onClick={p.pip.onToggle} aria-pressed={p.pip.active} aria-label="Picture in picture (i)">
          <Icon d={ICONS.pip} />
        </button>
      )}
      {p.theatre && (
        <button type="button" className={`${controlButton} hidden lg:grid`} onClick={p.theatre.onToggle} aria-pressed={p.theatre.on} aria-label="Theatre mode (t)">
          <Icon d={ICONS.theatre} />
        </button>
      )}
      <button type="button" className={controlButton} onClick={p.onToggleFullscreen} aria-label={p.fullscreen ? "Exit full screen (f)" : "Full screen (f)"}>
        <Icon d={p.fullscreen ? ICONS.exitFull : ICONS.full} />
      </button>
    </div>
  );
}
