#pragma once
// The one XML escaper of the command line: the HTML report and its inline SVG charts
// (tools/report/) and the JUnit XML of `trsim check --junit` (tools/cli_output.cpp) use it.
#include <string>
#include <string_view>

namespace trsim::report {

/// Text escaped for HTML and XML element content and attribute values: & < > " ' become &amp;
/// &lt; &gt; &quot; &#39; (the numeric form, which HTML 4 knows too, unlike &apos;), a line feed
/// becomes &#10; (kept inside an attribute value), a tab stays, and the other control characters,
/// which XML 1.0 does not allow at all, are dropped.
std::string escape_xml(std::string_view text);

}  // namespace trsim::report
