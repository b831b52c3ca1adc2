// The compute devices a run can use: the GPU adapter the host detected (or why there is none) and
// the CPU. The host probes once and caches; `detect(true)` asks it to probe again.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { lab } from '../api/index.js';
import { errorMessage } from '../api/errors.js';
import type { DeviceReport } from '../../../core/lab/api/contract.js';

export const useDevicesStore = defineStore('devices', () => {
  const report = shallowRef<DeviceReport | null>(null);
  const detecting = ref(false);
  const error = ref<string | null>(null);

  const gpuAvailable = computed(() => report.value?.gpu.available === true);
  /** One line for the picker: the adapter's name and backend, or why there is no GPU. */
  const gpuLabel = computed(() => {
    const gpu = report.value?.gpu;
    if (!gpu) return null;
    if (!gpu.available) return `No GPU: ${gpu.reason}`;
    const name = gpu.description || [gpu.vendor, gpu.architecture, gpu.device].filter(Boolean).join(' ');
    return `${name || 'GPU adapter'} (${gpu.backend} · ${gpu.engineBackend})`;
  });
  /** A driver emulating a GPU on the CPU (Mesa's lavapipe, SwiftShader), as the host reports it. */
  const gpuIsSoftware = computed(() => {
    const gpu = report.value?.gpu;
    return gpu?.available === true && gpu.software;
  });
  const cpuLabel = computed(() => {
    const cpu = report.value?.cpu;
    return cpu ? `${cpu.model} · ${cpu.cores} core${cpu.cores === 1 ? '' : 's'}` : null;
  });

  async function detect(refresh = false) {
    if (detecting.value) return;
    detecting.value = true;
    error.value = null;
    try {
      report.value = await lab.devices.detect({ refresh });
    } catch (caught) {
      error.value = errorMessage(caught);
    } finally {
      detecting.value = false;
    }
  }

  return { report, detecting, error, gpuAvailable, gpuIsSoftware, gpuLabel, cpuLabel, detect };
});
