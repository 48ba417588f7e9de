// --dry-run: every git and API action deploy would take, with request bodies, and no network call.
#include <ostream>

#include <fmt/format.h>

#include "common/json.h"
#include "deployer/internal.h"

namespace df::deployer {

void print_dry_run(const Session& s, const std::vector<Skill>& skills, std::ostream& out) {
    const auto& c = s.config;
    const coolify::Version assumed =
        coolify::Version::of(4, 3, 11);  // the real version is read at deploy time
    out << fmt::format("dry run: nothing is changed and no network call is made\n");
    out << fmt::format("every API request carries: Authorization: Bearer {}  Accept: application/json\n",
                       c.token.set() ? masked(c.token.value) : "<COOLIFY_TOKEN>");
    out << fmt::format("registry: {}\n", c.registry.value);
    out << fmt::format("GET {}  (once, before any push: credentials and capabilities)\n",
                       s.api.url("/version"));
    out << fmt::format("GET {}  (once: find the df-* apps)\n", s.api.url("/applications"));
    const std::string remote =
        http::without_userinfo(c.git_remote.value);  // no password in the output (the URL Coolify
    // clones, in the bodies, cannot have one: run_deploy refuses it)
    for (const auto& skill : skills) {
        const std::string branch = c.branch_prefix.value + skill.name;
        auto files = publishable_files(skill.dir);
        out << fmt::format("\n[{}] {}\n", skill.name, skill.dir);
        out << fmt::format("  git ls-remote -- {} refs/heads/{}\n", remote, branch);
        out << fmt::format(
            "  git commit-tree <tree of {} files> on top of {} (no commit if the tree is unchanged)\n",
            files ? files->size() : 0, branch);
        out << fmt::format("  git push -- {} <commit>:refs/heads/{}\n", remote, branch);
        const auto create = app_fields(skill, c, assumed, true);
        const std::string source = c.git_source.value == "deploy-key"   ? "/applications/private-deploy-key"
                                   : c.git_source.value == "github-app" ? "/applications/private-github-app"
                                                                        : "/applications/public";
        out << fmt::format("  if df-{} does not exist: POST {}\n    {}\n", skill.name, s.api.url(source),
                           json::to_string(create));
        out << fmt::format("  if it exists: PATCH {} with the settings that differ from\n    {}\n",
                           s.api.url("/applications/<app uuid>"),
                           json::to_string(app_fields(skill, c, assumed, false)));
        std::string data;
        if (auto vars = skill_env(s, skill, true)) {
            for (const auto& v : *vars) {
                json::Object e;
                e.set("key", v.key).set("value", "***").set("is_literal", v.is_literal);
                e.set("is_runtime", v.is_runtime).set("is_buildtime", v.is_buildtime);
                data += (data.empty() ? "" : ",") + json::to_string(e);
            }
        }
        out << fmt::format("  GET {}\n", s.api.url("/applications/<app uuid>/envs"));
        out << fmt::format(
            "  PATCH {}  (the variables that differ; secrets generated once, kept in {}/{}.env)\n"
            "    {{\"data\":[{}]}}\n",
            s.api.url("/applications/<app uuid>/envs/bulk"), c.secrets_dir.value, skill.name, data);
        out << fmt::format("  POST {}\n    {{\"uuid\":\"<app uuid>\"}}\n", s.api.url("/deploy"));
        if (s.options.wait) {
            const auto timeout = s.options.timeout
                                     ? s.options.timeout->count()
                                     : skill.manifest.workflow.policy.run_timeout_seconds.value_or(600);
            out << fmt::format("  GET {}  every {} s until finished, failed or cancelled, within {} s\n",
                               s.api.url("/deployments/<deployment uuid>"),
                               std::max<long long>(1, s.options.poll_interval.count() / 1000), timeout);
            out << fmt::format("  GET {}  until running:healthy\n", s.api.url("/applications/<app uuid>"));
            if (rolls_back(s.options, skill)) {
                out << fmt::format("  on failure: POST {}  {{\"commit\":\"<last good commit>\"}}\n",
                                   s.api.url("/applications/<app uuid>/rollback"));
            }
        }
        out << fmt::format("  record the deploy in {}\n", c.registry.value);
    }
}

}  // namespace df::deployer
