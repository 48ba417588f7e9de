#include "deployer/git.h"

#include <algorithm>
#include <filesystem>
#include <sys/stat.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/process.h"

namespace df::deployer {
namespace {

namespace fs = std::filesystem;

// A private bare repository in a temporary directory, removed when this object dies.
class Scratch {
  public:
    Scratch() {
        const char* tmp = std::getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/df-deploy-git.XXXXXX";
        if (::mkdtemp(tmpl.data())) dir_ = tmpl;
    }
    ~Scratch() {
        std::error_code ignored;
        if (!dir_.empty()) fs::remove_all(dir_, ignored);
    }
    const std::string& dir() const { return dir_; }

  private:
    std::string dir_;
};

struct Git {
    const GitSettings& settings;
    std::string git_dir;  // empty: no --git-dir
    std::vector<std::pair<std::string, std::string>> env;

    Result<ProcessResult> run(std::vector<std::string> args, std::string input = {}) const {
        ProcessSpec spec;
        spec.argv = {"git"};
        if (!git_dir.empty()) spec.argv.push_back("--git-dir=" + git_dir);
        spec.argv.insert(spec.argv.end(), args.begin(), args.end());
        spec.env = env;
        spec.env.emplace_back("GIT_TERMINAL_PROMPT", "0");  // fail instead of asking for a password
        spec.env.emplace_back("GIT_ASKPASS", "true");
        spec.env.emplace_back("GCM_INTERACTIVE", "never");
        spec.env.emplace_back("LC_ALL", "C");
        spec.stdin_data = std::move(input);
        spec.timeout = settings.timeout;
        spec.cancel = settings.cancel;
        auto r = run_process(spec);
        if (!r) return r.error();
        if (r->cancelled) return Error{ExitCode::interrupted, "git was interrupted"};
        if (r->timed_out) {
            return Error{ExitCode::unavailable, fmt::format("git {} timed out after {} s", args.at(0),
                                                            settings.timeout.count() / 1000)};
        }
        return r;
    }

    // Runs and requires exit 0; `remote` marks commands that talk to the remote (failures → unavailable).
    Result<std::string> check(std::vector<std::string> args, bool remote = false,
                              std::string input = {}) const {
        auto r = run(args, std::move(input));
        if (!r) return r.error();
        if (r->exit_code != 0) {
            std::string err(r->err);
            while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
            return Error{remote ? ExitCode::unavailable : ExitCode::failed,
                         fmt::format("git {} failed: {}", args.at(0), err.empty() ? "(no message)" : err)};
        }
        std::string out = std::move(r->out);
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }
};

bool skipped(const std::string& rel) {
    const std::string first = rel.substr(0, rel.find('/'));
    const std::string base = rel.substr(rel.rfind('/') + 1);
    return first == "state" || first == ".git" || base == ".DS_Store" || base.ends_with("~") ||
           base.rfind(".#", 0) == 0 || base.find(".tmp-") != std::string::npos;
}

}  // namespace

Result<std::vector<std::string>> publishable_files(const std::string& skill_dir) {
    std::vector<std::string> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(skill_dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const std::string rel = fs::relative(it->path(), skill_dir).generic_string();
        if (skipped(rel)) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_symlink()) {
            return Error{ExitCode::data_error,
                         fmt::format("'{}' in the skill folder is a symlink; a compiled skill "
                                     "has none",
                                     rel)};
        }
        if (it->is_regular_file()) files.push_back(rel);
    }
    if (ec) return Error{ExitCode::no_input, fmt::format("cannot list '{}': {}", skill_dir, ec.message())};
    std::sort(files.begin(), files.end());
    return files;
}

Result<std::string> remote_tip(const GitSettings& settings, const std::string& branch) {
    Git git{settings, {}, {}};
    auto out = git.check({"ls-remote", "--", settings.remote, "refs/heads/" + branch}, true);
    if (!out)
        return Error{out.error().code, fmt::format("cannot read the git remote: {}", out.error().message)};
    return out->size() >= 40 ? out->substr(0, 40) : std::string();
}

