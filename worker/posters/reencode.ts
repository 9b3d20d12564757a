// A custom poster is never stored or served as it was sent. Its header is read first, so an image
// that declares a huge canvas in a few bytes (a decompression bomb) is refused before anything
// is decoded; then it is decoded, cropped and scaled to the poster size and encoded as JPEG.
import { JPG } from "image-size/types/jpg";
import { PNG } from "image-size/types/png";
import { WEBP } from "image-size/types/webp";
import { POSTER_IMAGE_MAX_PIXELS, POSTER_IMAGE_MAX_SIDE } from "#contract/playback-extras.ts";
import { Problem, unprocessable } from "../http/problem.ts";
import { coverResize, decodeImage, encodeJpeg, type Pixels, type PosterImageType } from "./codecs.ts";

const headers: [PosterImageType, typeof JPG][] = [
  ["jpg", JPG],
  ["png", PNG],
  ["webp", WEBP],
];
/** Close to the generated posters (FFmpeg's mjpeg at -q:v 3). */
const JPEG_QUALITY = 85;

const unreadable = () => unprocessable("The image could not be read.", [{ path: "(body)", message: "a damaged or unsupported JPEG, PNG or WebP image" }]);

/** The image's format and size, from its header alone. */
export function readImageHeader(bytes: Uint8Array): { type: PosterImageType; width: number; height: number } {
  for (const [type, header] of headers) {
    let size: { width: number; height: number };
    try {
      if (!header.validate(bytes)) continue;
      size = header.calculate(bytes);
    } catch {
      throw unreadable();
    }
    const { width, height } = size;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw unreadable();
    if (width > POSTER_IMAGE_MAX_SIDE || height > POSTER_IMAGE_MAX_SIDE || width * height > POSTER_IMAGE_MAX_PIXELS) {
      throw unprocessable(`The image is ${width} × ${height} pixels: posters are made from images of at most ${POSTER_IMAGE_MAX_PIXELS} pixels, ${POSTER_IMAGE_MAX_SIDE} on a side.`, [
        { path: "(body)", message: "too many pixels" },
      ]);
    }
    return { type, width, height };
  }
  throw new Problem({ status: 415, detail: "Send a JPEG, PNG or WebP image." });
}

/**
 * The poster JPEG made from an uploaded image. `sizeFor` gives the poster size for the decoded
 * image's size (the video's own poster size once it is known, else the image's aspect).
 */
export async function reencodePoster(bytes: Uint8Array, sizeFor: (width: number, height: number) => { width: number; height: number }): Promise<Uint8Array> {
  const header = readImageHeader(bytes);
  let pixels: Pixels;
  try {
    pixels = await decodeImage(header.type, bytes);
  } catch {
    throw unreadable();
  }
  // The decoder must have read the canvas the header declared (possibly turned a quarter by EXIF).
  if (pixels.width * pixels.height !== header.width * header.height || pixels.data.length !== pixels.width * pixels.height * 4) throw unreadable();
  return encodeJpeg(await coverResize(pixels, sizeFor(pixels.width, pixels.height)), JPEG_QUALITY);
}
