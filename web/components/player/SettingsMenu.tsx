// The settings button and its menu: quality (Auto or a rung of the ladder) and playback speed.
// Escape closes the menu.
import { Icon, ICONS, controlButton } from "./icons";
import type { Level } from "./use-playback";

const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
const selectClass = "rounded border border-neutral-600 bg-neutral-800 px-2 py-1";
const heightLabel = (h: number) => `${h}p`;

type Props = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  levels: Level[];
  /** The chosen level, -1 for automatic. */
  level: number;
  /** The level playing now (shown next to "Auto"). */
  playingLevel: number;
  onLevel: (index: number) => void;
  rate: number;
  onRate: (rate: number) => void;
};

export function SettingsMenu({ open, onOpenChange, levels, level, playingLevel, onLevel, rate, onRate }: Props) {
  const currentHeight = levels.find((l) => l.index === playingLevel)?.height;
  return (
    <div className="relative ml-auto">
      <button
        type="button"
        className={controlButton}
        aria-label="Settings: quality and speed"
        aria-expanded={open}
        aria-controls="player-settings"
        onClick={() => onOpenChange(!open)}
      >
        <Icon d={ICONS.settings} />
      </button>
      {open && (
        <div
          id="player-settings"
          className="absolute bottom-12 right-0 z-10 w-56 space-y-3 rounded-lg bg-neutral-900/95 p-3 text-sm shadow-lg"
          onKeyDown={(e) => {
            if (e.key === "Escape") onOpenChange(false);
          }}
        >
          {levels.length > 0 && (
            <div className="flex items-center justify-between gap-2">
              <label htmlFor="player-quality">Quality</label>
              <select id="player-quality" value={level} onChange={(e) => onLevel(Number(e.target.value))} className={selectClass}>
                <option value={-1}>Auto{level === -1 && currentHeight ? ` (${heightLabel(currentHeight)})` : ""}</option>
                {[...levels]
                  .sort((a, b) => b.height - a.height)
                  .map((l) => (
                    <option key={l.index} value={l.index}>
                      {heightLabel(l.height)}
                    </option>
                  ))}
              </select>
            </div>
          )}
          <div className="flex items-center justify-between gap-2">
            <label htmlFor="player-speed">Speed</label>
            <select id="player-speed" value={rate} onChange={(e) => onRate(Number(e.target.value))} className={selectClass}>
              {SPEEDS.map((s) => (
                <option key={s} value={s}>
                  {s === 1 ? "Normal" : `${s}×`}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
    </div>
  );
}
