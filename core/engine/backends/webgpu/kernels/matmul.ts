/**
 * Batched matrix product, tiled through workgroup memory. A 16×16 workgroup computes a 64×64
 * output tile, each thread a 4×4 block held in registers, walking K in steps of 16.
 *
 * Tiles are loaded with vec4 reads along whichever dimension of an operand is contiguous: K
 * for a plain row-major A (M for a transposed one, i.e. swapped strides), N for a plain B (K
 * for a transposed one). So `a.T @ b` and `a @ b.T` read memory as fast as `a @ b`. Views that
 * are not vec4-aligned fall back to scalar loads. Batch dimensions may have stride 0
 * (broadcast).
 *
 * An optional epilogue adds a bias row and applies an activation to the accumulators before
 * they are stored (a dense layer's forward pass in one dispatch).
 */
import type { DenseActivation, View } from '../../backend.js';
import type { Layout } from '../../../tensor/layout.js';
import { collapseLayouts } from '../layouts.js';
import { wgslType, type Program, type ProgramBinding, type ProgramUniform } from '../program.js';
import { mathHelpers, unaryF32 } from './elementwise.js';
import type { GPUStorage } from '../storage.js';

const TILE = 64;
const TILE_K = 16;
/** Workgroups per grid dimension that every WebGPU adapter allows (the spec's minimum limit). */
const GRID_LIMIT = 65535;

/** How an operand's tile is read: vec4 along its first (rows) or second (cols) dim, or scalar. */
type LoadMode = 'vec-rows' | 'vec-cols' | 'scalar';

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
  return 'scalar';
}

/**
 * WGSL loading one operand's tile into `dst`, 256 vec4 of workgroup memory. A tile read with
 * vec4 along K is stored [64 M|N][16/4 K] (`tileAlongK`); any other tile [16 K][64/4 M|N]. For A the rows are M and the cols K; for B the rows
 * are K and the cols N.
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
    // The vec4 is stored as it was read: one slot of the tile, along K or along M/N.
    const vecAlongK = isA ? alongCols : !alongCols;
    const k = isA ? 'c' : 'r';
    const other = isA ? 'r' : 'c';
    lines.push(
      vecAlongK ? `  ${dst}[${other} * 4u + ${k} / 4u] = v;` : `  ${dst}[${k} * 16u + ${other} / 4u] = v;`,
    );
  } else {
    // Four scalar loads along M (A) or N (B), assembled into one vec4 slot: no component
    // stores, which software adapters compile slowly.
    lines.push(`  let k = t / 16u;`, `  let q = (t % 16u) * 4u;`, `  var v = vec4<${t}>();`);
    for (let j = 0; j < 4; j++) {
      const gr = isA ? `m0 + q + ${j}u` : 'k0 + k';
      const gc = isA ? 'k0 + k' : `n0 + q + ${j}u`;
      lines.push(
        `  if (${gr} < ${rowsBound} && ${gc} < ${colsBound}) { v[${j}] = ${name}[base + i32(${gr}) * ${rs} + i32(${gc}) * ${cs}]; }`,
      );
    }
    lines.push(`  ${dst}[k * 16u + q / 4u] = v;`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** Whether a tile is stored as vec4 along K (it was read that way). */
function tileAlongK(mode: LoadMode, isA: boolean): boolean {
  return isA ? mode === 'vec-cols' : mode === 'vec-rows';
}

/** What happens to each output value before it is stored: + bias[column], then activation. */
export interface MatmulEpilogue {
  readonly bias: View | null;
  readonly activation: DenseActivation;
}

/** WGSL of `fn epilogue(v: f32, col: u32) -> f32`, with its binding and uniforms. */
function epilogueCode(e: MatmulEpilogue): {
  code: string;
  bindings: ProgramBinding[];
  uniforms: ProgramUniform[];
} {
  const activation = e.activation === 'linear' ? 'a' : unaryF32[e.activation];
  const bias = e.bias;
  const biasTerm = bias ? ' + bias[u.bias_offset + i32(col) * u.bias_stride]' : '';
  return {
    code: `${e.activation === 'tanh' ? mathHelpers : ''}
fn epilogue(v: f32, col: u32) -> f32 {
  let a = v${biasTerm};
  return ${activation};
}`,
    bindings: bias ? [{ name: 'bias', storage: bias.storage as GPUStorage, access: 'read' }] : [],
    uniforms: bias
      ? [
          { name: 'bias_offset', type: 'i32', value: bias.layout.offset },
          { name: 'bias_stride', type: 'i32', value: bias.layout.strides[0] ?? 0 },
        ]
      : [],
  };
}

