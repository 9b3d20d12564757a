// A video's details as form fields (title, description, visibility, schedule): the upload form
// and the studio's edit form post the same names.
import type { InputHTMLAttributes } from "react";
import type { Visibility } from "../lib/types";
import { Field, Labelled, controlClass } from "./Field";
import { ScheduleField } from "./ScheduleField";

export type VideoFieldName = "title" | "description" | "visibility" | "publishAt";

type Props = {
  /** Each control's id (unique on the page). */
  idFor: (field: VideoFieldName) => string;
  /** More for the title input: its default, or a controlled value. */
  title?: InputHTMLAttributes<HTMLInputElement>;
  titleError?: string;
  description?: string;
  descriptionRows: number;
  visibility?: Visibility;
  publishAt?: string | null;
  publishAtError?: string;
};

export function VideoFields({ idFor, title, titleError, description, descriptionRows, visibility = "public", publishAt, publishAtError }: Props) {
  return (
    <>
      <Field label="Title" name="title" id={idFor("title")} required maxLength={200} error={titleError} {...title} />
      <Labelled id={idFor("description")} label="Description">
        <textarea id={idFor("description")} name="description" defaultValue={description} rows={descriptionRows} maxLength={5000} className={controlClass} />
      </Labelled>
      <Labelled id={idFor("visibility")} label="Visibility">
        <select id={idFor("visibility")} name="visibility" defaultValue={visibility} className={controlClass}>
          <option value="public">Public</option>
          <option value="unlisted">Unlisted (only with the link)</option>
          <option value="private">Private (only you)</option>
        </select>
      </Labelled>
      <ScheduleField id={idFor("publishAt")} publishAt={publishAt} error={publishAtError} />
    </>
  );
}
