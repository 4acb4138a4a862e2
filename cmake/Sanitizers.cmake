# ASan + UBSan for the debug preset: numeric code hides out-of-range indexing and
# signed overflow that only a sanitizer sees.
option(FLEETSIZER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(FLEETSIZER_SANITIZE)
  # GCC's `undefined` leaves out float-cast-overflow (a double past an integer's range cast to
  # it), the bug the fuzzers found in six readers: it is asked for by name.
  add_compile_options(-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined,float-cast-overflow)
  add_link_options(-fsanitize=address,undefined,float-cast-overflow)
endif()
