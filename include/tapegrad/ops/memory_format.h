// torch's memory formats: the layout a copy gets (clone, contiguous, to) and the layout tests
// (is_contiguous(memory_format=...)). Kept out of ops.h so that adding to it rebuilds only the
// files that use it.
#pragma once
#include <cstdint>

#include <tapegrad/core/tensor.h>

namespace tapegrad {

enum class MemoryFormat : uint8_t { Contiguous, Preserve, ChannelsLast, ChannelsLast3d };

// Dense strides of each format for `sizes` (channels last: C innermost, then W, H, (D), N;
// torch multiplies by the sizes as they are, so a zero size gives zero outer strides).
// ChannelsLast needs 4 dims, ChannelsLast3d 5 (torch's "required rank" error otherwise).
Shape format_strides(const Shape& sizes, MemoryFormat fmt);
// is_contiguous(memory_format=fmt); Preserve reads as Contiguous, as torch's does.
bool is_contiguous(const Tensor& a, MemoryFormat fmt);
// No two elements share memory and they fill one block (any order of the dims).
bool is_non_overlapping_and_dense(const Tensor& a);
// The format a's strides look like (channels last for NHWC-like 4-d / NDHWC-like 5-d strides).
MemoryFormat suggest_memory_format(const Tensor& a);
// Dense strides that keep the order of a's strides (torch's infer_dense_strides).
Shape infer_dense_strides(const Shape& sizes, const Shape& strides);
// The strides a copy of `a` in `fmt` gets: Preserve keeps a dense input's strides and otherwise
// orders the dims as `a` does; the other formats their own strides.
Shape copy_strides(const Tensor& a, MemoryFormat fmt);

Tensor clone(const Tensor& a, MemoryFormat fmt);
// `a` itself when it already is contiguous in fmt (Preserve: an error unless it is contiguous).
Tensor contiguous(const Tensor& a, MemoryFormat fmt);
// Tensor.to(dtype, copy=, memory_format=): `a` itself when nothing changes (same dtype, no copy,
// and fmt Preserve or the format a's strides suggest), else a copy laid out by copy_strides.
Tensor to(const Tensor& a, DType dt, bool copy, MemoryFormat fmt);
Tensor to(const Tensor& a, Device device, DType dt, bool copy, MemoryFormat fmt);

}  // namespace tapegrad
