import { z } from "zod";
import { bioSchema, displayNameSchema } from "../creators/schemas.ts";

export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;

export const emailSchema = z
  .string()
  .trim()
  .max(EMAIL_MAX, `Emails are at most ${EMAIL_MAX} characters.`)
  .pipe(z.email("Enter a valid email address."));

export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN, `Passwords need at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Passwords are at most ${PASSWORD_MAX} characters.`);

export const signupSchema = z
  .strictObject({
    email: emailSchema,
    password: newPasswordSchema,
    // Only these two can be chosen; admins are made with scripts/admin-grant.ts.
    role: z.enum(["viewer", "creator"]).optional().default("viewer"),
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
  email: z.string().trim().min(1, "Enter your email.").max(EMAIL_MAX, `Emails are at most ${EMAIL_MAX} characters.`),
  password: z.string().min(1, "Enter your password.").max(PASSWORD_MAX, `Passwords are at most ${PASSWORD_MAX} characters.`),
});

export const refreshSchema = z.strictObject({
  refreshToken: z.string().min(1).max(200).optional(),
});
