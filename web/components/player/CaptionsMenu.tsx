// The CC button and its menu: Off or one of the video's caption tracks (radio buttons). Shown only
// when the video has captions. Escape closes the menu.
import { Icon, controlButton } from "./icons";
import type { CaptionTrack } from "./use-captions";

const CC_ICON =
  "M19 4H5a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm-8 7H9.5v-.5h-2v3h2V13H11v1a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1v-4a1 1 0 0 1 1-1h3a1 1 0 0 1 1 1v1zm7 0h-1.5v-.5h-2v3h2V13H18v1a1 1 0 0 1-1 1h-3a1 1 0 0 1-1-1v-4a1 1 0 0 1 1-1h3a1 1 0 0 1 1 1v1z";

type Props = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  tracks: CaptionTrack[];
  /** Index of the showing track, -1 for off. */
  active: number;
  onChoose: (index: number) => void;
};

export function CaptionsMenu({ open, onOpenChange, tracks, active, onChoose }: Props) {
  if (tracks.length === 0) return null;
  const options = [{ index: -1, label: "Off" }, ...tracks];
  return (
    <div className="relative">
      <button
        type="button"
        className={`${controlButton} ${active >= 0 ? "text-sky-300" : ""}`}
        aria-label={active >= 0 ? "Captions (on)" : "Captions (off)"}
        aria-expanded={open}
        aria-controls="player-captions"
        onClick={() => onOpenChange(!open)}
      >
        <Icon d={CC_ICON} />
      </button>
      {open && (
        <fieldset
          id="player-captions"
          className="absolute bottom-12 right-0 z-10 w-56 space-y-1 rounded-lg bg-neutral-900/95 p-3 text-sm shadow-lg"
          onKeyDown={(e) => {
            if (e.key === "Escape") onOpenChange(false);
          }}
        >
          <legend className="sr-only">Captions</legend>
          {options.map((o) => (
            <label key={o.index} className="flex cursor-pointer items-center gap-2 rounded px-1 py-1 hover:bg-white/10">
              <input
                type="radio"
                name="player-captions"
                checked={active === o.index}
                onChange={() => {
                  onChoose(o.index);
                  onOpenChange(false);
                }}
              />
              {o.label}
            </label>
          ))}
        </fieldset>
      )}
    </div>
  );
}
