// The fused recurrent cells' N-API registration (recurrent_cells.cc), called from addon.cc.
#pragma once

#include <node_api.h>

namespace nnlab {

// Adds lstmCellForward and gruCellForward to `exports`.
napi_status register_recurrent_cells(napi_env env, napi_value exports);

}  // namespace nnlab
