// Argument reading for the addon's N-API functions: each call checks its arguments and throws
// a TypeError or RangeError naming the function and the argument, never reading out of bounds.
// (addon.cc's older sgemm/adamUpdate glue keeps its own helpers.)
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace nnlab {

class CallArgs {
 public:
  static constexpr size_t kMax = 20;

  CallArgs(napi_env env, const char* fn) : env_(env), fn_(fn) {}

  // Reads exactly `want` arguments; false (with a TypeError thrown) otherwise.
  bool read(napi_callback_info info, size_t want) {
    size_t argc = want;
    if (want > kMax || napi_get_cb_info(env_, info, &argc, argv_, nullptr, nullptr) != napi_ok || argc != want)
      return fail_type("expected " + std::to_string(want) + " arguments");
    return true;
  }

  bool fail_range(const std::string& what) const {
    napi_throw_range_error(env_, nullptr, (std::string(fn_) + ": " + what).c_str());
    return false;
  }

  bool fail_type(const std::string& what) const {
    napi_throw_type_error(env_, nullptr, (std::string(fn_) + ": " + what).c_str());
    return false;
  }

  // An integer in [lo, hi].
  bool integer(size_t i, const char* what, int64_t lo, int64_t* out, int64_t hi = int64_t{1} << 53) const {
    double d;
    if (napi_get_value_double(env_, argv_[i], &d) != napi_ok || !(d >= static_cast<double>(lo)) ||
        d > static_cast<double>(hi) || d != std::floor(d))
      return fail_range(std::string(what) + " must be an integer in [" + std::to_string(lo) + ", " +
                        std::to_string(hi) + "]");
    *out = static_cast<int64_t>(d);
    return true;
  }

  bool number(size_t i, const char* what, double* out, bool finite = false) const {
    if (napi_get_value_double(env_, argv_[i], out) != napi_ok || (finite && !std::isfinite(*out)))
      return fail_type(std::string(what) + (finite ? " must be a finite number" : " must be a number"));
    return true;
  }

  bool boolean(size_t i, const char* what, bool* out) const {
    if (napi_get_value_bool(env_, argv_[i], out) != napi_ok) return fail_type(std::string(what) + " must be a boolean");
    return true;
  }

  // A typed array of type `want`; with `optional`, null gives a null pointer and length 0.
  template <class T>
  bool array(size_t i, const char* what, napi_typedarray_type want, const char* type_name, T** data, int64_t* length,
             bool optional = false) const {
    napi_valuetype value_type;
    if (optional && napi_typeof(env_, argv_[i], &value_type) == napi_ok && value_type == napi_null) {
      *data = nullptr;
      *length = 0;
      return true;
    }
    bool is_ta = false;
    napi_typedarray_type type;
    size_t len;
    void* ptr;
    if (napi_is_typedarray(env_, argv_[i], &is_ta) != napi_ok || !is_ta ||
        napi_get_typedarray_info(env_, argv_[i], &type, &len, &ptr, nullptr, nullptr) != napi_ok || type != want)
      return fail_type(std::string(what) + " must be a " + type_name + (optional ? " or null" : ""));
    *data = static_cast<T*>(ptr);
    *length = static_cast<int64_t>(len);
    return true;
  }

  bool floats(size_t i, const char* what, float** data, int64_t* length, bool optional = false) const {
    return array(i, what, napi_float32_array, "Float32Array", data, length, optional);
  }

  // A Float32Array (or null, with `optional`) holding at least `need` elements.
  bool floats_of(size_t i, const char* what, int64_t need, float** data, bool optional = false) const {
    int64_t length;
    if (!floats(i, what, data, &length, optional)) return false;
    if (*data != nullptr && length < need)
      return fail_range(std::string(what) + " holds " + std::to_string(length) + " elements, fewer than " +
                        std::to_string(need));
    return true;
  }

 private:
  napi_env env_;
  const char* fn_;
  napi_value argv_[kMax];
};

inline napi_status set_function(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_status s = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  return s == napi_ok ? napi_set_named_property(env, exports, name, fn) : s;
}

}  // namespace nnlab
