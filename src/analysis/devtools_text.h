// The text rules DevTools applies when it names things, in one place for the class names
// (class_index.cc) and the object and edge labels (node_names.cc): they must quote and count
// alike, or one snapshot shows a property one way in the Summary and another way in a path.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leakscope {

// Length in UTF-16 code units, what JS's .length counts and DevTools' name limits use, of UTF-8
// or WTF-8 text: a supplementary character counts 2, a lone surrogate 1.
size_t utf16_length(std::string_view text);

// JSON.stringify(text), quotes included, as JS engines write it since ES2019: \" \\ \b \f \n \r
// \t, other controls as \u00xx, and lone surrogates (WTF-8 in the model) as \udxxx.
std::string json_stringify(std::string_view text);

// A property name as DevTools prints it in "{a, b}" names: JSON.stringify'd when it holds one of
// , ' " { } (which would make the list ambiguous), else as is.
std::string devtools_property_name(std::string_view name);

}  // namespace leakscope
