# The agent addon. The engine comes from src/layers.json through scripts/layers.js, one static
# library per layer as in CMake, compiled with the warnings CMake uses; the linker then takes from
# them only the objects the addon calls. Node's and node-addon-api's headers are system headers
# (-isystem), so the warnings judge our code, not theirs; node's common.gypi turns off
# -Wunused-parameter, which CMake keeps, so that is taken back out.
{
  "target_defaults": {
    "include_dirs": ["src"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
                "FMT_HEADER_ONLY"],
    "cflags!": ["-fno-exceptions", "-Wno-unused-parameter"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
    "cflags_cc": ["-std=c++20", "-fexceptions", "-frtti", "-O2", "-fPIC", "-fvisibility=hidden",
                  "-isystem", "<(node_root_dir)/include/node",
                  "-isystem", "<!(node -p \"require('path').resolve(require('node-addon-api').include_dir)\")",
                  "<!@(node scripts/layers.js warnings)"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++20",
      "OTHER_CPLUSPLUSFLAGS": ["-fexceptions", "-frtti", "<!@(node scripts/layers.js warnings)"]
    }
  },
  "targets": [
    {"target_name": "leakscope_heap", "type": "static_library",
     "sources": ["<!@(node scripts/layers.js sources heap)"]},
    {"target_name": "leakscope_analysis", "type": "static_library",
     "sources": ["<!@(node scripts/layers.js sources analysis)"]},
    {"target_name": "leakscope_series", "type": "static_library",
     "sources": ["<!@(node scripts/layers.js sources series)"]},
    {"target_name": "leakscope_report", "type": "static_library",
     "sources": ["<!@(node scripts/layers.js sources report)"]},
    {
      "target_name": "leakscope",
      "sources": ["<!@(node scripts/layers.js sources addon)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["leakscope_heap", "leakscope_analysis", "leakscope_series",
                       "leakscope_report"]
    }
  ]
}
