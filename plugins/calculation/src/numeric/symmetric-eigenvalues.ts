/**
 * Eigenvalues of a real symmetric matrix (row-major, n × n), ascending, by the cyclic Jacobi method: plane rotations
 * annihilate off-diagonal entries until their sum of squares is negligible (Golub & Van Loan, "Matrix Computations",
 * §8.5). Quadratically convergent; used to decide positive semi-definiteness of correlation matrices, whose size
 * (drivers with distributions) stays small.
 */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number): number[] {
  const a = Float64Array.from(matrix);
  const at = (i: number, j: number): number => a[i * n + j]!;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i]! * a[i]!;
  const tolerance = 1e-22 * Math.max(scale, 1e-300);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += at(i, j) * at(i, j);
    if (off <= tolerance) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = at(p, q);
        if (apq === 0) continue;
        // Rotation angle that zeroes a[p][q] (the stable formulation: t = sgn(θ)/(|θ| + √(θ² + 1))).
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = at(k, p);
          const akq = at(k, q);
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = at(p, k);
          const aqk = at(q, k);
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(at(i, i));
  return values.sort((x, y) => x - y);
}
