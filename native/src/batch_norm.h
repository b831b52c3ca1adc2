// The batch-normalization kernels' N-API registration (batch_norm.cc), called from addon.cc.
#pragma once

#include <node_api.h>

namespace nnlab {

// Adds batchNormForward and batchNormBackward to `exports`.
napi_status register_batch_norm(napi_env env, napi_value exports);

}  // namespace nnlab
