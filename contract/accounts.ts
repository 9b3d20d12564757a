// Accounts and creators in the public contract (shared/API.md): sign-up, login, profiles and
// their shapes. Re-exported by ./api.ts, which is what callers import.
import { z } from "zod";
import {
  BIO_MAX,
  DISPLAY_NAME_MAX,
  EMAIL_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  signupRoles,
  type Role,
} from "./limits.ts";

export const creatorIdParam = z.uuid();
export const userIdParam = z.uuid();

// Control characters would let a name spoof layout (newlines, bidi overrides are handled by the UI).
const noControlChars = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, "Display names need at least 1 character.")
  .max(DISPLAY_NAME_MAX, `Display names are at most ${DISPLAY_NAME_MAX} characters.`)
  .refine(noControlChars, "Display names cannot contain control characters.");

export const bioSchema = z.string().trim().max(BIO_MAX, `Bios are at most ${BIO_MAX} characters.`);

export const becomeCreatorSchema = z.strictObject({
  displayName: displayNameSchema,
  bio: bioSchema.optional().default(""),
});

export const updateCreatorSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  bio: bioSchema.optional(),
});

const emailTooLong = `Emails are at most ${EMAIL_MAX} characters.`;
const passwordTooLong = `Passwords are at most ${PASSWORD_MAX} characters.`;

export const emailSchema = z.string().trim().max(EMAIL_MAX, emailTooLong).pipe(z.email("Enter a valid email address."));

export const newPasswordSchema = z.string().min(PASSWORD_MIN, `Passwords need at least ${PASSWORD_MIN} characters.`).max(PASSWORD_MAX, passwordTooLong);

export const signupSchema = z
  .strictObject({
    email: emailSchema,
    password: newPasswordSchema,
    role: z.enum(signupRoles).optional().default("viewer"),
    displayName: displayNameSchema.optional(),
    bio: bioSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.role === "creator" && value.displayName === undefined) {
      ctx.addIssue({ code: "custom", path: ["displayName"], message: "Creators need a display name." });
    }
  });

// Login deliberately checks only sizes: a wrong or odd email is just "wrong credentials".
export const loginSchema = z.strictObject({
  email: z.string().trim().min(1, "Enter your email.").max(EMAIL_MAX, emailTooLong),
  password: z.string().min(1, "Enter your password.").max(PASSWORD_MAX, passwordTooLong),
});

export const refreshSchema = z.strictObject({
  refreshToken: z.string().min(1).max(200).optional(),
});

export type User = { id: string; email: string; role: Role; createdAt: string };

/** A creator as search lists them. */
export type CreatorSummary = { id: string; displayName: string; bio: string; followerCount: number };

/** GET /api/creators/:id (also PATCH, and lists of creators). */
export type Creator = CreatorSummary & { videoCount: number; following: boolean; createdAt: string };

/** GET /api/me/following items. */
export type FollowedCreator = Creator & { followedAt: string };

/** POST /api/me/creator: the new profile and an access token carrying the creator role. */
export type BecomeCreatorResult = Creator & { accessToken: string };

/** GET /api/me */
export type Me = {
  user: User;
  creator: Pick<CreatorSummary, "id" | "displayName" | "bio"> | null;
};

/** POST /api/auth/signup and /login; `refreshToken` only for clients that ask for it in the body. */
export type Session = { user: User; accessToken: string; refreshToken?: string };

/** POST /api/auth/refresh */
export type Refreshed = { accessToken: string; refreshToken?: string };
