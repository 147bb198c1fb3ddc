# Toolchain file: cross-build the win32-x64 addon on Linux with Debian's mingw-w64.
#   npx cmake-js build --CDCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#     --cc x86_64-w64-mingw32-gcc-posix --cxx x86_64-w64-mingw32-g++-posix
# (scripts/build-cmake.mjs runs exactly that). The -posix compilers: the -win32
# flavour has no std::mutex, which node-addon-api needs.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${MINGW_TRIPLE}-windres)
set(CMAKE_DLLTOOL ${MINGW_TRIPLE}-dlltool)

# Headers and libraries from the mingw sysroot only; programs (node, dlltool) from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