export function matmulProgram(a: View, b: View, out: GPUStorage, epilogue?: MatmulEpilogue): Program {
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
  const aAlongK = tileAlongK(aMode, true);
  const bAlongK = tileAlongK(bMode, false);
  // Row i of A over the 4 K of step kq, as a vec4 along K.
  const aRow = (i: number) =>
    aAlongK
      ? `tileA[(ty * 4u + ${i}u) * 4u + kq]`
      : `vec4<${t}>(${[0, 1, 2, 3].map((j) => `tileA[(kq * 4u + ${j}u) * 16u + ty][${i}]`).join(', ')})`;
  const bLoads = [0, 1, 2, 3]
    .map(
      (j) =>
        bAlongK
          ? `      let b${j} = tileB[(tx * 4u + ${j}u) * 4u + kq];` // column j of the 4, along K
          : `      let b${j} = tileB[(kq * 4u + ${j}u) * 16u + tx];`, // row k = kq·4+j, along N
    )
    .join('\n');
  const update = (i: number) =>
    bAlongK
      ? `      { let a = ${aRow(i)}; acc[${i}] += vec4<${t}>(dot(a, b0), dot(a, b1), dot(a, b2), dot(a, b3)); }`
      : `      { let a = ${aRow(i)}; acc[${i}] += a.x * b0 + a.y * b1 + a.z * b2 + a.w * b3; }`;
  const t = wgslType(a.storage.dtype);
  const epi = epilogue ? epilogueCode(epilogue) : null;
  const value = epi ? (j: string) => `epilogue(acc[i][${j}], gn + ${j})` : (j: string) => `acc[i][${j}]`;
  const vecValue = epi ? `vec4<f32>(${[0, 1, 2, 3].map((j) => value(`${j}u`)).join(', ')})` : 'acc[i]';
  const store = outVec
    ? `    if (inBatch && gm < u.M && gn < u.N) { out[(outBase + gm * u.N + gn) / 4u] = ${vecValue}; }`
    : `    for (var j = 0u; j < 4u; j++) {
      if (inBatch && gm < u.M && gn + j < u.N) { out[outBase + gm * u.N + gn + j] = ${value('j')}; }
    }`;
  // More matrices than one grid dimension holds: z takes GRID_LIMIT of them and y repeats the
  // M tiles once per further slice of the batch.
  const mTiles = Math.ceil(M / TILE);
  const zSlices = Math.ceil(batch / GRID_LIMIT);
  const epilogueKey = epilogue ? `:${epilogue.bias ? 'bias' : 'nobias'}:${epilogue.activation}` : '';
  return {
    key: `matmul:${aMode}:${bMode}:${outVec ? 'vec' : 'scalar'}${epilogueKey}`,
    workgroupSize: [16, 16, 1],
    dispatch: { groups: [Math.ceil(N / TILE), mTiles * zSlices, Math.min(batch, GRID_LIMIT)] },
    bindings: [
      { name: 'out', storage: out, access: 'read_write', vec4: outVec },
      { name: 'a', storage: a.storage as GPUStorage, access: 'read', vec4: aMode.startsWith('vec') },
      { name: 'b', storage: b.storage as GPUStorage, access: 'read', vec4: bMode.startsWith('vec') },
      ...(epi?.bindings ?? []),
    ],
    uniforms: [
      { name: 'M', type: 'u32', value: M },
      { name: 'K', type: 'u32', value: K },
      { name: 'N', type: 'u32', value: N },
      { name: 'm_tiles', type: 'u32', value: mTiles },
      { name: 'batch', type: 'u32', value: batch },
      { name: 'a_rs', type: 'i32', value: sam },
      { name: 'a_cs', type: 'i32', value: sak },
      { name: 'b_rs', type: 'i32', value: sbk },
      { name: 'b_cs', type: 'i32', value: sbn },
      ...(epi?.uniforms ?? []),
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
${epi?.code ?? ''}
fn kernel(inv: Invocation) {
  let tx = inv.lid.x;
  let ty = inv.lid.y;
  let n0 = inv.wid.x * ${TILE}u;
  let m0 = (inv.wid.y % u.m_tiles) * ${TILE}u;
  let z = inv.wid.z + (inv.wid.y / u.m_tiles) * ${GRID_LIMIT}u;
  // The last slice's extra workgroups compute a copy of the last matrix and store nothing
  // (no early return: every thread must reach the barriers).
  let inBatch = z < u.batch;
  let zc = min(z, u.batch - 1u);
  let aBase = abatch_at(zc);
  let bBase = bbatch_at(zc);
  var acc: array<vec4<${t}>, 4>;
  for (var k0 = 0u; k0 < u.K; k0 += ${TILE_K}u) {
    load_a(inv.local, m0, n0, k0, aBase);
    load_b(inv.local, m0, n0, k0, bBase);
    workgroupBarrier();
    for (var kq = 0u; kq < ${TILE_K / 4}u; kq++) {
${bLoads}
${[0, 1, 2, 3].map(update).join('\n')}
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
