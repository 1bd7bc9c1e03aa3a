// libFuzzer entry point: see trsim::fuzz::report_input in targets.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  trsim::fuzz::report_input(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
