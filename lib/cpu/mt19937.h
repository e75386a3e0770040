// MT19937, the 32-bit Mersenne Twister of torch's CPU generator (Matsumoto and Nishimura, 1998:
// 624 words, regenerated together, each output tempered), with the words and position open for
// get_rng_state / set_rng_state. Internal to lib/cpu/random.cpp. Written here rather than
// std::mt19937 because libstdc++ regenerates the words in one loop with a modulo per word,
// which does not vectorise (rand of 1e6 floats took 2x torch's time); the three loops below do.
// The same sequence as std::mt19937 for the same seed.
#pragma once
#include <cstdint>

namespace tapegrad {
namespace kern {

class Mt19937 {
 public:
  static constexpr int kWords = 624, kShift = 397;

  explicit Mt19937(uint32_t s = 5489u) { seed(s); }

  void seed(uint32_t s) {
    w_[0] = s;
    for (int i = 1; i < kWords; ++i) w_[i] = 1812433253u * (w_[i - 1] ^ (w_[i - 1] >> 30)) + i;
    pos_ = kWords;
  }

  uint32_t operator()() {
    if (pos_ >= kWords) regenerate();
    uint32_t y = w_[pos_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
  }

  // The words and the index of the next one to use (kWords: the next draw regenerates).
  uint32_t word(int k) const { return w_[k]; }
  int position() const { return pos_; }
  void set_state(const uint32_t* words, int position) {
    for (int k = 0; k < kWords; ++k) w_[k] = words[k];
    pos_ = position;
  }

 private:
  // word i from its high bit, the low bits of word i + 1, and word i + kShift (all mod kWords),
  // the last one already regenerated when i + kShift wraps
  static uint32_t mix(uint32_t hi, uint32_t lo, uint32_t far) {
    const uint32_t y = (hi & 0x80000000u) | (lo & 0x7fffffffu);
    return far ^ (y >> 1) ^ ((0u - (y & 1u)) & 0x9908b0dfu);
  }
  void regenerate() {
    int i = 0;
    for (; i < kWords - kShift; ++i) w_[i] = mix(w_[i], w_[i + 1], w_[i + kShift]);
    for (; i < kWords - 1; ++i) w_[i] = mix(w_[i], w_[i + 1], w_[i + kShift - kWords]);
    w_[kWords - 1] = mix(w_[kWords - 1], w_[0], w_[kShift - 1]);
    pos_ = 0;
  }

  uint32_t w_[kWords];
  int pos_;
};

}  // namespace kern
}  // namespace tapegrad