Result<Published> publish(const GitSettings& settings, const std::string& skill_dir,
                          const std::string& branch, const std::string& message) {
    auto files = publishable_files(skill_dir);
    if (!files) return files.error();
    Scratch scratch;
    if (scratch.dir().empty())
        return Error{ExitCode::io_error, "cannot create a temporary directory for git"};
    Git git{settings, scratch.dir() + "/repo.git", {{"GIT_INDEX_FILE", scratch.dir() + "/index"}}};
    if (auto r = Git{settings, {}, {}}.check({"init", "--quiet", "--bare", git.git_dir}); !r)
        return r.error();

    Published result;
    auto tip = remote_tip(settings, branch);
    if (!tip) return tip.error();
    result.parent = *tip;
    std::string parent_tree;
    if (!result.parent.empty()) {
        auto fetched = git.check({"fetch", "--quiet", "--depth=1", "--no-tags", "--", settings.remote,
                                  "+refs/heads/" + branch + ":refs/heads/base"},
                                 true);
        if (!fetched) return fetched.error();
        auto tree = git.check({"rev-parse", "refs/heads/base^{tree}"});
        if (!tree) return tree.error();
        parent_tree = *tree;
    }

    // Hash every file into the private repository and describe the index in one batch each.
    std::string paths;
    for (const auto& f : *files) paths += skill_dir + "/" + f + "\n";
    auto hashes = git.check({"hash-object", "-w", "--no-filters", "--stdin-paths"}, false, paths);
    if (!hashes) return hashes.error();
    std::string index_info;
    std::size_t pos = 0;
    for (const auto& f : *files) {
        const auto nl = hashes->find('\n', pos);
        const std::string sha = hashes->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? hashes->size() : nl + 1;
        struct stat st {};
        ::stat((skill_dir + "/" + f).c_str(), &st);
        index_info += fmt::format("{} {}\t{}\n", (st.st_mode & S_IXUSR) ? "100755" : "100644", sha, f);
    }
    if (auto r = git.check({"update-index", "--add", "--index-info"}, false, index_info); !r)
        return r.error();
    auto tree = git.check({"write-tree"});
    if (!tree) return tree.error();
    if (*tree == parent_tree) {
        result.commit = result.parent;
        return result;
    }

    std::vector<std::string> commit_args = {"commit-tree", *tree, "-m", message};
    if (!result.parent.empty()) commit_args.insert(commit_args.begin() + 2, {"-p", "refs/heads/base"});
    Git committer = git;
    // The user's identity when git knows one, else a stable robot identity (CI machines often have none).
    if (auto email = git.run({"config", "user.email"}); !email || email->exit_code != 0) {
        committer.env.insert(committer.env.end(), {{"GIT_AUTHOR_NAME", "dark-factory deploy"},
                                                   {"GIT_AUTHOR_EMAIL", "deploy@dark-factory.invalid"},
                                                   {"GIT_COMMITTER_NAME", "dark-factory deploy"},
                                                   {"GIT_COMMITTER_EMAIL", "deploy@dark-factory.invalid"}});
    }
    auto commit = committer.check(commit_args);
    if (!commit) return commit.error();
    result.commit = *commit;
    // A plain push: fast-forward only, so a concurrent publisher's commit is never overwritten.
    auto pushed =
        git.check({"push", "--quiet", "--", settings.remote, result.commit + ":refs/heads/" + branch}, true);
    if (!pushed) {
        const bool rejected = pushed.error().message.find("rejected") != std::string::npos;
        return Error{
            rejected ? ExitCode::temp_fail : pushed.error().code,
            rejected
                ? fmt::format("the branch {} moved on the remote while deploying; run deploy again", branch)
                : fmt::format("cannot push to the git remote: {}", pushed.error().message)};
    }
    result.changed = true;
    return result;
}

Status delete_branch(const GitSettings& settings, const std::string& branch) {
    Git git{settings, {}, {}};
    auto r = git.check({"push", "--quiet", "--", settings.remote, ":refs/heads/" + branch}, true);
    if (!r) return r.error();
    return ok();
}

}  // namespace df::deployer
