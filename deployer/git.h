// Publishes a skill folder as the root tree of a branch on a git remote, without touching any working
// copy of the user: the commit is built with plumbing (hash-object, update-index, write-tree,
// commit-tree) in a private temporary repository, on top of the branch's current tip, and pushed. An
// unchanged tree makes no commit. git runs without a shell, with a timeout, never prompting.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "common/error.h"

namespace df::deployer {

struct GitSettings {
    std::string remote;  // URL or path, as `git push` takes it
    std::chrono::milliseconds timeout{120'000};
    const std::atomic<bool>* cancel = nullptr;
};

struct Published {
    std::string commit;    // the branch tip after publishing (40 hex)
    std::string parent;    // the tip before; empty for a new branch
    bool changed = false;  // a new commit was pushed
};

// Files of the skill folder that are published: everything except run state and editor/OS litter.
Result<std::vector<std::string>> publishable_files(const std::string& skill_dir);

// The tip of `branch` on the remote, or "" when the branch does not exist.
Result<std::string> remote_tip(const GitSettings& git, const std::string& branch);

struct PublishJob {
    std::string dir, branch, message;
};

// Publishes many skills with one ls-remote, one fetch, one hash-object and one push (per-ref results):
// the git cost of deploying 20 skills is close to that of one.
std::vector<Result<Published>> publish_all(const GitSettings& git, const std::vector<PublishJob>& jobs);

Result<Published> publish(const GitSettings& git, const std::string& skill_dir, const std::string& branch,
                          const std::string& message);

// Deletes `branch` on the remote.
Status delete_branch(const GitSettings& git, const std::string& branch);

}  // namespace df::deployer
