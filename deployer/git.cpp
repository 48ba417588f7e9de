#include "deployer/git.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sys/stat.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/text.h"
#include "deployer/process.h"

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

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        out.push_back(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
        pos = nl == std::string::npos ? text.size() : nl + 1;
    }
    return out;
}

// The user's identity when git knows one, else a stable robot identity (CI machines often have none).
void add_identity(Git& git) {
    if (auto email = git.run({"config", "user.email"}); !email || email->exit_code != 0) {
        git.env.insert(git.env.end(), {{"GIT_AUTHOR_NAME", "dark-factory deploy"},
                                       {"GIT_AUTHOR_EMAIL", "deploy@dark-factory.invalid"},
                                       {"GIT_COMMITTER_NAME", "dark-factory deploy"},
                                       {"GIT_COMMITTER_EMAIL", "deploy@dark-factory.invalid"}});
    }
}

// A path for fast-import's M command: C-style quoted, so any file name is safe.
std::string quote_path(const std::string& path) {
    std::string out = "\"";
    for (unsigned char c : path) {
        if (c == '"' || c == '\\')
            out += '\\', out += static_cast<char>(c);
        else if (c == '\n')
            out += "\\n";
        else if (c < 0x20)
            out += fmt::format("\\{:03o}", c);
        else
            out += static_cast<char>(c);
    }
    return out + "\"";
}

// Per-ref results of `git push --porcelain`: "<flag>\t<from>:<to>\t<summary>"; '!' = rejected.
std::map<std::string, std::string> push_rejections(const std::string& porcelain) {
    std::map<std::string, std::string> rejected;
    for (const auto& line : lines_of(porcelain)) {
        if (line.size() < 3 || line[0] != '!') continue;
        const auto colon = line.find(':');
        const auto tab = line.find('\t', colon);
        if (colon != std::string::npos)
            rejected[line.substr(colon + 1, tab - colon - 1)] = line.substr(tab + 1);
    }
    return rejected;
}

// What the remote said ("remote: ..." lines of git's stderr, e.g. a pre-receive hook's reason), in one line.
std::string remote_says(const std::string& err) {
    std::string out;
    for (const auto& line : lines_of(err)) {
        if (line.rfind("remote: ", 0) != 0) continue;
        const std::string text(trim(std::string_view(line).substr(8)));
        if (!text.empty()) out += (out.empty() ? "" : " ") + text;
    }
    return out;
}

// A rejected ref: "[remote rejected]" is the remote's policy (a hook) and retrying cannot help (exit 1);
// "[rejected]" (fetch first, non-fast-forward) means the branch moved meanwhile: deploy again (75).
Error rejection(const std::string& branch, const std::string& summary, const std::string& err) {
    if (summary.rfind("[remote rejected]", 0) == 0) {
        const std::string said = remote_says(err);
        return Error{ExitCode::failed, fmt::format("the git remote refused the push to {} {}{}", branch,
                                                   trim(std::string_view(summary).substr(17)),
                                                   said.empty() ? "" : ": " + said)};
    }
    return Error{ExitCode::temp_fail,
                 fmt::format("the branch {} moved on the remote while deploying ({}); run deploy again",
                             branch, summary)};
}

}  // namespace

