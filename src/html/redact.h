// `report --redact`: the text a heap snapshot holds never reaches the HTML file. Snapshots carry
// string values (request headers, tokens), Map and Set keys and object keys built from data
// (`cache[token] = ...`), and leakscope prints those inside class names, retainer paths and holder
// accessors. What is kept is what the program's own source names: identifiers (`Session`,
// `.sessions`, `->cache`, `(closure)`), numbers and leakscope's punctuation.
//
// Precisely, in each redacted string:
//  - every double-quoted part ("a string value", ["a key"], {"a quoted name"}) is replaced,
//    quotes included;
//  - every word (a run of letters, digits, _, $, non-ASCII characters and inner hyphens) is
//    replaced unless it is all digits, or an ASCII identifier of at most 32 characters with at
//    most 4 digits (longer or digit-heavy identifiers look like tokens: `ghp_16C7e42F...`);
//  - the replacement is `‹redacted N chars #hhhhhh›`: N characters (code points) and the first
//    six hex digits of the text's FNV-1a hash, so equal strings can still be matched up.
// Which fields are redacted: every string of the leaks, summary and diff documents except the
// snapshot file names, node types and source script names (the user's own files and V8's
// vocabulary). The watch and gclog documents hold no heap text; the app's own output lines that
// gclog keeps as unknown_samples are dropped from the page in any case.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace leakscope::html {

std::string redaction_token(std::string_view text);  // "‹redacted 12 chars #a1b2c3›"
std::string redact_heap_text(std::string_view text);
// Every string in the document, in place, but for the fields named above.
void redact_heap_document(nlohmann::json& document);

}  // namespace leakscope::html
