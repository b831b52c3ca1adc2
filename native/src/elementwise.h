// The elementwise kernels' N-API registration (elementwise.cc), called from addon.cc's Init.
#pragma once

#include <node_api.h>

namespace nnlab {

// Adds unaryOps, binaryOps, mapUnary, mapBinary and sumLeadingRows to `exports`.
napi_status register_elementwise(napi_env env, napi_value exports);

}  // namespace nnlab
