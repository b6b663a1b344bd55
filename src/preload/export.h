// The library is built with -fvisibility=hidden: only the hooks are exported.
#pragma once

#define LEAKSCOPE_EXPORT __attribute__((visibility("default")))
