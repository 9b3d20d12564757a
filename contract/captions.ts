// Captions (API.md "Playback extras"): the request rules and the response shape. The limits are
// in ./limits.ts; how a caption file is checked is worker/captions/webvtt.ts.
import { z } from "zod";
import { CAPTION_LABEL_MAX, CAPTION_LANG_MAX } from "./limits.ts";

/** The response of PUT and each item of GET /api/videos/:id/captions. */
export type Caption = { lang: string; label: string; url: string };

const BCP47 = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

/** A BCP 47 language tag, in its canonical spelling ("EN-us" → "en-US"); the track's identity. */
export function canonicalLang(value: string): string | null {
  if (value.length > CAPTION_LANG_MAX || !BCP47.test(value)) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    return canonical && canonical.length <= CAPTION_LANG_MAX && BCP47.test(canonical) ? canonical : null;
  } catch {
    return null;
  }
}

export const captionLangParam = z.string().transform((value, ctx) => {
  const lang = canonicalLang(value);
  if (!lang) {
    ctx.addIssue({ code: "custom", message: "A BCP 47 language tag such as en, pt-BR or zh-Hant." });
    return z.NEVER;
  }
  return lang;
});

// Control characters could break the playlist's quoted NAME; labels are one line of text.
export const captionLabel = z
  .string()
  .trim()
  .min(1, "A label needs at least one character.")
  .max(CAPTION_LABEL_MAX, `Labels are at most ${CAPTION_LABEL_MAX} characters.`)
  .regex(/^[^\p{Cc}\p{Cs}"]*$/u, "Labels are one line of text without double quotes.");

export const captionQuerySchema = z.object({ label: captionLabel.optional() });
