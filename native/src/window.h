// The sliding-window kernels' N-API registration (window.cc), called from addon.cc's Init.
#pragma once

#include <node_api.h>

namespace nnlab {

// Adds im2col, col2im and maxPool2d to `exports`.
napi_status register_window(napi_env env, napi_value exports);

}  // namespace nnlab
