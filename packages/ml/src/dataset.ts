/** A numeric feature matrix: column-major float32 (`values[col * rows + row]`), NaN = missing. Column-major
 * because binning and histogram building walk one feature at a time; float32 because XGBoost compares
 * feature values as float32, and parity with it depends on it. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array;
}

export interface Dataset extends Matrix {
  /** One label per row (0/1 for binary:logistic). */
  readonly labels: Float32Array;
}

/** Builds a matrix from row arrays (tests, small inputs). `null`/`undefined` become NaN. */
export function matrixFromRows(
  rows: readonly (readonly (number | null | undefined)[])[],
  cols?: number,
): Matrix {
  const c = cols ?? rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * c);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length !== c) throw new Error(`row ${r} has ${row.length} values, expected ${c}`);
    for (let j = 0; j < c; j++) {
      const v = row[j];
      values[j * rows.length + r] = v === null || v === undefined ? Number.NaN : v;
    }
  }
  return { rows: rows.length, cols: c, values };
}

/** The rows of `m` at `index`, in that order. */
export function takeRows(m: Matrix, index: ArrayLike<number>): Matrix {
  const n = index.length;
  const values = new Float32Array(n * m.cols);
  for (let j = 0; j < m.cols; j++) {
    const src = j * m.rows;
    const dst = j * n;
    for (let i = 0; i < n; i++) values[dst + i] = m.values[src + index[i]!]!;
  }
  return { rows: n, cols: m.cols, values };
}

export function takeDataset(d: Dataset, index: ArrayLike<number>): Dataset {
  const labels = new Float32Array(index.length);
  for (let i = 0; i < index.length; i++) labels[i] = d.labels[index[i]!]!;
  return { ...takeRows(d, index), labels };
}
