/**
 * Batched matrix product, tiled through workgroup memory. A 16×16 workgroup computes a 64×64
 * output tile, each thread a 4×4 block held in registers, walking K in steps of 16.
 *
 * Tiles are loaded with vec4 reads along whichever dimension of an operand is contiguous: K
 * for a plain row-major A (M for a transposed one, i.e. swapped strides), N for a plain B (K
 * for a transposed one). So `a.T @ b` and `a @ b.T` read memory as fast as `a @ b`. Views that
 * are not vec4-aligned fall back to scalar loads ordered along the smaller stride. Batch
 * dimensions may have stride 0 (broadcast).
 */
import type { View } from '../../backend.js';
import type { Layout } from '../../../tensor/layout.js';
import { collapseLayouts } from '../layouts.js';
import { wgslType, type Program } from '../program.js';
import type { GPUStorage } from '../storage.js';

const TILE = 64;
const TILE_K = 16;

/** How an operand's tile is read: vec4 along its first (rows) or second (cols) dim, or scalar. */
type LoadMode = 'vec-rows' | 'vec-cols' | 'scalar-rows' | 'scalar-cols';

function aligned(values: readonly number[]): boolean {
  return values.every((v) => v % 4 === 0);
}

/**
 * The load mode of an operand [rows, cols] (A: [M, K], B: [K, N]) with the given strides:
 * 'vec-cols' when cols are contiguous and everything else is a multiple of 4, and so on.
 */
function loadMode(
  rows: number,
  cols: number,
  rowStride: number,
  colStride: number,
  batchStrides: readonly number[],
  offset: number,
): LoadMode {
  const common = [offset, ...batchStrides];
  if ((colStride === 1 || cols === 1) && cols % 4 === 0 && aligned([...common, rows > 1 ? rowStride : 0])) {
    return 'vec-cols';
  }
  if ((rowStride === 1 || rows === 1) && rows % 4 === 0 && aligned([...common, cols > 1 ? colStride : 0])) {
    return 'vec-rows';
  }
  return Math.abs(rowStride) <= Math.abs(colStride) ? 'scalar-rows' : 'scalar-cols';
}

/**
 * WGSL loading one operand's tile into `dst` (workgroup memory laid out [k][64/4] as vec4 along
 * the non-K dimension). For A the rows are M and the cols K; for B the rows are K and cols N.
 * `isA` says which dimension is K.
 */
function loadTile(name: string, dst: string, mode: LoadMode, isA: boolean, t: string): string {
  // Names of the global row/col bounds and strides in the uniforms.
  const rowsBound = isA ? 'u.M' : 'u.K';
  const colsBound = isA ? 'u.K' : 'u.N';
  const rs = `u.${name}_rs`;
  const cs = `u.${name}_cs`;
  // r0/c0: the tile origin in (rows, cols). The tile spans 64 non-K × 16 K.
  const r0 = isA ? 'm0' : 'k0';
  const c0 = isA ? 'k0' : 'n0';
  // Store (row, col) → dst[k * 16 + other / 4][other % 4], with k the K coordinate.
  const store = (row: string, col: string, value: string): string => {
    const k = isA ? col : row;
    const other = isA ? row : col;
    return `${dst}[(${k}) * 16u + (${other}) / 4u][(${other}) % 4u] = ${value};`;
  };
  const tileRows = isA ? TILE : TILE_K;
  const tileCols = isA ? TILE_K : TILE;
  const lines: string[] = [`fn load_${name}(t: u32, m0: u32, n0: u32, k0: u32, base: i32) {`];
  if (mode === 'vec-cols' || mode === 'vec-rows') {
    const alongCols = mode === 'vec-cols';
    // 256 threads × one vec4 covers 64 × 16 elements.
    const groupsPerLine = (alongCols ? tileCols : tileRows) / 4;
    lines.push(
      `  let line = t / ${groupsPerLine}u;`,
      `  let quad = (t % ${groupsPerLine}u) * 4u;`,
      alongCols ? `  let r = line; let c = quad;` : `  let r = quad; let c = line;`,
      `  let gr = ${r0} + r; let gc = ${c0} + c;`,
      `  var v = vec4<${t}>();`,
      `  if (gr < ${rowsBound} && gc < ${colsBound}) {`,
      `    v = ${name}[(base + i32(gr) * ${rs} + i32(gc) * ${cs}) / 4];`,
      `  }`,
    );
    // When the vec4 runs along the non-K dimension it is one slot of dst; else four.
    const vecAlongK = isA ? alongCols : !alongCols;
    if (!vecAlongK) {
      const k = isA ? 'c' : 'r';
      const other = isA ? 'r' : 'c';
      lines.push(`  ${dst}[${k} * 16u + ${other} / 4u] = v;`);
    } else {
      for (let j = 0; j < 4; j++) {
        const row = alongCols ? 'r' : `r + ${j}u`;
        const col = alongCols ? `c + ${j}u` : 'c';
        lines.push(`  ${store(row, col, `v[${j}]`)}`);
      }
    }
  } else {
    const alongRows = mode === 'scalar-rows';
    lines.push(`  for (var j = 0u; j < 4u; j++) {`, `    let e = j * 256u + t;`);
    lines.push(
      alongRows
        ? `    let r = e % ${tileRows}u; let c = e / ${tileRows}u;`
        : `    let r = e / ${tileCols}u; let c = e % ${tileCols}u;`,
    );
    lines.push(
      `    let gr = ${r0} + r; let gc = ${c0} + c;`,
      `    var v = ${t}(0);`,
      `    if (gr < ${rowsBound} && gc < ${colsBound}) { v = ${name}[base + i32(gr) * ${rs} + i32(gc) * ${cs}]; }`,
      `    ${store('r', 'c', 'v')}`,
      `  }`,
    );
  }
  lines.push('}');
  return lines.join('\n');
}

