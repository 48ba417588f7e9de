// Validating a skill folder before anything is changed anywhere.
#include <filesystem>
#include <sys/stat.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/text.h"
#include "deployer/internal.h"

namespace df::deployer {

Result<Skill> load_skill(const std::string& dir, bool force) {
    std::string clean = dir;
    while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
    struct stat st {};
    // The seed's quick start names the folder `output/<name>-skill/`; compile writes `output/<name>/`
    // (OpenClaw wants folder = skill name), so the old spelling finds the folder it means.
    constexpr std::string_view kSeedSuffix = "-skill";
    if (::stat(clean.c_str(), &st) != 0 && clean.size() > kSeedSuffix.size() &&
        clean.ends_with(kSeedSuffix)) {
        const std::string named = clean.substr(0, clean.size() - kSeedSuffix.size());
        if (::stat((named + "/skill.json").c_str(), &st) == 0) clean = named;
    }
    if (::stat(clean.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return Error{ExitCode::no_input,
                     fmt::format("'{}' is not a folder; pass the skill folders compile made", dir)};
    }
    auto manifest = load_manifest(clean);
    if (!manifest) return manifest.error();
    Skill skill{clean, manifest->workflow.name, std::move(*manifest)};
    if (!is_valid_slug(skill.name)) {
        return Error{ExitCode::data_error,
                     fmt::format("'{}/skill.json' names the skill '{}', which is not a valid "
                                 "skill name; recompile it",
                                 clean, skill.name)};
    }
    const std::string folder = std::filesystem::path(clean).filename().string();
    if (folder != skill.name) {
        return Error{ExitCode::data_error,
                     fmt::format("'{}' holds the skill '{}': the folder and the skill must have "
                                 "the same name (OpenClaw requires it); recompile",
                                 clean, skill.name)};
    }
    // Stale: the workflow source is reachable and no longer what was compiled.
    const std::string& rel = skill.manifest.source_path;
    if (!rel.empty() && !skill.manifest.source_sha256.empty()) {
        const std::string source = rel[0] == '/' ? rel : clean + "/" + rel;
        if (auto text = read_file(source, 64u << 20);
            text && sha256_hex(*text) != skill.manifest.source_sha256) {
            if (!force) {
                return Error{
                    ExitCode::data_error,
                    fmt::format("'{}' is stale: its workflow '{}' changed since it was compiled; run compile "
                                "again, or deploy --force to deploy it as it is",
                                clean, source)};
            }
        }
    }
    return skill;
}

}  // namespace df::deployer
