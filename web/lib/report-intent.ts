// The form intent of a report names its target, so only that target's report form shows the
// outcome (several report forms share one page action).
export const reportIntent = (kind: string, id: string) => `report:${kind}:${id}`;
