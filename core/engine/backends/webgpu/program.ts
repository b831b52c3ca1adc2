/**
 * The one shape every WebGPU kernel takes. A program declares a cache key, a workgroup size,
 * how many threads (or workgroups) to dispatch, its storage bindings, its uniforms, and only
 * the WGSL body of `fn kernel(inv: Invocation)`. `generateShader` writes everything else: the
 * binding declarations, one uniform struct, the NaN/Inf helpers, and for every strided layout
 * an index helper `NAME_at(flat) -> i32` (and `NAME_get(flat)` for a bound input) that maps a
 * row-major position in the layout's shape to a storage index. Shapes, strides and offsets
 * are uniforms, so one pipeline serves every layout of the same rank.
 */
import type { DType } from '../../tensor/dtype.js';
import type { Layout } from '../../tensor/layout.js';
import type { GPUStorage } from './storage.js';

export type ScalarType = 'f32' | 'i32' | 'u32';

export interface ProgramBinding {
  readonly name: string;
  readonly storage: GPUStorage;
  readonly access: 'read' | 'read_write';
  /** Declares the buffer as `array<vec4<T>>` (vectorised loads). */
  readonly vec4?: boolean;
  /** Element type the shader sees; defaults to the storage's dtype. */
  readonly dtype?: DType;
  /** A strided view of the binding: generates `NAME_at(flat)` and, for reads, `NAME_get(flat)`. */
  readonly layout?: Layout;
}

export interface ProgramUniform {
  readonly name: string;
  readonly type: ScalarType;
  readonly value: number;
}

export type Dispatch =
  /** One thread per item: 1-D workgroups, spread over a 2-D grid past 65535 groups. */
  | { readonly threads: number }
  /** An explicit grid of workgroups. */
  | { readonly groups: readonly [number, number, number] };

export interface Program {
  /** Identifies the WGSL body and its compile-time choices; the generator adds the signature. */
  readonly key: string;
  readonly workgroupSize: readonly [number, number, number];
  readonly dispatch: Dispatch;
  readonly bindings: readonly ProgramBinding[];
  readonly uniforms?: readonly ProgramUniform[];
  /** Layout helpers not tied to a binding (e.g. a reduction's kept and reduced parts). */
  readonly layouts?: readonly { readonly name: string; readonly layout: Layout }[];
  /** WGSL defining `fn kernel(inv: Invocation)`, plus any helpers and workgroup variables. */
  readonly body: string;
}

export function wgslType(dtype: DType): 'f32' | 'i32' {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32') return 'i32';
  throw new Error(`webgpu: dtype ${dtype} is not supported (float32 and int32 only)`);
}

function bindingType(b: ProgramBinding): string {
  const t = wgslType(b.dtype ?? b.storage.dtype);
  return b.vec4 ? `vec4<${t}>` : t;
}

/** Everything that changes the generated WGSL besides the body: part of the pipeline key. */
export function programSignature(p: Program): string {
  const bindings = p.bindings
    .map((b) => `${b.name}:${bindingType(b)}:${b.access[5] ?? 'r'}:${b.layout?.shape.length ?? '-'}`)
    .join(',');
  const uniforms = (p.uniforms ?? []).map((u) => `${u.name}:${u.type}`).join(',');
  const layouts = (p.layouts ?? []).map((l) => `${l.name}:${l.layout.shape.length}`).join(',');
  return `${p.key}|${p.workgroupSize.join('x')}|${bindings}|${uniforms}|${layouts}`;
}

interface UniformField {
  readonly name: string;
  readonly type: ScalarType;
  readonly value: number;
}

function layoutFields(name: string, layout: Layout): UniformField[] {
  const fields: UniformField[] = [{ name: `${name}_offset`, type: 'i32', value: layout.offset }];
  layout.shape.forEach((d, i) => {
    // The leading extent is never needed to unravel an index.
    if (i > 0) fields.push({ name: `${name}_shape${i}`, type: 'i32', value: d });
    fields.push({ name: `${name}_stride${i}`, type: 'i32', value: layout.strides[i]! });
  });
  return fields;
}

