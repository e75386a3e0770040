// Entry points of include/tapegrad/ops/special_ops.h: host loops over the scalar functions of
// special_scalar.h in float64 (results rounded to the input's floating dtype; integer and bool
// inputs compute in the default dtype, as torch's), and the autograd nodes torch records.
#include <tapegrad/ops/special_ops.h>

#include <cmath>
#include <functional>
#include <unordered_map>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/ops/math_extra.h>
#include <tapegrad/ops/memory_format.h>
#include <tapegrad/ops/output_layout.h>

#include "common.h"
#include "special_scalar.h"

namespace tapegrad {

using namespace detail;

namespace {

DType float_dtype(DType dt) { return is_floating(dt) ? dt : default_dtype(); }

// The dtype a host loop runs in: float16/bfloat16 compute in float32 and round once at the end
// (torch's opmath) where torch has a half kernel (half_ok); otherwise the dtype itself, so
// dispatch_floating raises torch's "<what>" not implemented for 'Half'.
DType loop_dtype(DType dt, bool half_ok) {
  return half_ok && (dt == DType::Float16 || dt == DType::BFloat16) ? DType::Float32 : dt;
}

// f over every element of x (no history).
Tensor host_unary(const Tensor& x, const char* what, const std::function<double(double)>& f,
                  bool half_ok = false) {
  const DType out_dt = float_dtype(x.dtype());
  const DType dt = loop_dtype(out_dt, half_ok);
  NoGradGuard ng;
  // A dense input (a transposed or channels-last one too) is mapped over its memory in place
  // of order, and the result keeps its layout, as torch's unary ops do; others go contiguous.
  Tensor in = on_host(to(detach(x), dt, false, MemoryFormat::Preserve));
  if (!is_non_overlapping_and_dense(in)) in = contiguous(in);
  Tensor host = empty_with_strides(in.sizes(), in.strides(), dt, Device());
  dispatch_floating(dt, what, [&](auto tag) {
    using T = decltype(tag);
    const T* src = in.data<T>();
    T* dst = host.data<T>();
    const int64_t n = in.numel();
    for (int64_t k = 0; k < n; ++k) dst[k] = T(f(double(src[k])));
  });
  if (dt != out_dt) host = to(host, out_dt, false, MemoryFormat::Preserve);
  return x.device().is_cpu() ? host : to(host, x.device(), out_dt);
}

// f over the broadcast of a and b in their promoted floating dtype (no history).
Tensor host_binary(const Tensor& a, const Tensor& b, const char* what,
                   const std::function<double(double, double)>& f, bool half_ok = false) {
  check_same_device(a, b, nullptr);
  const DType out_dt = float_dtype(promoted_dtype(a, b));
  const DType dt = loop_dtype(out_dt, half_ok);
  const Shape shape = broadcast_shapes(a.sizes(), b.sizes());
  const Device dev = a.impl()->wrapped_number ? b.device() : a.device();
  NoGradGuard ng;
  Tensor ia = contiguous(expand(on_host(to(detach(a), dt)), shape));
  Tensor ib = contiguous(expand(on_host(to(detach(b), dt)), shape));
  Tensor host = empty(shape, dt);
  dispatch_floating(dt, what, [&](auto tag) {
    using T = decltype(tag);
    const T* pa = ia.data<T>();
    const T* pb = ib.data<T>();
    T* dst = host.data<T>();
    const int64_t n = host.numel();
    for (int64_t k = 0; k < n; ++k) dst[k] = T(f(double(pa[k]), double(pb[k])));
  });
  if (dt != out_dt) host = to(host, out_dt);
  return dev.is_cpu() ? host : to(host, dev, out_dt);
}

// A unary node saving self and/or result (in that order).
Tensor record_unary(OpId op, const Tensor& x, Tensor out, bool save_self, bool save_result) {
  if (auto node = maybe_node(op, {x})) {
    if (save_self) node->saved.emplace_back(x, false);
    set_history(out, node);
    if (save_result) node->saved.emplace_back(out, true);
  }
  return out;
}

// A binary row whose operand may be a Python number: a number operand gets no edge, and the
// node is torch's Backward1 (number self) or Backward2 (number other). saved: self, other
// (a number is kept in f[0], its int-ness in i[0]).
Tensor record_binary(OpId both, OpId num_self, OpId num_other, const Tensor& a, const Tensor& b,
                     Tensor out) {
  const bool na = a.impl()->wrapped_number, nb = b.impl()->wrapped_number;
  std::shared_ptr<Node> node;
  if (na) node = maybe_node(num_self, {b});
  else if (nb) node = maybe_node(num_other, {a});
  else node = maybe_node(both, {a, b});
  if (!node) return out;
  // the number in f[0]; i[0] says whether it was an int (grad_fn._saved_self shows 2, not 2.0)
  const Tensor& number = na ? a : b;
  if (na || nb) {
    node->f = {item(number).to_double()};
    node->i = {is_floating(number.dtype()) ? 0 : 1};
  }
  if (!na) node->saved.emplace_back(a, false);
  if (!nb) node->saved.emplace_back(b, false);
  set_history(out, node);
  return out;
}

}  // namespace

Tensor i0(const Tensor& x) {
  return record_unary(OpId::I0, x, host_unary(x, "i0", [](double v) { return sfn::bessel_i(0, v); }, true),
                      true, false);
}
Tensor special_i0e(const Tensor& x) {
  return record_unary(OpId::SpecialI0e, x,
                      host_unary(x, "special_i0e", [](double v) { return sfn::bessel_ie(0, v); }, true),
                      true, true);
}
Tensor special_i1(const Tensor& x) {
  return record_unary(OpId::SpecialI1, x,
                      host_unary(x, "special_i1", [](double v) { return sfn::bessel_i(1, v); }, true),
                      true, true);
}
Tensor special_i1e(const Tensor& x) {
  return record_unary(OpId::SpecialI1e, x,
                      host_unary(x, "special_i1e", [](double v) { return sfn::bessel_ie(1, v); }, true),
                      true, true);
}
Tensor special_ndtri(const Tensor& x) {
  return record_unary(OpId::SpecialNdtri, x, host_unary(x, "ndtri_cpu", sfn::ndtri), false,
                      true);
}
Tensor special_log_ndtr(const Tensor& x) {
  return record_unary(OpId::SpecialLogNdtr, x, host_unary(x, "log_ndtr_cpu", sfn::log_ndtr),
                      true, true);
}
Tensor special_erfcx(const Tensor& x) {
  return record_unary(OpId::SpecialErfcx, x, host_unary(x, "erfcx_cpu", sfn::erfcx), true,
                      true);
}
Tensor special_entr(const Tensor& x) {
  return record_unary(OpId::SpecialEntr, x, host_unary(x, "special_entr", sfn::entr, true), true, false);
}

Tensor special_xlog1py(const Tensor& a, const Tensor& b) {
  return record_binary(OpId::SpecialXlog1py, OpId::SpecialXlog1pyScalarSelf,
                       OpId::SpecialXlog1pyScalarOther, a, b,
                       host_binary(a, b, "special_xlog1py", sfn::xlog1py, true));
}
Tensor special_zeta(const Tensor& a, const Tensor& b) {
  return record_binary(OpId::SpecialZeta, OpId::SpecialZetaScalarSelf, OpId::SpecialZetaScalarOther,
                       a, b, host_binary(a, b, "zeta_cpu", sfn::zeta));
}

// torch's igamma/igammac kernels take floating dtypes only: two integer or bool operands
// (whose promoted dtype is not floating) are refused, where other special functions compute
// in the default float dtype.
static void check_igamma_dtype(const Tensor& a, const Tensor& x, const char* what) {
  const DType p = promoted_dtype(a, x);
  TG_CHECK_KIND(NotImplemented, is_floating(p), "\"", what, "_cpu\" not implemented for '",
                dtype_legacy_name(p), "'");
}

Tensor igamma(const Tensor& a, const Tensor& x) {
  check_igamma_dtype(a, x, "igamma");
  Tensor out = host_binary(a, x, "igamma", sfn::igamma, true);
  if (auto node = maybe_node(OpId::Igamma, {a, x})) {
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(x, false);
    set_history(out, node);
  }
  return out;
}
Tensor igammac(const Tensor& a, const Tensor& x) {
  check_igamma_dtype(a, x, "igammac");
  Tensor out = host_binary(a, x, "igammac", sfn::igammac, true);
  if (auto node = maybe_node(OpId::Igammac, {a, x})) {
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(x, false);
    set_history(out, node);
  }
  return out;
}

// sum_{i<p} lgamma(x - i/2) + p (p-1)/4 log(pi), as one node (torch's MvlgammaBackward0).
Tensor mvlgamma(const Tensor& x, int64_t p) {
  TG_CHECK(x.dtype() != DType::Bool, "The input tensor may not be a boolean tensor.");
  TG_CHECK(p >= 1, "p has to be greater than or equal to 1");
  Tensor out;
  {
    NoGradGuard ng;
    // torch's form: lgamma of x + arange(-(p - 1) / 2, 1/2, 1/2) summed over the new last dim
    // (one pass, not p; a huge p fails at torch's allocation instead of looping for ever)
    Tensor xd = detach(x);
    const DType dt = is_floating(x.dtype()) ? x.dtype() : default_dtype();
    Tensor args = arange(-0.5 * static_cast<double>(p) + 0.5, 0.5, 0.5, dt);
    out = sum(lgamma(add(unsqueeze(xd, -1), args)), {xd.dim()}, false);
    out = add(out, wrapped_scalar(static_cast<double>(p * (p - 1)) * std::log(M_PI) * 0.25));
  }
  if (auto node = maybe_node(OpId::Mvlgamma, {x})) {
    node->saved.emplace_back(x, false);
    node->i = {p};
    set_history(out, node);
  }
  return out;
}

Tensor special_no_grad(const std::string& name, const Tensor& x) {
  using F = double (*)(double);
  static const std::unordered_map<std::string, F> table = {
      {"bessel_j0", sfn::bessel_j0},
      {"bessel_j1", sfn::bessel_j1},
      {"bessel_y0", sfn::bessel_y0},
      {"bessel_y1", sfn::bessel_y1},
      {"modified_bessel_i0", [](double v) { return sfn::bessel_i(0, v); }},
      {"modified_bessel_i1", [](double v) { return sfn::bessel_i(1, v); }},
      {"modified_bessel_k0", [](double v) { return sfn::bessel_k(0, v, false); }},
      {"modified_bessel_k1", [](double v) { return sfn::bessel_k(1, v, false); }},
      {"scaled_modified_bessel_k0", [](double v) { return sfn::bessel_k(0, v, true); }},
      {"scaled_modified_bessel_k1", [](double v) { return sfn::bessel_k(1, v, true); }},
      {"spherical_bessel_j0", sfn::spherical_bessel_j0},
      {"airy_ai", sfn::airy_ai},
  };
  auto it = table.find(name);
  TG_CHECK(it != table.end(), "special_no_grad: unknown function ", name);
  return host_unary(x, (name + "_cpu").c_str(), it->second);
}

Tensor special_polynomial(const std::string& name, const Tensor& x, const Tensor& n) {
  static const std::unordered_map<std::string, sfn::Poly> table = {
      {"chebyshev_polynomial_t", sfn::Poly::ChebT},
      {"chebyshev_polynomial_u", sfn::Poly::ChebU},
      {"chebyshev_polynomial_v", sfn::Poly::ChebV},
      {"chebyshev_polynomial_w", sfn::Poly::ChebW},
      {"shifted_chebyshev_polynomial_t", sfn::Poly::SChebT},
      {"shifted_chebyshev_polynomial_u", sfn::Poly::SChebU},
      {"shifted_chebyshev_polynomial_v", sfn::Poly::SChebV},
      {"shifted_chebyshev_polynomial_w", sfn::Poly::SChebW},
      {"hermite_polynomial_h", sfn::Poly::HermiteH},
      {"hermite_polynomial_he", sfn::Poly::HermiteHe},
      {"laguerre_polynomial_l", sfn::Poly::Laguerre},
      {"legendre_polynomial_p", sfn::Poly::Legendre},
  };
  auto it = table.find(name);
  TG_CHECK(it != table.end(), "special_polynomial: unknown function ", name);
  const sfn::Poly kind = it->second;
  return host_binary(x, n, (name + "_cpu").c_str(), [kind](double v, double deg) {
    // torch casts the degree to int64 in the kernel; NaN / out-of-range degrees give NaN here
    if (std::isnan(deg) || std::fabs(deg) > 9.2e18) return std::nan("");
    return sfn::poly(kind, v, int64_t(deg));
  });
}

}  // namespace tapegrad
