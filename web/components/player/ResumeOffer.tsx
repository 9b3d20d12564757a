// "Resume at 12:34": offered over the picture when the viewer has a saved position.
import { formatDuration } from "../../lib/format";

export function ResumeOffer({ at, onAccept, onDismiss }: { at: number; onAccept: () => void; onDismiss: () => void }) {
  return (
    <div className="absolute left-3 top-3 flex items-center overflow-hidden rounded-lg bg-black/80 text-sm text-white shadow">
      <button type="button" onClick={onAccept} className="px-3 py-2 font-medium hover:bg-white/15">
        Resume at {formatDuration(at)}
      </button>
      <button type="button" onClick={onDismiss} aria-label="Dismiss: start from the beginning" className="grid h-9 w-9 place-items-center border-l border-white/20 hover:bg-white/15">
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
