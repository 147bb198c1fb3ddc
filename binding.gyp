{
  # MSVC build of the addon on Windows. Off Windows there is nothing to build:
  # the target is type "none" so `npm install` succeeds and the JS layer reports
  # ERR_WINSOCK_UNSUPPORTED_PLATFORM. The Linux cross-build (mingw-w64) lives in
  # scripts/build.mjs; the cmake-js build in CMakeLists.txt. All three take the
  # sources and definitions from addon_build.gypi (plain JSON, so CMake and the
  # mingw build read it too).
  "includes": ["addon_build.gypi"],
  "targets": [
    {
      "target_name": "winsock_connect",
      "conditions": [
        ["OS=='win'", {
          "type": "loadable_module",
          "sources": ["<@(addon_sources)"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native/include"],
          # _HAS_EXCEPTIONS=1 with ExceptionHandling (/EHsc) below: Node's common.gypi
          # sets _HAS_EXCEPTIONS=0, and node-addon-api's C++ exceptions need both.
          "defines": ["<@(addon_defines)", "_HAS_EXCEPTIONS=1"],
          "libraries": ["ws2_32.lib", "advapi32.lib", "user32.lib"],
          "msvs_settings": {
            "VCCLCompilerTool": {
              "ExceptionHandling": 1,
              # No C++ standard flag of our own: Node 22+'s common.gypi passes one (C++20), and a second conflicts.
              "AdditionalOptions": ["/guard:cf", "/sdl", "/W4"]
            },
            "VCLinkerTool": {
              "AdditionalOptions": ["/guard:cf"]
            }
          }
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
