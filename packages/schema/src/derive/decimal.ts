/** Decimal handling on strings: money never goes through a float. */
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** Canonical `-123.40` form at `scale`, or an error message when the text is not a decimal(p,s). */
export function canonicalDecimal(
  input: string,
  precision: number,
  scale: number,
): string | { error: string } {
  const m = DECIMAL.exec(input.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return { error: "not a decimal number" };
  const intPart = (m[2] ?? "").replace(/^0+(?=\d)/, "") || "0";
  let frac = m[3] ?? "";
  if (frac.length > scale) {
    if (/[1-9]/.test(frac.slice(scale))) return { error: `more than ${scale} decimal places` };
    frac = frac.slice(0, scale);
  }
  if (intPart.length > precision - scale) return { error: `more than ${precision - scale} integer digits` };
  frac = frac.padEnd(scale, "0");
  const negative = m[1] === "-" && /[1-9]/.test(intPart + frac);
  return `${negative ? "-" : ""}${intPart}${scale ? `.${frac}` : ""}`;
}
