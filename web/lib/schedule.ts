// The studio's "Schedule" field and the API's publishAt (contract/schedule.ts). A datetime-local
// input has no time zone, so the form posts the offset it meant beside it: UTC as the server
// renders the page (it cannot know the visitor's zone), the browser's own zone once hydrated.
// Either way the two fields make one ISO 8601 instant, with or without JavaScript.

export const LOCAL_FIELD = "publishAtLocal";
export const OFFSET_FIELD = "publishAtOffset";

export type ScheduleZone = "utc" | "local";

const pad = (n: number) => String(n).padStart(2, "0");

/** The input's value for an instant: "YYYY-MM-DDTHH:mm" (":ss" only when not zero). */
export function toLocalInput(iso: string, zone: ScheduleZone): string {
  const d = new Date(iso);
  const [y, mo, day, h, mi, s] =
    zone === "utc"
      ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
      : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${y}-${pad(mo)}-${pad(day)}T${pad(h)}:${pad(mi)}${s ? `:${pad(s)}` : ""}`;
}

/** The offset ("+01:00", "Z") the browser's zone has at that local time (it changes with DST). */
export function browserOffsetAt(local: string): string {
  const at = local ? new Date(local) : new Date(); // no zone in the text: read as local time
  const minutes = Number.isNaN(at.getTime()) ? -new Date().getTimezoneOffset() : -at.getTimezoneOffset();
  if (minutes === 0) return "Z";
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** publishAt from a posted form: null when the field is empty (no schedule / publish now). */
export function publishAtFromForm(form: FormData): string | null {
  const local = String(form.get(LOCAL_FIELD) ?? "").trim();
  if (!local) return null;
  const offset = String(form.get(OFFSET_FIELD) ?? "") || "Z";
  // Browsers leave the seconds out when they are zero; the API wants them.
  return `${/T\d{2}:\d{2}$/.test(local) ? `${local}:00` : local}${offset}`;
}
