# ASan + UBSan for the debug preset: numeric code hides out-of-range indexing and
# signed overflow that only a sanitizer sees.
option(FLEETSIZER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(FLEETSIZER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
