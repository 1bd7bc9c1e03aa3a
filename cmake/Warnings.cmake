# Warnings live on an INTERFACE target so that only our own targets get them.
add_library(trsim_warnings INTERFACE)
target_compile_options(trsim_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(TRSIM_WARNINGS_AS_ERRORS)
  target_compile_options(trsim_warnings INTERFACE -Werror)
endif()

# Sanitizers for the whole build (a separate build directory in CI).
if(TRSIM_SANITIZE)
  # GCC's flow warnings are unreliable under the sanitizers' instrumentation (false
  # maybe-uninitialized in std::variant): the sanitizer build checks behaviour, not warnings.
  add_compile_options(-Wno-maybe-uninitialized)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# libFuzzer (clang only): everything is instrumented for coverage and checked by ASan + UBSan;
# only the fuzz executables link the fuzzer's main (fuzz/CMakeLists.txt).
if(TRSIM_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
