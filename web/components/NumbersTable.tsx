// Numbers as a table: a label column (a link, a date…) and right-aligned number columns.
import type { ReactNode } from "react";
import { formatNumber } from "../lib/format";

type Props = {
  caption: string;
  captionClassName: string;
  className: string;
  /** The column headings: the label column's first. */
  columns: string[];
  rows: { key: string; label: ReactNode; values: number[] }[];
  /** Tighter rows (py-1 instead of py-2). */
  dense?: boolean;
};

export function NumbersTable({ caption, captionClassName, className, columns, rows, dense = false }: Props) {
  const pad = dense ? "py-1" : "py-2";
  return (
    <table className={className}>
      <caption className={captionClassName}>{caption}</caption>
      <thead>
        <tr className="border-b border-neutral-700">
          {columns.map((c, i) => (
            <th key={c} scope="col" className={`${pad} ${i ? "text-right " : ""}font-medium`}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} className="border-b border-neutral-800">
            <td className={dense ? pad : `${pad} pr-4`}>{r.label}</td>
            {r.values.map((v, i) => (
              <td key={i} className={`${pad} text-right tabular-nums`}>
                {formatNumber(v)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
