// The fused LSTM cell's N-API registration (lstm_cell.cc), called from addon.cc's Init.
#pragma once

#include <node_api.h>

namespace nnlab {

// Adds lstmCellForward to `exports`.
napi_status register_lstm_cell(napi_env env, napi_value exports);

}  // namespace nnlab