/** The uniform struct's fields, in order: all 4-byte scalars, so field i sits at byte 4·i. */
export function uniformFields(p: Program, threads: number): UniformField[] {
  const fields: UniformField[] = [{ name: 'threads', type: 'u32', value: threads }];
  for (const u of p.uniforms ?? []) fields.push(u);
  for (const b of p.bindings) if (b.layout) fields.push(...layoutFields(b.name, b.layout));
  for (const l of p.layouts ?? []) fields.push(...layoutFields(l.name, l.layout));
  return fields;
}

/** Writes the uniform values into `view` at `byteOffset`. */
export function packUniforms(fields: readonly UniformField[], view: DataView, byteOffset: number): void {
  fields.forEach((f, i) => {
    const at = byteOffset + 4 * i;
    if (f.type === 'f32') view.setFloat32(at, f.value, true);
    else if (f.type === 'i32') view.setInt32(at, f.value, true);
    else view.setUint32(at, f.value, true);
  });
}

export function uniformBytes(fieldCount: number): number {
  return Math.ceil((4 * fieldCount) / 16) * 16;
}

function layoutHelper(name: string, rank: number): string {
  if (rank === 0) return `fn ${name}_at(flat: u32) -> i32 { return u.${name}_offset; }`;
  const lines = [
    `fn ${name}_at(flat: u32) -> i32 {`,
    `  var rem = i32(flat);`,
    `  var at = u.${name}_offset;`,
  ];
  for (let d = rank - 1; d >= 1; d--) {
    lines.push(`  at += (rem % u.${name}_shape${d}) * u.${name}_stride${d};`);
    lines.push(`  rem = rem / u.${name}_shape${d};`);
  }
  lines.push(`  at += rem * u.${name}_stride0;`, `  return at;`, `}`);
  return lines.join('\n');
}

const prelude = `
// NaN and Inf cannot be written as WGSL constants; private variables keep them out of
// constant evaluation.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nan_f32() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf_f32() -> f32 { return bitcast<f32>(INF_BITS); }
// Compilers may fold x != x away; the bit pattern cannot lie.
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
// JavaScript's ToInt32 for the values an Int32Array stores: NaN and ±Inf give 0, others
// truncate toward zero (out-of-range values clamp here where JavaScript wraps).
fn to_i32(x: f32) -> i32 { return select(i32(x), 0, is_nan(x) || is_inf(x)); }

struct Invocation {
  // Flat thread index over the whole (possibly 2-D) dispatch.
  index: u32,
  // Flat workgroup index; uniform across the workgroup.
  group: u32,
  local: u32,
  gid: vec3<u32>,
  lid: vec3<u32>,
  wid: vec3<u32>,
}
`;

export function generateShader(p: Program): string {
  const parts: string[] = [prelude];
  const fields = uniformFields(p, 0);
  parts.push(`struct Uniforms {\n${fields.map((f) => `  ${f.name}: ${f.type},`).join('\n')}\n}`);
  p.bindings.forEach((b, i) => {
    parts.push(`@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${bindingType(b)}>;`);
  });
  parts.push(`@group(0) @binding(${p.bindings.length}) var<uniform> u: Uniforms;`);
  for (const b of p.bindings) {
    if (!b.layout) continue;
    parts.push(layoutHelper(b.name, b.layout.shape.length));
    if (b.access === 'read' && !b.vec4) {
      parts.push(
        `fn ${b.name}_get(flat: u32) -> ${bindingType(b)} { return ${b.name}[${b.name}_at(flat)]; }`,
      );
    }
  }
  for (const l of p.layouts ?? []) parts.push(layoutHelper(l.name, l.layout.shape.length));
  parts.push(p.body);
  const [x, y, z] = p.workgroupSize;
  parts.push(`
@compute @workgroup_size(${x}, ${y}, ${z})
fn main(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let group = wid.x + wid.y * groups.x;
  kernel(Invocation(group * ${x * y * z}u + local, group, local, gid, lid, wid));
}`);
  return parts.join('\n');
}
