// libFuzzer target: any bytes through the source checks, the Markdown parser, the workflow parser and the
// generator. Besides the sanitizers' checks it asserts what compile promises for every accepted input:
// the skill name is a valid AgentSkills name, and skill.json reads back into the same workflow.
// Build and run: docs/testing.md ("Fuzzing").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/manifest.h"
#include "common/text.h"
#include "compiler/generator.h"
#include "compiler/parser.h"
#include "compiler/source.h"
#include "tests/unit/support.h"

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace df::compiler;
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    Diagnostics diags;
    const SourceFile source("fuzz.md", raw, diags);
    if (!source.usable()) return 0;
    df::Manifest manifest;
    manifest.workflow = parse_workflow(source, diags);
    for (const auto& d : diags.all()) (void)format_diagnostic(d, source, false);
    if (diags.has_errors()) return 0;

    check(df::is_valid_slug(manifest.workflow.name));
    df::test::drop_columns(manifest.workflow);
    const auto back = df::read_manifest(df::write_manifest(manifest), "skill.json");
    check(back && *back == manifest);
    const auto files = generate_skill(manifest, diags);
    check(!files.empty() && files.front().path == "SKILL.md");
    check(!df::find_invalid_utf8(files.front().content));
    return 0;
}
