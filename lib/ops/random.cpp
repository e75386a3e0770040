// In-place random fills (uniform_, normal_, bernoulli_), as nn.init and dropout use them. On a
// tensor with history they record torch's node, whose gradient is zero (the old value is gone).
#include <tapegrad/kernels/dispatch.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

// Runs fill(t) on a contiguous tensor of a's dtype and writes it into a.
template <class F>
Tensor& random_fill_(OpId op, Tensor& a, F&& fill) {
  check_inplace(a);
  std::shared_ptr<Node> node;
  if (any_requires_grad({a})) node = make_node(op, {a});
  if (a.is_contiguous()) {
    fill(a);
  } else {
    Tensor tmp = empty(a.sizes(), a.dtype(), a.device());
    fill(tmp);
    kern::copy(a, tmp);
  }
  a.bump_version();
  rebase_history(a, node);
  return a;
}

// torch's uniform_ for float16/bfloat16 draws in float and rounds; a draw that rounds up to `to`
// itself becomes `from`, so the range stays half-open (rand(dtype=half) never returns 1).
void reduced_top_to_from(const Tensor& t, double from, double to) {
  if (t.dtype() != DType::Float16 && t.dtype() != DType::BFloat16) return;
  NoGradGuard ng;
  Tensor out = t;
  masked_fill_(out, compare(CmpId::Eq, t, wrapped_scalar(to)), Scalar(from));
}

}  // namespace

Tensor& uniform_(Tensor& a, double from, double to) {
  if (!is_floating(a.dtype()))
    TG_DTYPE_UNSUPPORTED("check_uniform_bounds", a.dtype());
  TG_CHECK(from <= to, "uniform_ expects to return a [from, to) range, but found from=", from,
           " > to=", to);
  return random_fill_(OpId::Uniform, a, [&](const Tensor& t) {
    kern::uniform(t, from, to);
    reduced_top_to_from(t, from, to);
  });
}

Tensor& normal_(Tensor& a, double mean, double sd) {
  if (!is_floating(a.dtype())) TG_DTYPE_UNSUPPORTED("normal_kernel_cpu", a.dtype());
  TG_CHECK(sd >= 0.0, "normal expects std >= 0.0, but found std ", sd);
  return random_fill_(OpId::Normal, a, [&](const Tensor& t) { kern::normal(t, mean, sd); });
}

Tensor& bernoulli_(Tensor& a, double p) {
  TG_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  return random_fill_(OpId::Bernoulli, a, [&](const Tensor& t) {
    Tensor u = empty(t.sizes(), DType::Float64, t.device());
    kern::uniform(u, 0, 1);
    Tensor keep = empty(t.sizes(), DType::Bool, t.device());
    kern::compare(CmpId::Lt, keep, u, scalar_tensor(p, DType::Float64));
    kern::copy(t, keep);
  });
}

}  // namespace tapegrad
