// Devices: a type (cpu, cuda) and an index. Every tensor carries one, even while only the CPU
// exists in a build, so that later device work changes no signatures.
#pragma once
#include <cstdint>
#include <string>

#include <tapegrad/core/check.h>

namespace tapegrad {

enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };

struct Device {
  DeviceType type = DeviceType::CPU;
  int8_t index = -1;  // -1: the current device of that type
  Device() = default;
  Device(DeviceType t, int i = -1) : type(t), index(static_cast<int8_t>(i)) {}
  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const {
    std::string s = type == DeviceType::CPU ? "cpu" : "cuda";
    if (index >= 0) s += ":" + std::to_string(index);
    return s;
  }
};

inline Device parse_device(const std::string& s) {
  auto colon = s.find(':');
  std::string kind = s.substr(0, colon);
  int index = -1;
  if (colon != std::string::npos) {
    try {
      index = std::stoi(s.substr(colon + 1));
    } catch (...) {
      TG_ERROR("Invalid device string: '", s, "'");
    }
  }
  if (kind == "cpu") return Device(DeviceType::CPU, index);
  if (kind == "cuda") return Device(DeviceType::CUDA, index < 0 ? 0 : index);
  TG_ERROR("Expected one of cpu, cuda device type at start of device string: ", s);
}

}  // namespace tapegrad
