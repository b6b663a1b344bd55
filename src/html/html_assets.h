// The report's assets, compiled into the binary from html_assets.cc, which
// scripts/embed-assets.js generates at build time (uPlot from npm, its licence, report.js and
// report.css). Each asset is a list of string pieces; embedded_asset() joins them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leakscope::html {

struct EmbeddedAsset {
  const char* name;  // "uplot.js", "uplot.css", "uplot.license", "report.js", "report.css"
  const char* const* parts;
  std::size_t part_count;
};

extern const EmbeddedAsset kEmbeddedAssets[];
extern const std::size_t kEmbeddedAssetCount;
extern const char* const kUplotVersion;

// The asset's text; throws std::logic_error when the build embedded no such asset.
std::string embedded_asset(std::string_view name);

}  // namespace leakscope::html
