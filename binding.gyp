# The npm build: the agent addon (build/Release/leakscope.node) and the `leakscope` command
# (build/Release/leakscope), from one set of objects. scripts/layers.js reads src/layers.json and
# answers which layers each face needs, so no layer or file is named here and a new one is built
# without editing this file: leakscope_engine holds every layer the addon needs, leakscope-cli-layers
# those only the CLI needs; each face links the libraries and the linker takes the objects it calls.
# A layer's "generated" sources (layers.json) are made by an action of its library.
# make starts the targets in the order of their names, and live/ (Boost.Beast) is the slowest file
# by far: "-" sorts its library first, so that it compiles beside the others, not after them.
#
# The warnings are CMake's (layers.json). Third-party headers come in as system headers (-isystem),
# so the warnings judge our code, not theirs: Node's, node-addon-api's, and the header-only
# libraries the package carries in vendor/include (fmt, CLI11, nlohmann-json, the Boost headers
# attach uses; copied in by scripts/vendor-headers.js at pack time). In a source checkout without
# vendor/, the compiler finds them in /usr/include (the Debian -dev packages), as CMake does.
# node's common.gypi turns off -Wunused-parameter, which CMake keeps, so that is taken back out.
{
  "target_defaults": {
    "include_dirs": ["src"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
                "FMT_HEADER_ONLY"],
    "cflags!": ["-fno-exceptions", "-Wno-unused-parameter"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
    "cflags_cc": ["-std=c++20", "-fexceptions", "-frtti", "-O2", "-fPIC", "-fvisibility=hidden",
                  "-isystem", "<(module_root_dir)/vendor/include",
                  "-isystem", "<(node_root_dir)/include/node",
                  "-isystem", "<!(node -p \"require('path').resolve(require('node-addon-api').include_dir)\")",
                  "<!@(node scripts/layers.js warnings)"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++20",
      "OTHER_CPLUSPLUSFLAGS": ["-fexceptions", "-frtti", "-isystem", "<(module_root_dir)/vendor/include",
                               "<!@(node scripts/layers.js warnings)"]
    }
  },
  "targets": [
    {
      "target_name": "leakscope_engine",
      "type": "static_library",
      "sources": ["<!@(node scripts/layers.js sources --needed-by addon)"],
      "conditions": [
        ["<!(node scripts/layers.js generated-count --needed-by addon)!=0", {
          "actions": [{
            "action_name": "leakscope_engine_generated",
            "inputs": ["<!@(node scripts/layers.js generated-inputs --needed-by addon)"],
            "outputs": ["<!@(node scripts/layers.js generated-outputs --needed-by addon)"],
            "action": ["node", "scripts/layers.js", "generate", "--dir", "<(SHARED_INTERMEDIATE_DIR)/leakscope",
                       "--needed-by", "addon"],
            "process_outputs_as_sources": 1
          }]
        }]
      ]
    },
    {
      "target_name": "leakscope-cli-layers",
      "type": "static_library",
      "sources": ["<!@(node scripts/layers.js sources --needed-by cli --not-needed-by addon)"],
      "dependencies": ["leakscope_engine"],
      "conditions": [
        ["<!(node scripts/layers.js generated-count --needed-by cli --not-needed-by addon)!=0", {
          "actions": [{
            "action_name": "leakscope-cli-layers-generated",
            "inputs": ["<!@(node scripts/layers.js generated-inputs --needed-by cli --not-needed-by addon)"],
            "outputs": ["<!@(node scripts/layers.js generated-outputs --needed-by cli --not-needed-by addon)"],
            "action": ["node", "scripts/layers.js", "generate", "--dir", "<(SHARED_INTERMEDIATE_DIR)/leakscope",
                       "--needed-by", "cli", "--not-needed-by", "addon"],
            "process_outputs_as_sources": 1
          }]
        }]
      ]
    },
    {
      "target_name": "leakscope",
      "sources": ["<!@(node scripts/layers.js sources addon)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["leakscope_engine"]
    },
    {
      "target_name": "leakscope_cli",
      "type": "executable",
      "product_name": "leakscope",
      "sources": ["<!@(node scripts/layers.js sources cli)"],
      "dependencies": ["leakscope-cli-layers", "leakscope_engine"]
    }
  ],
  "conditions": [
    ["OS=='linux'", {
      "targets": [
        {
          # The native allocation sampler `leakscope native` preloads into the app
          # (build/Release/libleakscope-preload.so, beside the CLI). It links the C and C++
          # runtimes only; frame pointers, since its unwinder starts from its own frame.
          "target_name": "leakscope-preload",
          "type": "shared_library",
          "product_prefix": "lib",
          "product_dir": "<(PRODUCT_DIR)",
          "sources": ["<!@(node scripts/layers.js sources preload)"],
          "cflags_cc": ["-fno-omit-frame-pointer"],
          "ldflags": ["-Wl,-z,defs"],
          "libraries": ["-ldl", "-lm", "-lpthread"]
        }
      ]
    }]
  ]
}
