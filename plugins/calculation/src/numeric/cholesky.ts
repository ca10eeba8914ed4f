/**
 * Lower-triangular L with L·Lᵀ = A for a symmetric positive semi-definite A (row-major, n × n), or undefined when A
 * is not. A pivot within `tolerance` of zero is a singular direction (e.g. ρ = 1 between two drivers): its column is
 * set to zero, which is exact when the rest of that column is zero too, and A is refused otherwise.
 */
export function cholesky(matrix: ArrayLike<number>, n: number, tolerance = 1e-10): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let pivot = matrix[j * n + j]!;
    for (let k = 0; k < j; k++) pivot -= l[j * n + k]! * l[j * n + k]!;
    if (pivot < -tolerance) return undefined;
    const singular = pivot <= tolerance;
    const root = singular ? 0 : Math.sqrt(pivot);
    l[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let sum = matrix[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (singular) {
        if (Math.abs(sum) > Math.sqrt(tolerance)) return undefined;
        l[i * n + j] = 0;
      } else {
        l[i * n + j] = sum / root;
      }
    }
  }
  return l;
}

/** X = L⁻¹ for a lower-triangular L with a non-zero diagonal (forward substitution, column by column). */
export function invertLowerTriangular(l: Float64Array, n: number): Float64Array {
  const inverse = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let sum = i === c ? 1 : 0;
      for (let k = c; k < i; k++) sum -= l[i * n + k]! * inverse[k * n + c]!;
      inverse[i * n + c] = sum / l[i * n + i]!;
    }
  }
  return inverse;
}
