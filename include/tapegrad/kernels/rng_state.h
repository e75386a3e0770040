// The CPU generator's state in torch's byte layout (torch.get_rng_state / set_rng_state), so a
// state saved by torch restores here and the other way round. Layout (CPUGeneratorImplState,
// 5056 bytes, little-endian, natural alignment): u64 initial seed, i32 left, i32 seeded, u64
// next, u64 state[624], f64 normal_x, normal_y (the cached normal), normal_rho, i32
// normal_is_valid, f32 cached float normal, bool its validity.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tapegrad {
namespace kern {

constexpr size_t kRngStateBytes = 5056;
std::vector<uint8_t> get_rng_state();
void set_rng_state(const uint8_t* bytes, size_t n);  // torch's errors for a bad size or state

}  // namespace kern
}  // namespace tapegrad
