# Included by CMakeLists.txt for mingw-w64: binds Node-API the way scripts/build.mjs
# does. node.exe's napi_* exports become DELAY imports (dlltool -y), and
# native/mingw/delay_load_hook.cc resolves them against the host process, so the
# addon also loads in a renamed node.exe or Electron. Linked -static: no
# libstdc++/libwinpthread DLLs to ship next to the .node file.

# The .def cmake-js itself uses on Windows (node-api-headers' def_paths.node_api_def).
if(CMAKE_JS_NODELIB_DEF)
  set(NODE_API_DEF "${CMAKE_JS_NODELIB_DEF}")
else()
  execute_process(
    COMMAND node -p "require('node-api-headers').def_paths.node_api_def"
    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
    OUTPUT_VARIABLE NODE_API_DEF
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE node_api_def_status)
  if(NOT node_api_def_status EQUAL 0 OR NOT EXISTS "${NODE_API_DEF}")
    message(FATAL_ERROR "node-api-headers' node_api.def not found (npm install first): ${NODE_API_DEF}")
  endif()
endif()

if(NOT CMAKE_DLLTOOL)
  find_program(CMAKE_DLLTOOL NAMES x86_64-w64-mingw32-dlltool dlltool REQUIRED)
endif()

set(NODE_API_DELAY_LIB "${CMAKE_CURRENT_BINARY_DIR}/libnode_api_delay.a")
add_custom_command(
  OUTPUT "${NODE_API_DELAY_LIB}"
  COMMAND "${CMAKE_DLLTOOL}" -d "${NODE_API_DEF}" -y "${NODE_API_DELAY_LIB}" -D node.exe
  DEPENDS "${NODE_API_DEF}"
  COMMENT "Delay-import library for node.exe's Node-API exports"
  VERBATIM)
add_custom_target(node_api_delay_lib DEPENDS "${NODE_API_DELAY_LIB}")
add_dependencies(winsock_connect node_api_delay_lib)

target_sources(winsock_connect PRIVATE native/mingw/delay_load_hook.cc)
# scripts/build.mjs's flags; -O2 comes after (so wins over) the Release config's -O3.
target_compile_options(winsock_connect PRIVATE
  -O2 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
# The delay-import library before -ldelayimp, which holds __delayLoadHelper2.
target_link_libraries(winsock_connect PRIVATE "${NODE_API_DELAY_LIB}" delayimp)
target_link_options(winsock_connect PRIVATE -static -s -Wl,--no-undefined)
