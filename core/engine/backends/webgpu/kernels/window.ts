/**
 * im2col and col2im over NHWC images (strided input views allowed). col2im gathers: each
 * image element sums the patch entries that read it, so no atomics are needed and the result
 * is deterministic (summed in the CPU backend's order).
 */
import type { View, WindowGeometry } from '../../backend.js';
import { collapseLayouts } from '../layouts.js';
import { wgslType, type Program, type ProgramUniform } from '../program.js';
import type { GPUStorage } from '../storage.js';

function geometryUniforms(g: WindowGeometry): ProgramUniform[] {
  const names: (keyof WindowGeometry)[] = [
    'inHeight',
    'inWidth',
    'channels',
    'kernelHeight',
    'kernelWidth',
    'strideHeight',
    'strideWidth',
    'dilationHeight',
    'dilationWidth',
    'padTop',
    'padLeft',
    'outHeight',
    'outWidth',
  ];
  return names.map((name) => ({ name, type: 'i32', value: g[name] }));
}

export function im2colProgram(x: View, g: WindowGeometry, padValue: number, out: GPUStorage): Program {
  const t = wgslType(x.storage.dtype);
  const rowLength = g.kernelHeight * g.kernelWidth * g.channels;
  const layout = collapseLayouts(x.layout.shape, [x.layout]).layouts[0]!;
  return {
    key: 'im2col',
    workgroupSize: [256, 1, 1],
    dispatch: { threads: g.batch * g.outHeight * g.outWidth * rowLength },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'x', storage: x.storage as GPUStorage, access: 'read', layout },
    ],
    uniforms: [...geometryUniforms(g), { name: 'pad', type: t, value: padValue }],
    body: `
fn kernel(inv: Invocation) {
  let o = inv.index;
  if (o >= u.threads) { return; }
  let rowLength = u32(u.kernelHeight * u.kernelWidth * u.channels);
  let col = i32(o % rowLength);
  let row = i32(o / rowLength);
  let c = col % u.channels;
  let kw = (col / u.channels) % u.kernelWidth;
  let kh = col / (u.channels * u.kernelWidth);
  let ow = row % u.outWidth;
  let oh = (row / u.outWidth) % u.outHeight;
  let n = row / (u.outWidth * u.outHeight);
  let ih = oh * u.strideHeight - u.padTop + kh * u.dilationHeight;
  let iw = ow * u.strideWidth - u.padLeft + kw * u.dilationWidth;
  var v = u.pad;
  if (ih >= 0 && ih < u.inHeight && iw >= 0 && iw < u.inWidth) {
    v = x_get(u32(((n * u.inHeight + ih) * u.inWidth + iw) * u.channels + c));
  }
  out[o] = v;
}`,
  };
}

export function col2imProgram(cols: View, g: WindowGeometry, out: GPUStorage): Program {
  const t = wgslType(cols.storage.dtype);
  const layout = collapseLayouts(cols.layout.shape, [cols.layout]).layouts[0]!;
  return {
    key: 'col2im',
    workgroupSize: [256, 1, 1],
    dispatch: { threads: g.batch * g.inHeight * g.inWidth * g.channels },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'cols', storage: cols.storage as GPUStorage, access: 'read', layout },
    ],
    uniforms: geometryUniforms(g),
    body: `
fn kernel(inv: Invocation) {
  let o = inv.index;
  if (o >= u.threads) { return; }
  let c = i32(o) % u.channels;
  let iw = (i32(o) / u.channels) % u.inWidth;
  let ih = (i32(o) / (u.channels * u.inWidth)) % u.inHeight;
  let n = i32(o) / (u.channels * u.inWidth * u.inHeight);
  let rowLength = u.kernelHeight * u.kernelWidth * u.channels;
  var acc = ${t}(0);
  // Descending taps visit patches in ascending (oh, ow): the CPU backend's summation order.
  for (var kh = u.kernelHeight - 1; kh >= 0; kh--) {
    let th = ih + u.padTop - kh * u.dilationHeight;
    if (th < 0 || th % u.strideHeight != 0) { continue; }
    let oh = th / u.strideHeight;
    if (oh >= u.outHeight) { continue; }
    for (var kw = u.kernelWidth - 1; kw >= 0; kw--) {
      let tw = iw + u.padLeft - kw * u.dilationWidth;
      if (tw < 0 || tw % u.strideWidth != 0) { continue; }
      let ow = tw / u.strideWidth;
      if (ow >= u.outWidth) { continue; }
      let row = (n * u.outHeight + oh) * u.outWidth + ow;
      acc += cols_get(u32(row * rowLength + (kh * u.kernelWidth + kw) * u.channels + c));
    }
  }
  out[o] = acc;
}`,
  };
}
