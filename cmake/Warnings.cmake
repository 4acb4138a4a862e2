# Warnings every target of ours gets. -Werror stays off so a newer compiler's new warning
# cannot break a user's build; CI reads the warnings instead.
function(fleetsizer_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor)
endfunction()
