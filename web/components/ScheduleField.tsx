// "Schedule (optional)": when a public video appears in lists and its followers are told. An
// ordinary form field (a datetime-local input and the offset it means, web/lib/schedule.ts), so
// the studio's edit form works without JavaScript too.
import { useEffect, useState } from "react";
import { isScheduled } from "#contract/schedule.ts";
import { LOCAL_FIELD, OFFSET_FIELD, browserOffsetAt, toLocalInput, type ScheduleZone } from "../lib/schedule";
import { Labelled, controlClass } from "./Field";

type Props = { id: string; publishAt?: string | null; error?: string };

export function ScheduleField({ id, publishAt, error }: Props) {
  const [zone, setZone] = useState<ScheduleZone>("utc");
  // A time that has passed is no schedule any more: the field starts empty then.
  const shown = (z: ScheduleZone) => (isScheduled(publishAt) ? toLocalInput(publishAt, z) : "");
  const [value, setValue] = useState(() => shown("utc"));
  const [zoneName, setZoneName] = useState("UTC");
  useEffect(() => {
    setZone("local");
    setValue(shown("local"));
    setZoneName(Intl.DateTimeFormat().resolvedOptions().timeZone || "your time zone");
  }, []);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <Labelled id={id} label="Schedule (optional)">
      <input
        type="datetime-local"
        id={id}
        name={LOCAL_FIELD}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        aria-invalid={error ? true : undefined}
        className={controlClass}
      />
      <input type="hidden" name={OFFSET_FIELD} value={zone === "utc" ? "Z" : browserOffsetAt(value)} />
      <p id={hintId} className="text-sm text-neutral-400">
        Time in {zoneName}. A public video stays off lists, and its followers hear of it, until then. Leave empty to publish as soon as it is ready.
      </p>
      {error && (
        <p id={errorId} className="text-sm text-red-300">
          {error}
        </p>
      )}
    </Labelled>
  );
}