export function matmulProgram(a: View, b: View, out: GPUStorage): Program {
  const rank = a.layout.shape.length;
  const M = a.layout.shape[rank - 2]!;
  const K = a.layout.shape[rank - 1]!;
  const N = b.layout.shape[rank - 1]!;
  const batchShape = a.layout.shape.slice(0, -2);
  const batch = batchShape.reduce((n, d) => n * d, 1);
  const pickBatch = (l: Layout): Layout => ({
    shape: batchShape,
    strides: l.strides.slice(0, -2),
    offset: l.offset,
  });
  const [aBatch, bBatch] = collapseLayouts(batchShape, [pickBatch(a.layout), pickBatch(b.layout)])
    .layouts as [Layout, Layout];
  const [sam, sak] = a.layout.strides.slice(-2) as [number, number];
  const [sbk, sbn] = b.layout.strides.slice(-2) as [number, number];
  const aMode = loadMode(M, K, sam, sak, aBatch.strides, aBatch.offset);
  const bMode = loadMode(K, N, sbk, sbn, bBatch.strides, bBatch.offset);
  const outVec = N % 4 === 0;
  const t = wgslType(a.storage.dtype);
  const store = outVec
    ? `    if (gm < u.M && gn < u.N) { out[(outBase + gm * u.N + gn) / 4u] = acc[i]; }`
    : `    for (var j = 0u; j < 4u; j++) {
      if (gm < u.M && gn + j < u.N) { out[outBase + gm * u.N + gn + j] = acc[i][j]; }
    }`;
  return {
    key: `matmul:${aMode}:${bMode}:${outVec ? 'vec' : 'scalar'}`,
    workgroupSize: [16, 16, 1],
    dispatch: { groups: [Math.ceil(N / TILE), Math.ceil(M / TILE), batch] },
    bindings: [
      { name: 'out', storage: out, access: 'read_write', vec4: outVec },
      { name: 'a', storage: a.storage as GPUStorage, access: 'read', vec4: aMode.startsWith('vec') },
      { name: 'b', storage: b.storage as GPUStorage, access: 'read', vec4: bMode.startsWith('vec') },
    ],
    uniforms: [
      { name: 'M', type: 'u32', value: M },
      { name: 'K', type: 'u32', value: K },
      { name: 'N', type: 'u32', value: N },
      { name: 'a_rs', type: 'i32', value: sam },
      { name: 'a_cs', type: 'i32', value: sak },
      { name: 'b_rs', type: 'i32', value: sbk },
      { name: 'b_cs', type: 'i32', value: sbn },
    ],
    layouts: [
      { name: 'abatch', layout: aBatch },
      { name: 'bbatch', layout: bBatch },
    ],
    body: `
var<workgroup> tileA: array<vec4<${t}>, ${TILE_K * 16}>;
var<workgroup> tileB: array<vec4<${t}>, ${TILE_K * 16}>;
${loadTile('a', 'tileA', aMode, true, t)}
${loadTile('b', 'tileB', bMode, false, t)}
fn kernel(inv: Invocation) {
  let tx = inv.lid.x;
  let ty = inv.lid.y;
  let n0 = inv.wid.x * ${TILE}u;
  let m0 = inv.wid.y * ${TILE}u;
  let z = inv.wid.z;
  let aBase = abatch_at(z);
  let bBase = bbatch_at(z);
  var acc: array<vec4<${t}>, 4>;
  for (var k0 = 0u; k0 < u.K; k0 += ${TILE_K}u) {
    load_a(inv.local, m0, n0, k0, aBase);
    load_b(inv.local, m0, n0, k0, bBase);
    workgroupBarrier();
    for (var k = 0u; k < ${TILE_K}u; k++) {
      let av = tileA[k * 16u + ty];
      let bv = tileB[k * 16u + tx];
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
  let outBase = z * u.M * u.N;
  let gn = n0 + tx * 4u;
  for (var i = 0u; i < 4u; i++) {
    let gm = m0 + ty * 4u + i;
${store}
  }
}`,
  };
}
