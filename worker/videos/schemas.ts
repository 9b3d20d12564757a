import { z } from "zod";
import { visibilities } from "#db/schema.ts";

export const videoIdParam = z.uuid();

const title = z.string().trim().min(1, "Give the video a title.").max(200, "Titles are at most 200 characters.");
const description = z.string().max(5000, "Descriptions are at most 5,000 characters.");

export const createVideoSchema = z.strictObject({
  title,
  description: description.optional().default(""),
  visibility: z.enum(visibilities),
  filename: z.string().trim().min(1).max(255),
  size: z.number().int().positive("The file is empty."),
  contentType: z
    .string()
    .max(100)
    .regex(/^video\/[A-Za-z0-9.+-]+$/, "Only video files can be uploaded (a video/* content type)."),
});

export const completeUploadSchema = z.strictObject({
  parts: z
    .array(
      z.strictObject({
        partNumber: z.number().int().min(1).max(10_000),
        etag: z.string().min(1).max(200),
      }),
    )
    .min(1)
    .max(10_000),
});

export const updateVideoSchema = z
  .strictObject({ title: title.optional(), description: description.optional(), visibility: z.enum(visibilities).optional() })
  .refine((v) => Object.keys(v).length > 0, "Send at least one field to change.");

export const reportPartSchema = z.strictObject({
  etag: z.string().min(1).max(200),
  size: z.number().int().positive(),
});