// Over 80 lines on purpose: five phases (read the remote, hash every file, one fast-import, decide what
// changed, one push), each a commented paragraph, that share one scratch repository and the maps built by
// the phase before. Each phase is one git process for all skills: that is what makes deploying many
// skills fast (docs/performance.md), and splitting it would pass those maps between five functions.
std::vector<Result<Published>> publish_all(const GitSettings& settings, const std::vector<PublishJob>& jobs) {
    std::vector<Result<Published>> results(jobs.size(), Error{ExitCode::failed, "not published"});
    auto fail_all = [&](const Error& e) {
        for (auto& r : results) r = e;
        return results;
    };
    if (jobs.empty()) return results;
    Scratch scratch;
    if (scratch.dir().empty())
        return fail_all(Error{ExitCode::io_error, "cannot create a temporary directory for git"});
    Git git{settings, scratch.dir() + "/repo.git", {}};
    if (auto r = Git{settings, {}, {}}.check({"init", "--quiet", "--bare", git.git_dir}); !r)
        return fail_all(r.error());

    // One ls-remote and one fetch for every branch of this invocation.
    std::vector<std::string> ls = {"ls-remote", "--", settings.remote};
    for (const auto& j : jobs) ls.push_back("refs/heads/" + j.branch);
    auto listed = git.check(ls, true);
    if (!listed)
        return fail_all(Error{listed.error().code, "cannot read the git remote: " + listed.error().message});
    std::map<std::string, std::string> tips;
    for (const auto& line : lines_of(*listed)) {
        if (line.size() > 41)
            tips[line.substr(41 + 11)] = line.substr(0, 40);  // "<sha>\trefs/heads/<branch>"
    }
    std::vector<std::string> fetch = {"fetch", "--quiet", "--depth=1", "--no-tags", "--", settings.remote};
    std::string tree_queries;
    for (const auto& [branch, tip] : tips) {
        fetch.push_back("+refs/heads/" + branch + ":refs/base/" + branch);
        tree_queries += "refs/base/" + branch + "^{tree}\n";
    }
    std::map<std::string, std::string> parent_trees;
    if (!tips.empty()) {
        if (auto f = git.check(fetch, true); !f) return fail_all(f.error());
        auto trees = git.check({"cat-file", "--batch-check=%(objectname)"}, false, tree_queries);
        if (!trees) return fail_all(trees.error());
        const auto t = lines_of(*trees);
        std::size_t i = 0;
        for (const auto& [branch, tip] : tips) parent_trees[branch] = i < t.size() ? t[i++] : "";
    }

    // Hash every file of every skill in one process, then one index and tree per skill.
    std::vector<std::vector<std::string>> files(jobs.size());
    std::string paths;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        auto f = publishable_files(jobs[i].dir);
        if (!f) {
            results[i] = f.error();
            continue;
        }
        files[i] = std::move(*f);
        for (const auto& rel : files[i]) paths += jobs[i].dir + "/" + rel + "\n";
    }
    auto hashed = git.check({"hash-object", "-w", "--no-filters", "--stdin-paths"}, false, paths);
    if (!hashed) return fail_all(hashed.error());
    const auto shas = lines_of(*hashed);
    Git committer = git;
    add_identity(committer);
    auto ident = committer.check({"var", "GIT_COMMITTER_IDENT"});
    if (!ident) return fail_all(ident.error());

    // One fast-import builds a commit per skill on top of its branch (blobs are already in the repository);
    // a commit whose tree equals its parent's is then dropped: an unchanged folder makes no commit.
    std::string stream;
    std::vector<std::size_t> committed;
    std::size_t next = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (files[i].empty()) continue;  // listing failed (reported above)
        const auto tip = tips.find(jobs[i].branch);
        stream += fmt::format("commit refs/new/{}\nmark :{}\nauthor {}\ncommitter {}\ndata {}\n{}\n", i,
                              i + 1, *ident, *ident, jobs[i].message.size(), jobs[i].message);
        if (tip != tips.end()) stream += "from refs/base/" + jobs[i].branch + "\n";
        stream += "deleteall\n";
        for (const auto& rel : files[i]) {
            struct stat st {};
            ::stat((jobs[i].dir + "/" + rel).c_str(), &st);
            stream += fmt::format("M {} {} {}\n", (st.st_mode & S_IXUSR) ? "100755" : "100644",
                                  next < shas.size() ? shas[next] : "", quote_path(rel));
            ++next;
        }
        stream += "\n";
        committed.push_back(i);
    }
    const std::string marks = scratch.dir() + "/marks";
    if (auto r = committer.check({"fast-import", "--quiet", "--export-marks=" + marks}, false, stream); !r) {
        return fail_all(r.error());
    }
    std::string tree_query;
    for (std::size_t i : committed) tree_query += fmt::format("refs/new/{}\nrefs/new/{}^{{tree}}\n", i, i);
    auto objects = git.check({"cat-file", "--batch-check=%(objectname)"}, false, tree_query);
    if (!objects) return fail_all(objects.error());
    const auto ids = lines_of(*objects);
    std::vector<std::string> refspecs;
    for (std::size_t k = 0; k < committed.size(); ++k) {
        const std::size_t i = committed[k];
        Published p;
        const auto tip = tips.find(jobs[i].branch);
        p.parent = tip == tips.end() ? "" : tip->second;
        const std::string commit = 2 * k < ids.size() ? ids[2 * k] : "";
        const std::string tree = 2 * k + 1 < ids.size() ? ids[2 * k + 1] : "";
        if (commit.size() != 40) {
            results[i] = Error{ExitCode::failed, "git fast-import made no commit for " + jobs[i].branch};
            continue;
        }
        if (!p.parent.empty() && parent_trees[jobs[i].branch] == tree) {
            p.commit = p.parent;
        } else {
            p.commit = commit;
            p.changed = true;
            refspecs.push_back(p.commit + ":refs/heads/" + jobs[i].branch);
        }
        results[i] = p;
    }
    if (refspecs.empty()) return results;

    // One push; plain (fast-forward only), so a concurrent publisher's commit is never overwritten.
    std::vector<std::string> push = {"push", "--porcelain", "--", settings.remote};
    push.insert(push.end(), refspecs.begin(), refspecs.end());
    auto pushed = git.run(push);
    if (!pushed) return fail_all(pushed.error());
    const auto rejected = push_rejections(pushed->out);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (!results[i] || !results[i]->changed) continue;
        const std::string ref = "refs/heads/" + jobs[i].branch;
        if (auto r = rejected.find(ref); r != rejected.end()) {
            results[i] = rejection(jobs[i].branch, r->second, pushed->err);
        } else if (pushed->exit_code != 0 && rejected.empty()) {
            std::string err = pushed->err;
            while (!err.empty() && err.back() == '\n') err.pop_back();
            results[i] = Error{ExitCode::unavailable, "cannot push to the git remote: " + err};
        }
    }
    return results;
}

Result<Published> publish(const GitSettings& settings, const std::string& skill_dir,
                          const std::string& branch, const std::string& message) {
    return publish_all(settings, {PublishJob{skill_dir, branch, message}}).at(0);
}

Status delete_branch(const GitSettings& settings, const std::string& branch) {
    Git git{settings, {}, {}};
    auto r = git.check({"push", "--quiet", "--", settings.remote, ":refs/heads/" + branch}, true);
    if (!r) return r.error();
    return ok();
}

}  // namespace df::deployer
