import type { AttributeChange, StackDiff } from "./resource-diff.ts";

const SYMBOL = { added: "+", removed: "-", changed: "~" } as const;

const show = (v: unknown) => {
  const s = v === undefined ? "(absent)" : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
};
const attr = (a: AttributeChange) => `${a.path}: ${show(a.before)} → ${show(a.after)}`;

/** `dev: +3 -1 ~2` */
export function summaryLine(d: StackDiff): string {
  const n = (k: "added" | "removed" | "changed") => d.changes.filter((c) => c.kind === k).length;
  const state = d.status === "added" || d.status === "removed" ? ` (stack ${d.status})` : "";
  return `${d.stack}${state}: +${n("added")} -${n("removed")} ~${n("changed")}`;
}

/** Plain text: one line per resource, attributes indented below changed ones. */
export function renderText(diffs: readonly StackDiff[], refs: { base: string; head: string }): string {
  const lines = [`infra diff ${refs.base} → ${refs.head}`];
  for (const d of diffs) {
    lines.push("", summaryLine(d));
    for (const c of d.changes) {
      lines.push(`  ${SYMBOL[c.kind]} ${c.address}  (${c.path})`);
      for (const a of c.attributes) lines.push(`      ${attr(a)}`);
    }
  }
  if (diffs.every((d) => d.status === "unchanged")) lines.push("", "no changes");
  return lines.join("\n");
}

const md = (s: string) => s.replaceAll("|", "\\|").replaceAll("`", "'");

/** Markdown for a PR comment: a summary table, then per stack a collapsible list of resources. */
export function renderMarkdown(diffs: readonly StackDiff[], refs: { base: string; head: string }): string {
  const count = (d: StackDiff, k: "added" | "removed" | "changed") =>
    d.changes.filter((c) => c.kind === k).length;
  const out = [
    `### Synthesized Terraform: \`${refs.base}\` → \`${refs.head}\``,
    "",
    "| stack | added | removed | changed |",
    "| --- | ---: | ---: | ---: |",
    ...diffs.map(
      (d) =>
        `| ${d.stack}${d.status === "added" || d.status === "removed" ? ` (${d.status})` : ""} | ${count(d, "added")} | ${count(d, "removed")} | ${count(d, "changed")} |`,
    ),
  ];
  for (const d of diffs.filter((x) => x.changes.length)) {
    out.push(
      "",
      `<details><summary><b>${d.stack}</b>: ${summaryLine(d).split(": ")[1]}</summary>`,
      "",
      "```diff",
    );
    for (const c of d.changes) {
      out.push(`${SYMBOL[c.kind]} ${c.address}  (${c.path})`);
      for (const a of c.attributes.slice(0, 40)) out.push(`!     ${md(attr(a))}`);
      if (c.attributes.length > 40) out.push(`!     … ${c.attributes.length - 40} more attributes`);
    }
    out.push("```", "</details>");
  }
  return out.join("\n");
}
